"""What `make run` does, for real: `rxl demo run` creates a 4-organization network on free
ports, starts it, seeds the demo and serves in the foreground; the ledger then answers as
the demo says (public verify, and signed queries as the regulator); seeding again finds the
demo there; Ctrl-C stops every node and frees every port."""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import httpx
import pytest
from typer.testing import CliRunner

from cli.demo import app
from network import local
from network.demo import ApiLedger, catalog
from network.demo.catalog import MemberRef
from network.ports import port_problem
from tests.network.local_support import free_base_ports

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
AUDITOR = MemberRef("regulator", "auditor")
READY_LINE = "Press Ctrl-C"
DEADLINE_S = 45.0


class Foreground:
    """`rxl demo run` as a child process, its output read line by line as it comes."""

    def __init__(self, directory: Path, base_port: int) -> None:
        command = [
            sys.executable,
            "-c",
            "from cli.demo import app; app()",
            "run",
            "--dir",
            str(directory),
            "--base-port",
            str(base_port),
        ]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        assert self.process.stdout is not None
        self._pump_thread = threading.Thread(
            target=self._pump, args=(self.process.stdout,), daemon=True
        )
        self._pump_thread.start()

    def _pump(self, stream: IO[str]) -> None:
        with stream:
            for line in stream:
                self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def close(self) -> None:
        """Kill the process if it still runs; the pump ends at EOF and closes the pipe."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10.0)
        self._pump_thread.join(timeout=10.0)

    def wait_for(self, text: str, deadline_s: float) -> None:
        deadline = time.monotonic() + deadline_s
        while not any(text in line for line in self.lines):
            remaining = deadline - time.monotonic()
            line = self._queue.get(timeout=max(remaining, 0.001)) if remaining > 0 else None
            if line is None:
                raise AssertionError(f"no {text!r} in the output:\n" + "\n".join(self.lines))
            self.lines.append(line)

    def interrupt(self, deadline_s: float) -> int:
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=deadline_s)
        self.wait_for("stopped; the ledgers stay", 1.0)
        return code


@pytest.fixture
def network_dir(tmp_path: Path) -> Iterator[Path]:
    directory = tmp_path / "net"
    yield directory
    if (directory / "genesis.json").exists():
        local.down(directory, grace_s=5.0)


def _verify(url: str, code: str) -> dict[str, Any]:
    response = httpx.get(f"{url}/v1/verify", params={"code": code}, timeout=10.0)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def _check_ledger(directory: Path, report: dict[str, Any]) -> None:
    """The ledger as the demo describes it, asked the way a pharmacy and a regulator would."""
    with ApiLedger(directory) as ledger:
        pharmacy = ledger.url("pharmacy")
        dispensed = _verify(pharmacy, report["dispensed"]["hri"])
        assert (dispensed["verified"], dispensed["status"]) == (True, "dispensed")
        recalled = _verify(pharmacy, report["recalled"]["hri"])
        assert (recalled["recalled"], recalled["additionalInfo"]) == (True, "Recalled")
        assert "custody" not in recalled  # the public answer never says who holds a pack

        leg = ledger.query(AUDITOR, "coldchain", "get_leg", {"leg": report["leg"]})
        assert leg["status"] == "closed"
        assert leg.get("open_excursion") is None
        recalled_lot = {"product_key": catalog.ITEM_PRODUCT, "lot": report["lots"]["recalled"]}
        status = ledger.query(AUDITOR, "trace", "batch_status", recalled_lot)
        assert "distributor" in json.dumps(status)
        shipped_lot = {"product_key": catalog.ITEM_PRODUCT, "lot": report["lots"]["shipped"]}
        assert ledger.query(AUDITOR, "release", "batch_info", shipped_lot)["status"] == "released"
        use = {
            "supplier": catalog.SUPPLIER,
            "material": catalog.MATERIAL,
            "at_ms": time.time_ns() // 1_000_000,
        }
        assert ledger.query(AUDITOR, "supplier", "was_approved", use)["approved"] is True


def test_make_run_starts_seeds_serves_and_stops_cleanly(network_dir: Path) -> None:
    base, _ = free_base_ports(4, peer_offset=100)
    started = time.monotonic()
    demo = Foreground(network_dir, base)
    try:
        demo.wait_for(READY_LINE, DEADLINE_S)
        output = "\n".join(demo.lines)
        assert "Seeded the demo: 37 transactions." in output
        assert f"http://127.0.0.1:{base}/docs" in output

        again = CliRunner().invoke(app, ["seed", "--dir", str(network_dir), "--json"])
        assert again.exit_code == 0, again.output
        report = json.loads(again.stdout)
        assert (report["already_seeded"], report["transactions"]) == (True, 0)
        assert report["dispensed"]["hri"] in output  # the codes it printed are the seeded ones

        _check_ledger(network_dir, report)

        assert demo.interrupt(deadline_s=20.0) == 0
    finally:
        demo.close()
    ports = [p for n in local.load_nodes(network_dir) for p in (n.api_port, n.peer_port)]
    assert all(port_problem("127.0.0.1", p) is None for p in ports)
    assert time.monotonic() - started < 60.0
