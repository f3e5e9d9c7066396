"""`rxl node`: status of a real running node, and clear refusals for bad input."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.node import app
from tests.cli.ledger_support import LocalLedger, start_ledger

runner = CliRunner()


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalLedger]:
    yield from start_ledger(tmp_path_factory.mktemp("node-cli"))


@pytest.mark.e2e
def test_status_of_a_running_node(ledger: LocalLedger) -> None:
    url = ledger.urls["pharmacy"]
    result = runner.invoke(app, ["status", "--api", url, "--json"])
    assert result.exit_code == 0, result.output
    health = json.loads(result.output)
    assert health["role"] in {"leader", "follower"}
    assert health["leader_id"] is not None
    assert health["fork_alarm"] is None
    assert len(health["peers"]) == 3
    table = runner.invoke(app, ["status", "--api", url])
    assert table.exit_code == 0, table.output
    assert "leader_id" in table.output


def test_status_of_an_unreachable_node_exits_3() -> None:
    result = runner.invoke(app, ["status", "--api", "http://127.0.0.1:9"])
    assert result.exit_code == 3
    assert "is the node running?" in result.output


def test_start_with_an_invalid_config_exits_2(tmp_path: Path) -> None:
    config = tmp_path / "node.toml"
    config.write_text("node_id = 0\n")
    result = runner.invoke(app, ["start", "--config", str(config)])
    assert result.exit_code == 2
    assert "node_id" in result.output
