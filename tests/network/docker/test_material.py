"""The docker flavour of a consortium, and the committed network/compose.yaml."""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path

import pytest

from network.consortium import PinnedContract
from network.docker import compose, init_material
from network.docker.compose import SHARED_MATERIAL
from network.docker.errors import DockerNetworkError
from network.docker.material import CONTAINER_UID

ROOT = Path(__file__).resolve().parents[3]
PIN = PinnedContract("trace", "1.0.0", "ab" * 32)


@pytest.fixture(scope="module")
def material(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("docker-net")
    init_material(directory, contracts=[PIN])
    return directory


def test_the_committed_compose_file_is_what_the_generator_writes(material: Path) -> None:
    slots = compose.slots_from_genesis(material / "genesis.json")

    expected = compose.render(slots, material=SHARED_MATERIAL)

    assert (ROOT / "network" / "compose.yaml").read_text() == expected, (
        "regenerate it with `python -m network.docker compose-file`"
    )


def test_peers_are_reached_by_service_name(material: Path) -> None:
    genesis = json.loads((material / "genesis.json").read_text())

    hosts = {node["org"]: node["host"] for node in genesis["nodes"]}

    assert hosts == {
        "manufacturer": "node-manufacturer",
        "distributor": "node-distributor",
        "pharmacy": "node-pharmacy",
        "regulator": "node-regulator",
    }


def test_the_genesis_pins_the_contracts_it_is_given(material: Path) -> None:
    genesis = json.loads((material / "genesis.json").read_text())

    assert genesis["contracts"] == [{"name": "trace", "version": "1.0.0", "code_hash": "ab" * 32}]


def test_node_configs_listen_everywhere_and_keep_data_in_the_volume(material: Path) -> None:
    config = tomllib.loads((material / "pharmacy" / "node.toml").read_text())

    assert config["data_dir"] == "/var/lib/rxledger/data"
    assert config["genesis"] == "../genesis.json"
    assert config["api"] == {"host": "0.0.0.0", "port": 7102}
    assert config["peer"] == {"host": "0.0.0.0", "port": 7202}


def test_the_folder_holds_its_own_compose_file(material: Path) -> None:
    text = (material / "compose.yaml").read_text()

    assert '"./regulator/node.key:/etc/rxledger/node/node.key:ro"' in text


@pytest.mark.skipif(os.geteuid() != 0, reason="giving files to another uid needs root")
def test_node_files_belong_to_the_container_user_and_the_key_stays_private(
    material: Path,
) -> None:
    key = (material / "distributor" / "node.key").stat()
    ca_key = (material / "distributor" / "ca.key").stat()

    assert (key.st_uid, key.st_mode & 0o777) == (CONTAINER_UID, 0o600)
    assert ca_key.st_uid == os.geteuid()


def test_an_existing_consortium_is_kept_unless_forced(material: Path) -> None:
    genesis_before = (material / "genesis.json").read_text()

    with pytest.raises(DockerNetworkError, match="--force"):
        init_material(material)

    assert (material / "genesis.json").read_text() == genesis_before
