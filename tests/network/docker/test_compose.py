"""The generated compose document: one hardened service per genesis node."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from network.docker import compose
from network.docker.compose import NodeSlot, slots_from_genesis
from network.docker.errors import MaterialMissing

ORGS = ("manufacturer", "distributor", "pharmacy", "regulator")


def write_genesis(path: Path, nodes: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps({"chain_id": "demo", "nodes": nodes}), encoding="utf-8")
    return path


def docker_nodes() -> list[dict[str, Any]]:
    return [
        {
            "id": i + 1,
            "org": org,
            "host": f"node-{org}",
            "api_port": 7100 + i,
            "peer_port": 7200 + i,
        }
        for i, org in enumerate(ORGS)
    ]


@pytest.fixture
def slots(tmp_path: Path) -> list[NodeSlot]:
    return slots_from_genesis(write_genesis(tmp_path / "genesis.json", docker_nodes()))


def test_slots_follow_the_genesis_in_node_order(tmp_path: Path) -> None:
    nodes = list(reversed(docker_nodes()))

    slots = slots_from_genesis(write_genesis(tmp_path / "genesis.json", nodes))

    assert [(s.node_id, s.service, s.api_port) for s in slots] == [
        (1, "node-manufacturer", 7100),
        (2, "node-distributor", 7101),
        (3, "node-pharmacy", 7102),
        (4, "node-regulator", 7103),
    ]


def test_a_genesis_made_for_localhost_is_refused(tmp_path: Path) -> None:
    nodes = docker_nodes()
    nodes[2]["host"] = "127.0.0.1"

    with pytest.raises(MaterialMissing, match=r"node 3 is reached at '127\.0\.0\.1'"):
        slots_from_genesis(write_genesis(tmp_path / "genesis.json", nodes))


def test_two_nodes_of_one_org_are_refused(tmp_path: Path) -> None:
    nodes = docker_nodes()
    nodes[1] = {**nodes[0], "id": 2}

    with pytest.raises(MaterialMissing, match="one node per organization"):
        slots_from_genesis(write_genesis(tmp_path / "genesis.json", nodes))


def test_a_missing_genesis_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(MaterialMissing, match=r"network\.docker init"):
        slots_from_genesis(tmp_path / "genesis.json")


def test_api_ports_are_published_on_loopback_only(slots: list[NodeSlot]) -> None:
    document = yaml.safe_load(compose.render(slots))

    ports = {name: svc["ports"] for name, svc in document["services"].items()}

    assert ports == {
        "node-manufacturer": ["127.0.0.1:7100:7100"],
        "node-distributor": ["127.0.0.1:7101:7101"],
        "node-pharmacy": ["127.0.0.1:7102:7102"],
        "node-regulator": ["127.0.0.1:7103:7103"],
    }


def test_each_node_gets_only_its_own_node_files_read_only_and_a_named_volume(
    slots: list[NodeSlot],
) -> None:
    document = yaml.safe_load(compose.render(slots, material="/srv/net"))

    service = document["services"]["node-pharmacy"]

    assert service["volumes"] == [
        "node-pharmacy-data:/var/lib/rxledger",
        "/srv/net/pharmacy/node.toml:/etc/rxledger/node/node.toml:ro",
        "/srv/net/pharmacy/node.crt:/etc/rxledger/node/node.crt:ro",
        "/srv/net/pharmacy/node.key:/etc/rxledger/node/node.key:ro",
        "/srv/net/genesis.json:/etc/rxledger/genesis.json:ro",
    ]
    assert sorted(document["volumes"]) == sorted(f"node-{org}-data" for org in ORGS)


def test_peers_meet_on_an_internal_network_and_each_api_on_its_own_edge(
    slots: list[NodeSlot],
) -> None:
    document = yaml.safe_load(compose.render(slots))

    assert document["networks"]["ledger"] == {"internal": True}
    for org in ORGS:
        service = document["services"][f"node-{org}"]
        assert service["networks"] == ["ledger", f"edge-{org}"]
        assert service["hostname"] == f"node-{org}"


def test_health_check_targets_each_node_s_own_api_port(slots: list[NodeSlot]) -> None:
    document = yaml.safe_load(compose.render(slots))

    urls = [svc["environment"]["RXL_HEALTH_URL"] for svc in document["services"].values()]

    assert urls == [f"http://127.0.0.1:{7100 + i}/health" for i in range(4)]


def test_the_image_can_be_chosen_at_run_time(slots: list[NodeSlot]) -> None:
    document = yaml.safe_load(compose.render(slots))

    images = {svc["image"] for svc in document["services"].values()}

    assert images == {"${RXL_IMAGE:-rxledger/node:dev}"}


def test_write_puts_a_self_contained_compose_file_in_the_folder(
    tmp_path: Path, slots: list[NodeSlot]
) -> None:
    path = compose.write(tmp_path, slots)

    volumes = yaml.safe_load(path.read_text())["services"]["node-regulator"]["volumes"]

    assert "./regulator/node.key:/etc/rxledger/node/node.key:ro" in volumes
