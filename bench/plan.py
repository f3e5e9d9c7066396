"""The work a benchmark hands its load processes: transactions to sign, reads to send.

Everything here is plain data, pickled to each worker process. Transactions are described,
not signed: each worker signs its own share before the clock starts (so signing costs no
measured time and runs on every core), then submits them in batches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

DEFAULT_WAIT_TIMEOUT_S: Final = 30.0


@dataclass(frozen=True, slots=True)
class TxSpec:
    """One transaction to sign as ``signer`` (a name in :attr:`LoadPlan.seeds`).

    ``units`` is what the transaction carries for the units-per-second figure: the number
    of codes of a commissioning, 1 for a single-code event.
    """

    signer: str
    contract: str
    function: str
    args: dict[str, Any]
    units: int = 1


@dataclass(frozen=True, slots=True)
class ReadSpec:
    """One read request: ``GET`` with query ``params``, or ``POST`` with a JSON body.

    ``signer`` names a key in :attr:`LoadPlan.seeds` to sign the request with (docs/api.md,
    Signed requests); None sends it anonymously.
    """

    method: str
    path: str
    params: tuple[tuple[str, str], ...] = ()
    json_body: dict[str, Any] | None = None
    signer: str | None = None


@dataclass(frozen=True, slots=True)
class Pace:
    """How requests are released.

    Closed loop (``rate`` None): every worker keeps ``concurrency`` requests in flight and
    sends the next one as soon as one answers, for the highest rate the system sustains.
    Open loop: requests leave on a fixed schedule at ``rate`` units per second in total
    (transactions for submissions, requests for reads), whatever the answers do, and
    latency is counted from the scheduled instant, so a backlog shows up as latency instead
    of silently lowering the offered rate; ``concurrency`` then caps each worker's requests
    in flight. ``duration_s`` stops sending after that many seconds (None: when the work is
    done).
    """

    concurrency: int = 4
    rate: float | None = None
    duration_s: float | None = None

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if self.rate is not None and self.rate <= 0:
            raise ValueError("the rate must be positive")
        if self.duration_s is not None and self.duration_s <= 0:
            raise ValueError("the duration must be positive")


@dataclass(frozen=True, slots=True)
class SubmitPlan:
    """Transactions submitted ``batch`` at a time with ``wait=true`` (commit in the answer)."""

    chain_id: str
    apis: tuple[str, ...]
    seeds: dict[str, bytes] = field(repr=False)
    txs: tuple[TxSpec, ...]
    batch: int = 50
    workers: int = 2
    pace: Pace = Pace()
    wait_timeout_s: float = DEFAULT_WAIT_TIMEOUT_S

    def __post_init__(self) -> None:
        _check_common(self.apis, self.workers)
        if self.batch < 1:
            raise ValueError("the batch size must be at least 1")
        unknown = sorted({t.signer for t in self.txs} - set(self.seeds))
        if unknown:
            raise ValueError(f"no key for signer(s) {', '.join(unknown)}")

    def batches(self) -> list[tuple[TxSpec, ...]]:
        return [self.txs[i : i + self.batch] for i in range(0, len(self.txs), self.batch)]


@dataclass(frozen=True, slots=True)
class ReadPlan:
    """Reads sent one request at a time; ``repeat`` cycles through ``reads`` until the
    duration ends (closed loop) or the rate's count is sent (open loop)."""

    chain_id: str
    apis: tuple[str, ...]
    seeds: dict[str, bytes] = field(repr=False)
    reads: tuple[ReadSpec, ...]
    workers: int = 2
    pace: Pace = Pace()
    repeat: bool = False
    timeout_s: float = 10.0

    def __post_init__(self) -> None:
        _check_common(self.apis, self.workers)
        if not self.reads:
            raise ValueError("a read plan needs at least one request")
        if self.repeat and self.pace.duration_s is None:
            raise ValueError("a repeating read plan needs a duration")
        unknown = sorted({r.signer for r in self.reads if r.signer} - set(self.seeds))
        if unknown:
            raise ValueError(f"no key for signer(s) {', '.join(unknown)}")


def _check_common(apis: tuple[str, ...], workers: int) -> None:
    if not apis:
        raise ValueError("name at least one API address")
    if workers < 1:
        raise ValueError("at least one worker process is needed")
