"""What can stop a benchmark, each with what to do next."""

from __future__ import annotations


class BenchError(Exception):
    """A benchmark cannot run or could not finish; the message says what to do."""

    code = "bench.error"


class ConsortiumUnusable(BenchError):
    """The consortium folder lacks what the benchmark needs (genesis, nodes, member keys)."""

    code = "bench.consortium"


class SetupFailed(BenchError):
    """Preparing ledger state for a benchmark failed (a refused or uncommitted transaction)."""

    code = "bench.setup_failed"


class WorkerFailed(BenchError):
    """A load process crashed or did not report in time."""

    code = "bench.worker_failed"
