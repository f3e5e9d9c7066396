"""A real 4-organization network on 127.0.0.1, driven through `rxl network`: init, up (every
node agrees on one leader), status, down, and a restart from the ledgers on disk."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.network import app
from network import local
from network.ports import port_problem
from tests.network.local_support import free_base_ports

pytestmark = pytest.mark.e2e

ORGS = ("manufacturer", "distributor", "pharmacy", "regulator")


@pytest.fixture
def network_dir(tmp_path: Path) -> Iterator[Path]:
    directory = tmp_path / "net"
    yield directory
    if (directory / "genesis.json").exists():
        local.down(directory, grace_s=5.0)


def _run(*args: str) -> Any:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _assert_one_leader(rows: list[dict[str, Any]]) -> int:
    assert [r["org"] for r in rows] == list(ORGS)
    assert all(r["healthy"] and r["pid"] is not None for r in rows), rows
    leaders = {r["leader_id"] for r in rows}
    assert len(leaders) == 1, rows
    leader = leaders.pop()
    assert [r["role"] for r in rows if r["node_id"] == leader] == ["leader"]
    return int(leader)


def test_a_four_org_network_starts_agrees_stops_and_restarts(network_dir: Path) -> None:
    base, _ = free_base_ports(4, peer_offset=100)
    init = _run("init", "--dir", str(network_dir), "--insecure-dev-keys", "--base-port", str(base))
    assert [n["org"] for n in init["nodes"]] == list(ORGS)

    _assert_one_leader(_run("up", "--dir", str(network_dir), "--wait", "90"))
    _assert_one_leader(_run("status", "--dir", str(network_dir)))

    stopped = _run("down", "--dir", str(network_dir))
    assert [r["outcome"] for r in stopped] == ["stopped"] * 4
    ports = [p for n in init["nodes"] for p in (n["api_port"], n["peer_port"])]
    assert all(port_problem("127.0.0.1", p) is None for p in ports)

    # The ledgers survive the stop: the same nodes start again on them.
    _assert_one_leader(_run("up", "--dir", str(network_dir), "--wait", "90"))
    assert all((network_dir / org / "data").is_dir() for org in ORGS)
