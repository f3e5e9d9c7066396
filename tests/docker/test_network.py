"""The 4-organization network in docker, for real: a trace scenario, a leader stopped and
restarted, and a partitioned node (DESIGN.md, Testing: no acknowledged transaction lost, no
two nodes with different blocks at the same height)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

import pytest

from network.docker import DockerNetwork
from network.docker.health import wait_for_leader

from .ledger import Member, Node

pytestmark = pytest.mark.docker

ITEM_GTIN = "09501101530003"
PRODUCT = f"gtin:{ITEM_GTIN}"
RECALLED_LOT = "L-RECALL"
LOT = "L1"
PRODUCED = "2025-06-01"
EXPIRY = "2027-12-31"
SITE_GLN = "0614141000005"
T = TypeVar("T")


@pytest.fixture(scope="module")
def chain_id(network: DockerNetwork) -> str:
    genesis = json.loads((network.directory / "genesis.json").read_text())
    return str(genesis["chain_id"])


@pytest.fixture(scope="module")
def nodes(network: DockerNetwork, chain_id: str) -> dict[str, Node]:
    return {s.service: Node(s.service, s.api_url, chain_id) for s in network.slots}


@pytest.fixture(scope="module")
def members(network: DockerNetwork) -> dict[str, Member]:
    directory = network.directory
    return {
        "maker": Member.load(directory, "manufacturer", "operator"),
        "pharmacist": Member.load(directory, "pharmacy", "pharmacist"),
        "auditor": Member.load(directory, "regulator", "auditor"),
    }


class Maker:
    """The manufacturer's operator: registers the product once, then batches and codes."""

    def __init__(self, member: Member, chain_id: str, home: Node) -> None:
        self.member, self.chain_id, self.home = member, chain_id, home
        self.home.commit(self.member.sign(chain_id, "trace", "register_product", product_args()))
        self.lots: set[str] = set()

    def commission(self, lot: str, serials: list[str], via: Node | None = None) -> dict[str, Any]:
        """Commission ``serials`` into ``lot`` (registered with release on first use), through
        ``via`` (default: the manufacturer's own node)."""
        node = via or self.home
        if lot not in self.lots:
            node.commit(
                self.member.sign(self.chain_id, "release", "register_batch", batch_args(lot))
            )
            self.lots.add(lot)
        signed = self.member.sign(
            self.chain_id, "trace", "commission", commission_args(lot, serials)
        )
        return node.commit(signed)


@pytest.fixture(scope="module")
def maker(nodes: dict[str, Node], members: dict[str, Member], chain_id: str) -> Maker:
    return Maker(members["maker"], chain_id, nodes["node-manufacturer"])


def product_args() -> dict[str, Any]:
    return {
        "product_key": PRODUCT,
        "mah_org": "manufacturer",
        "generic_name": "amoxicillin",
        "dosage_form": "capsule",
        "strength": "500 mg",
        "pack_size": 20,
        "packaging_level": "item",
        "markets": ["US"],
        "storage_min_centi_c": 1500,
        "storage_max_centi_c": 2500,
    }


def batch_args(lot: str) -> dict[str, Any]:
    return {
        "product_key": PRODUCT,
        "lot": lot,
        "size": 1000,
        "site_gln": SITE_GLN,
        "manufactured": PRODUCED,
        "expiry": EXPIRY,
        "ebr_sha256": "ab" * 32,
    }


def commission_args(lot: str, serials: list[str]) -> dict[str, Any]:
    return {
        "lot": lot,
        "production_date": PRODUCED,
        "expiry": EXPIRY,
        "gtin": ITEM_GTIN,
        "serials": serials,
    }


def code(serial: str) -> str:
    return f"sgtin:{ITEM_GTIN}.{serial}"


def eventually(check: Callable[[], T | None], *, timeout_s: float, what: str) -> T:
    """Poll ``check`` until it returns something other than None, or fail saying ``what``."""
    deadline = time.monotonic() + timeout_s
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            answer = check()
        except (AssertionError, OSError, ValueError) as exc:
            last_error, answer = exc, None
        if answer is not None:
            return answer
        time.sleep(0.2)
    raise AssertionError(f"{what} within {timeout_s} s (last error: {last_error})")


