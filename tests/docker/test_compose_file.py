"""network/compose.yaml as compose itself reads it (v2 plugin and/or docker-compose 1.29)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from network.docker import Shell

pytestmark = pytest.mark.docker

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "network" / "compose.yaml"


def front_ends() -> list[list[str]]:
    found = []
    if Shell(echo=None).succeeds(["docker", "compose", "version"]):
        found.append(["docker", "compose"])
    if shutil.which("docker-compose"):
        found.append(["docker-compose"])
    return found


@pytest.mark.parametrize("front_end", front_ends(), ids=" ".join)
def test_compose_reads_the_committed_file(front_end: list[str], tmp_path: Path) -> None:
    done = Shell(echo=None).run(
        [*front_end, "--file", str(COMPOSE_FILE), "--project-name", "rxledger", "config"],
        env={"RXL_NETWORK_DIR": str(tmp_path), "RXL_IMAGE": "rxledger/node:test"},
    )
    config = yaml.safe_load(done.stdout)

    assert sorted(config["services"]) == [
        "node-distributor",
        "node-manufacturer",
        "node-pharmacy",
        "node-regulator",
    ]
    for name, service in config["services"].items():
        assert service["image"] == "rxledger/node:test"
        org = name.removeprefix("node-")
        assert any(str(tmp_path / org) in str(volume) for volume in service["volumes"])
    assert config["networks"]["ledger"]["internal"] is True


def test_some_compose_front_end_is_installed() -> None:
    assert front_ends(), "install docker-compose or the compose v2 plugin"
