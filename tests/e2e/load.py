"""A background client that keeps a network busy and remembers what it was promised.

:class:`Load` submits batches of fresh registrations with ``wait=true`` to a random node,
round after round, from its own thread, and records every transaction the API acknowledged
as committed (its receipt), plus the wall time of each fully committed batch. Refusals,
timeouts and dead nodes are expected while nodes are being killed: they are counted, never
raised. Only a bug in the client itself stops the thread, and :meth:`stop` re-raises it.
"""

from __future__ import annotations

import random
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import msgpack

from tests.e2e.harness import Cluster
from tests.e2e.transactions import Registrations


@dataclass
class LoadReport:
    acknowledged: dict[str, dict[str, Any]] = field(default_factory=dict)
    """tx id → the committed receipt the API answered."""
    submitted: int = 0
    batch_latencies_s: list[float] = field(default_factory=list)
    """Wall time of each batch whose every item came back committed."""
    outcomes: Counter[str] = field(default_factory=Counter)
    started: float = 0.0
    finished: float = 0.0

    def summary(self) -> str:
        elapsed = max(self.finished - self.started, 1e-9)
        latencies = sorted(self.batch_latencies_s)

        def pct(q: float) -> float:
            return latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else 0.0

        median = statistics.median(latencies) if latencies else 0.0
        return (
            f"{len(self.acknowledged)} of {self.submitted} transactions acknowledged committed "
            f"in {elapsed:.1f} s ({len(self.acknowledged) / elapsed:.1f} tx/s); committed-batch "
            f"latency p50 {median * 1000:.0f} ms, p90 {pct(0.9) * 1000:.0f} ms, max "
            f"{pct(1.0) * 1000:.0f} ms over {len(latencies)} batches; outcomes "
            f"{dict(self.outcomes)}"
        )


class Load:
    """Submit batches of ``batch[0]`` to ``batch[1]`` registrations (uniformly random) until
    :meth:`stop` (see the module doc)."""

    def __init__(
        self,
        cluster: Cluster,
        factory: Registrations,
        *,
        batch: tuple[int, int],
        wait_s: float,
        rng: random.Random,
    ) -> None:
        self.cluster = cluster
        self.factory = factory
        self.batch = batch
        self.wait_s = wait_s
        self.rng = rng
        self.report = LoadReport()
        self._stop = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="e2e-load", daemon=True)

    def acknowledged_beyond(self, count: int) -> bool:
        """More than ``count`` transactions acknowledged so far (a progress probe)."""
        return len(self.report.acknowledged) > count

    def start(self) -> None:
        self.report.started = time.monotonic()
        self._thread.start()

    def stop(self) -> LoadReport:
        self._stop.set()
        self._thread.join(self.wait_s + 30.0)
        self.report.finished = time.monotonic()
        if self._thread.is_alive():
            raise AssertionError("the load thread did not stop")
        if self._error is not None:
            raise self._error
        return self.report

    def _run(self) -> None:
        try:
            with httpx.Client(timeout=self.wait_s + 10.0) as client:
                while not self._stop.is_set():
                    self._round(client)
        except Exception as exc:  # noqa: BLE001 - stop() re-raises it in the test
            self._error = exc

    def _round(self, client: httpx.Client) -> None:
        node_id = self.rng.choice(self.cluster.ids)
        txs = self.factory.batch(self.rng.randint(*self.batch))
        self.report.submitted += len(txs)
        started = time.monotonic()
        try:
            response = client.post(
                self.cluster.url(node_id, "/v1/transactions"),
                content=msgpack.packb([tx.to_wire() for tx in txs]),
                headers={"content-type": "application/msgpack"},
                params={"wait": "true", "timeout": str(self.wait_s)},
            )
        except httpx.HTTPError as exc:
            self.report.outcomes[type(exc).__name__] += 1
            # A dead node refuses at once: do not spin while it restarts.
            self._stop.wait(0.05)
            return
        elapsed = time.monotonic() - started
        self.report.outcomes[str(response.status_code)] += 1
        if response.status_code not in (200, 202):
            self._stop.wait(0.05)
            return
        items = response.json()["results"]
        committed = 0
        for tx, item in zip(txs, items, strict=True):
            receipt = item["receipt"]
            if item["accepted"] and receipt is not None and receipt["state"] == "committed":
                assert receipt["tx_id"] == tx.tx_id.hex(), (receipt, tx.tx_id.hex())
                self.report.acknowledged[receipt["tx_id"]] = receipt
                committed += 1
        if committed == len(txs):
            self.report.batch_latencies_s.append(elapsed)