def leader_service(network: DockerNetwork, nodes: dict[str, Node]) -> str:
    """The service of the leader all of ``nodes`` agree on, itself one of them."""
    urls = {name: node.url for name, node in nodes.items()}
    among = {network.slot(name).node_id for name in nodes}
    return network.service_of(wait_for_leader(urls, timeout_s=60, among=among))


def assert_same_chain(nodes: list[Node], auditor: Member) -> int:
    """Every node at the same height with identical block hashes at every height; the height."""

    def converged() -> int | None:
        heights = {node.name: int(node.health()["height"]) for node in nodes}
        return heights[nodes[0].name] if len(set(heights.values())) == 1 else None

    height = eventually(converged, timeout_s=60, what="nodes reach the same height")
    for h in range(1, height + 1):
        hashes = {node.name: node.block_hash(auditor, h) for node in nodes}
        assert len(set(hashes.values())) == 1, f"block {h} differs: {hashes}"
    return height


def test_trace_scenario_commits_through_every_org_s_node(
    nodes: dict[str, Node],
    members: dict[str, Member],
    chain_id: str,
    maker: Maker,
) -> None:
    receipt = maker.commission(
        RECALLED_LOT, [f"S{i}" for i in range(20)], nodes["node-distributor"]
    )
    pharmacy, regulator = nodes["node-pharmacy"], nodes["node-regulator"]

    before = pharmacy.query(members["pharmacist"], "trace", "verify", {"code": code("S3")})
    regulator.commit(
        members["auditor"].sign(
            chain_id,
            "trace",
            "recall",
            {"product_key": PRODUCT, "lot": RECALLED_LOT, "reason": "assay"},
        )
    )
    after = pharmacy.query(members["pharmacist"], "trace", "verify", {"code": code("S3")})
    sale = pharmacy.commit(
        members["pharmacist"].sign(chain_id, "trace", "dispense", {"code": code("S3")})
    )

    assert receipt["height"] >= 1
    assert (before["verified"], before["status"], before["recalled"]) == (True, "active", False)
    assert (after["recalled"], after["additionalInfo"]) == (True, "Recalled")
    assert sale["result"]["dispensed"] is False
    assert sale["result"]["alert"]["reason"] == "recalled"
    assert_same_chain(list(nodes.values()), members["auditor"])


def test_a_stopped_leader_is_replaced_and_catches_up_with_identical_blocks(
    network: DockerNetwork,
    nodes: dict[str, Node],
    members: dict[str, Member],
    maker: Maker,
) -> None:
    network.wait_healthy(timeout_s=120)
    old_leader = leader_service(network, nodes)
    network.stop(old_leader)
    survivors = {name: node for name, node in nodes.items() if name != old_leader}
    try:
        new_leader = leader_service(network, survivors)
        receipts = [
            maker.commission(LOT, [f"R{round_}-{i}" for i in range(5)], survivors[new_leader])
            for round_ in range(3)
        ]
    finally:
        network.start(old_leader)

    assert new_leader != old_leader
    assert [r["state"] for r in receipts] == ["committed"] * 3
    network.wait_healthy(timeout_s=120)
    height = assert_same_chain(list(nodes.values()), members["auditor"])
    assert height >= receipts[-1]["height"]


def test_a_partitioned_node_cannot_commit_and_rejoins_the_same_chain(
    network: DockerNetwork,
    nodes: dict[str, Node],
    members: dict[str, Member],
    chain_id: str,
    maker: Maker,
) -> None:
    network.wait_healthy(timeout_s=120)
    maker.commission(LOT, ["P-before"])
    isolated = leader_service(network, nodes)
    majority = {name: node for name, node in nodes.items() if name != isolated}
    stranded = members["maker"].sign(
        chain_id, "trace", "commission", commission_args(LOT, ["P-minority"])
    )
    network.disconnect(isolated)
    try:
        minority_answer = nodes[isolated].submit(stranded, timeout_s=3.0)
        new_leader = leader_service(network, majority)
        majority_receipt = maker.commission(LOT, ["P-majority"], majority[new_leader])
        minority_health = nodes[isolated].health()
    finally:
        network.connect(isolated)

    result = minority_answer.json()
    receipt = (result.get("results") or [{}])[0].get("receipt") or {}
    assert minority_answer.status_code != 200, result
    assert receipt.get("state") != "committed", result
    assert majority_receipt["state"] == "committed"
    assert minority_health["height"] < majority_receipt["height"]
    network.wait_healthy(timeout_s=120)
    assert_same_chain(list(nodes.values()), members["auditor"])
