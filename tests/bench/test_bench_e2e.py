"""`rxl bench` against a real 3-organization network on 127.0.0.1, at toy sizes.

These check that each benchmark prepares valid ledger state and that every transaction or
request it sends is accounted for; they never judge speed. The only failures tolerated in
the measured load are a leader change on a busy machine (codes in ``TRANSIENT``): a
contract rejection would mean the bench built an invalid transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bench.worker import NOT_COMMITTED
from cli.bench import app
from cli.network import app as network_app
from network import local
from tests.network.local_support import free_base_ports

pytestmark = pytest.mark.e2e

TRANSIENT = {"node.no_leader", "node.not_current", "node.overloaded", NOT_COMMITTED}


@pytest.fixture(scope="module")
def network_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    directory = tmp_path_factory.mktemp("bench") / "net"
    base, _ = free_base_ports(3, peer_offset=100)
    orgs = "manufacturer,distributor,pharmacy"
    for args in (
        ["init", "--dir", str(directory), "--insecure-dev-keys", "--base-port", str(base)],
        ["up", "--dir", str(directory), "--wait", "90"],
    ):
        extra = ["--orgs", orgs] if args[0] == "init" else []
        result = CliRunner().invoke(network_app, [*args, *extra, "--json"])
        assert result.exit_code == 0, result.output
    yield directory
    local.down(directory, grace_s=5.0)


def _bench(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def _all_accounted(load: dict[str, Any]) -> None:
    assert load["ok"] >= 1
    assert load["ok"] + sum(load["errors"].values()) == load["sent"]
    assert set(load["errors"]) <= TRANSIENT, load["error_messages"]


def test_single_event_commits_valid_ship_receive_and_dispense(network_dir: Path) -> None:
    report = _bench("single-event", "-d", str(network_dir), "--count", "30", "--batch", "5")
    load = report["load"]
    assert load["sent"] == 30
    _all_accounted(load)
    assert load["latency"]["count"] == load["committed"]
    assert report["machine"]["cores"] >= 1
    assert {"node 1 (manufacturer)", "load generator"} <= set(report["cpu_cores_used"])


def test_single_event_open_loop_sends_rate_times_duration(network_dir: Path) -> None:
    report = _bench(
        "single-event", "-d", str(network_dir), "--rate", "20", "--duration", "1", "--batch", "2"
    )
    assert report["parameters"]["transactions"] == 20
    _all_accounted(report["load"])


def test_commission_counts_codes(network_dir: Path) -> None:
    report = _bench("commission", "-d", str(network_dir), "--codes", "3000", "--per-tx", "1000")
    load = report["load"]
    assert load["sent"] == 3
    _all_accounted(load)
    assert load["units_ok"] == 1000 * load["ok"]
    assert report["units"] == "codes"


def test_verify_answers_every_request(network_dir: Path) -> None:
    report = _bench("verify", "-d", str(network_dir), "--codes", "50", "--duration", "0.5")
    load = report["load"]
    assert load["kind"] == "requests"
    assert load["errors"] == {}
    assert load["ok"] == load["sent"] >= 1


def test_history_reads_the_whole_batch_log(network_dir: Path) -> None:
    report = _bench(
        "history",
        "-d",
        str(network_dir),
        "--codes",
        "40",
        "--events",
        "12",
        "--duration",
        "0.5",
        "--repeat",
        "1",
        "--batch",
        "4",
    )
    assert report["figures"]["batch history entries"] == 1 + 12
    assert report["load"]["errors"] == {}


def test_catch_up_restarts_the_stopped_follower(network_dir: Path) -> None:
    report = _bench("catch-up", "-d", str(network_dir), "--count", "30", "--batch", "5")
    _all_accounted(report["load"])
    stopped = report["parameters"]["stopped_node"]
    assert report["figures"]["transactions missed"] == report["load"]["committed"]
    rows = {s.node.node_id: s for s in local.status(network_dir)}
    assert rows[stopped].pid is not None
