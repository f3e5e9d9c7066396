"""The load engine end to end: real worker processes, a real HTTP server, the fake ledger.

Nothing here measures time: the assertions are about counts, codes and that every
transaction or request is accounted for exactly once.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.engine import run_reads, run_submits
from bench.errors import WorkerFailed
from bench.plan import Pace, ReadPlan, ReadSpec, SubmitPlan, TxSpec
from sdk.roles import Role
from tests.bench.api_server import serve
from tests.node.api.fake import FakeLedger
from tests.node.api.members import MAH, STRANGER, Member

FOREVER_MS = 2**62
READER = Member(
    "bench-reader", "ema", frozenset({Role.REGULATOR}), not_before_ms=0, not_after_ms=FOREVER_MS
)
"""A regulator whose certificate is valid at the real wall clock (the workers sign with it)."""


@pytest.fixture
def ledger() -> FakeLedger:
    fake = FakeLedger()
    fake.identities[READER.key_id] = READER.identity()
    return fake


@pytest.fixture
def api(ledger: FakeLedger) -> Iterator[str]:
    with serve(ledger) as url:
        yield url


def _puts(count: int, signer: str = "mah") -> tuple[TxSpec, ...]:
    return tuple(
        TxSpec(signer, "registry", "put", {"key": f"k{i}", "value": i}, units=2)
        for i in range(count)
    )


def _submit_plan(api: str, txs: tuple[TxSpec, ...], **changes: object) -> SubmitPlan:
    fields: dict[str, object] = {
        "chain_id": "rx-test",
        "apis": (api,),
        "seeds": {"mah": MAH.key.seed, "stranger": STRANGER.key.seed},
        "txs": txs,
        "batch": 5,
        "workers": 2,
        "pace": Pace(concurrency=2),
        "wait_timeout_s": 5.0,
    }
    fields.update(changes)
    return SubmitPlan(**fields)  # type: ignore[arg-type]


def test_closed_loop_commits_every_transaction_once(api: str, ledger: FakeLedger) -> None:
    result = run_submits(_submit_plan(api, _puts(40)))
    assert (result.sent, result.committed, result.ok, result.units_ok) == (40, 40, 40, 80)
    assert result.errors == {}
    assert result.latency is not None
    assert result.latency.count == 40
    assert result.kind == "transactions"
    committed = {entry.value for (_, _), versions in ledger.versions.items() for entry in versions}
    assert committed == set(range(40))


def test_refused_transactions_are_counted_by_their_code(api: str) -> None:
    txs = (*_puts(6), *_puts(4, signer="stranger"))
    result = run_submits(_submit_plan(api, txs, batch=10, workers=1))
    assert (result.sent, result.ok) == (10, 6)
    assert result.errors == {"signer.unknown": 4}
    assert result.messages["signer.unknown"] == "signer not enrolled"


def test_open_loop_sends_the_whole_schedule(api: str) -> None:
    plan = _submit_plan(api, _puts(30), batch=3, pace=Pace(concurrency=4, rate=600.0))
    result = run_submits(plan)
    assert (result.sent, result.ok) == (30, 30)


def test_a_node_without_leader_fails_every_transaction_of_the_request(
    api: str, ledger: FakeLedger
) -> None:
    ledger.leader_id = None
    result = run_submits(_submit_plan(api, _puts(10)))
    assert result.ok == 0
    assert result.errors == {"node.no_leader": 10}
    assert result.latency is None


def test_an_unreachable_api_is_a_client_error_not_a_crash() -> None:
    with serve(FakeLedger()) as url:
        closed = url
    result = run_submits(_submit_plan(closed, _puts(4), workers=1))
    assert result.ok == 0
    assert sum(result.errors.values()) == 4
    assert all(code.startswith("client.") for code in result.errors)


def test_a_worker_crash_is_reported(api: str) -> None:
    plan = _submit_plan(api, _puts(4), seeds={"mah": b"short seed"})
    with pytest.raises(WorkerFailed, match="crashed"):
        run_submits(plan)


def test_reads_count_answers_and_refusals(api: str) -> None:
    reads = (
        ReadSpec("GET", "/v1/verify", params=(("code", "sgtin:09501101530003.S1"),)),
        ReadSpec("POST", "/v1/query/registry/count", json_body={"args": {}}, signer="reader"),
        ReadSpec("POST", "/v1/query/registry/count", json_body={"args": {}}, signer="stranger"),
    )
    plan = ReadPlan(
        chain_id="rx-test",
        apis=(api,),
        seeds={"reader": READER.key.seed, "stranger": STRANGER.key.seed},
        reads=reads * 4,
        workers=2,
        pace=Pace(concurrency=2),
    )
    result = run_reads(plan)
    assert (result.kind, result.sent, result.ok) == ("requests", 12, 8)
    assert result.errors == {"auth.unknown_key": 4}


def test_repeated_reads_run_until_the_duration_ends(api: str) -> None:
    reads = (ReadSpec("GET", "/v1/verify", params=(("code", "sgtin:09501101530003.S1"),)),)
    plan = ReadPlan(
        chain_id="rx-test",
        apis=(api,),
        seeds={},
        reads=reads,
        workers=1,
        pace=Pace(concurrency=2, duration_s=0.3),
        repeat=True,
    )
    result = run_reads(plan)
    assert result.sent > len(reads)
    assert result.ok == result.sent
