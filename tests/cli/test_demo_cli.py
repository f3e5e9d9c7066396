"""`rxl demo` without nodes: what it prints to try next, its JSON, its errors, and the
foreground wait that `make run` sits in."""

from __future__ import annotations

import json
import socket
import threading
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from cli.demo import app, next_steps, report_json, serve_until_stopped
from network.consortium import default_orgs, generate_consortium
from network.demo import ColdChainSummary, DemoCalendar, DemoWorld, SeedReport

WORLD = DemoWorld(DemoCalendar(date(2026, 3, 9), 1_773_057_600_000))
URLS = [f"http://127.0.0.1:{port}" for port in (7100, 7101, 7102, 7103)]
SEEDED = SeedReport(
    WORLD,
    already_seeded=False,
    transactions=37,
    recall_holders=("distributor",),
    cold_chain=ColdChainSummary(48, 430, 580, "4.61", excursion=False),
)


def test_next_steps_name_the_codes_the_verify_urls_and_how_to_stop() -> None:
    text = "\n".join(next_steps(SEEDED, Path(".rxl/network"), URLS, foreground=True))
    for pack in (WORLD.dispensed_pack, WORLD.recalled_pack):
        assert f"code parse '{pack.hri}'" in text
        assert (
            f"curl -s --get http://127.0.0.1:7102/v1/verify --data-urlencode 'code={pack.hri}'"
            in text
        )
    assert "http://127.0.0.1:7100/docs" in text
    assert "curl -s http://127.0.0.1:7100/health" in text
    assert "Seeded the demo: 37 transactions." in text
    assert "4.30-5.80 °C, MKT 4.61 °C, no excursion" in text
    assert "holders notified: distributor" in text
    assert "Press Ctrl-C" in text


def test_detached_and_already_seeded_say_so() -> None:
    again = SeedReport(WORLD, already_seeded=True)
    lines = next_steps(again, Path("net"), URLS, foreground=False)
    assert "The demo is already on this network (seeded 2026-03-09)." in lines
    assert lines[-1].endswith("network down --dir net")
    assert not any("Seeded the demo" in line for line in lines)


def test_report_json_carries_the_codes_to_check() -> None:
    document = json.loads(json.dumps(report_json(SEEDED, URLS)))
    assert document["dispensed"] == {
        "key": WORLD.dispensed_pack.key,
        "hri": WORLD.dispensed_pack.hri,
    }
    assert document["recalled"]["key"] == WORLD.recalled_pack.key
    assert document["recall_holders"] == ["distributor"]
    assert document["cold_chain"]["excursion"] is False
    assert document["api_urls"] == URLS


def test_seed_without_a_consortium_says_how_to_create_one(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["seed", "--dir", str(tmp_path / "none")])
    assert result.exit_code == 2
    assert "rxl network init" in result.output


def test_run_on_a_busy_port_stops_before_creating_anything(tmp_path: Path) -> None:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        result = CliRunner().invoke(
            app, ["run", "--dir", str(tmp_path / "net"), "--base-port", str(port)]
        )
    assert result.exit_code == 2
    assert f"port {port}" in result.output
    assert not (tmp_path / "net" / "genesis.json").exists()


def test_the_foreground_wait_reports_each_stopped_node_once(tmp_path: Path) -> None:
    generate_consortium(tmp_path, default_orgs(), insecure_dev_keys=True, check_ports=False)
    stop = threading.Event()
    said: list[str] = []

    def say(message: str) -> None:
        said.append(message)
        if len(said) == 4:
            stop.set()

    serve_until_stopped(tmp_path, say, stop, interval_s=0.001)
    assert [m.split(")")[0] for m in said] == [
        "warning: node 1 (manufacturer",
        "warning: node 2 (distributor",
        "warning: node 3 (pharmacy",
        "warning: node 4 (regulator",
    ]
