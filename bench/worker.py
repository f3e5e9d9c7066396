"""One load process: sign its share, wait for the start signal, send, report what it saw.

Each worker owns ONE ``httpx.AsyncClient`` (one shared client collapses under concurrency,
encode/httpx#3215, hence processes). Transactions are signed and batch bodies encoded
before the worker reports ready, so the measured window holds only HTTP and the network's
work. Latency of a submitted transaction is submit→commit: from the instant its batch was
due (open loop) or sent (closed loop) to the ``wait=true`` answer that reports it
committed.
"""

from __future__ import annotations

import asyncio
import itertools
import time
import traceback
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from typing import Any, Final, TypeVar

import httpx

from bench.auth import RequestSigner
from bench.plan import Pace, ReadPlan, ReadSpec, SubmitPlan, TxSpec
from sdk.encoding import encode
from sdk.keys import SigningKey
from sdk.tx import build

START_TIMEOUT_S: Final = 900.0
"""How long a ready worker waits for the start signal before giving up."""
NOT_COMMITTED: Final = "bench.not_committed"
"""Accepted, but still pending when the node's wait ran out."""
MSGPACK: Final = "application/msgpack"
CLIENT_SLACK_S: Final = 15.0
"""The client waits this much longer than the node's commit wait before giving up."""

T = TypeVar("T")


@dataclass(slots=True)
class Outcome:
    """What one worker saw. ``codes`` counts every transaction (or request) by its final
    code, ``ok`` included; ``latencies_s`` holds one entry per committed transaction (or
    successful request)."""

    index: int
    sent: int = 0
    committed: int = 0
    ok: int = 0
    units_ok: int = 0
    elapsed_s: float = 0.0
    cpu_s: float = 0.0
    """CPU seconds this worker used in the measured window."""
    latencies_s: list[float] = field(default_factory=list)
    codes: Counter[str] = field(default_factory=Counter)
    messages: dict[str, str] = field(default_factory=dict)
    crash: str | None = None

    def count(self, code: str, message: str = "") -> None:
        self.codes[code] += 1
        if code != "ok" and code not in self.messages:
            self.messages[code] = message[:300]


@dataclass(frozen=True, slots=True)
class SubmitJob:
    index: int
    plan: SubmitPlan
    batches: tuple[tuple[int, tuple[TxSpec, ...]], ...]
    """(global batch number, transactions): the number fixes the open-loop schedule."""


@dataclass(frozen=True, slots=True)
class ReadJob:
    index: int
    plan: ReadPlan


Job = SubmitJob | ReadJob


def main(job: Job, ready: Queue[int], go: Event, results: Queue[Outcome]) -> None:
    """Process entry point: always puts exactly one Outcome on ``results``."""
    try:
        if isinstance(job, SubmitJob):
            outcome = _run_submits(job, ready, go)
        else:
            outcome = asyncio.run(_run_reads(job, ready, go))
    except Exception:  # noqa: BLE001 - any crash must reach the parent as an Outcome
        outcome = Outcome(job.index, crash=traceback.format_exc())
        ready.put(job.index)
    results.put(outcome)


# --- submissions --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Prepared:
    number: int
    body: bytes
    units: tuple[int, ...]


def sign_batch(chain_id: str, keys: dict[str, SigningKey], specs: tuple[TxSpec, ...]) -> bytes:
    """The msgpack body (array of signed transactions' wire bytes) of one submission."""
    wires = [
        build(chain_id, s.contract, s.function, s.args, keys[s.signer].key_id)
        .sign(keys[s.signer])
        .to_wire()
        for s in specs
    ]
    return encode(wires)


def _run_submits(job: SubmitJob, ready: Queue[int], go: Event) -> Outcome:
    plan = job.plan
    keys = {name: SigningKey.from_seed(seed) for name, seed in plan.seeds.items()}
    prepared = [
        _Prepared(number, sign_batch(plan.chain_id, keys, specs), tuple(s.units for s in specs))
        for number, specs in job.batches
    ]
    return asyncio.run(_submit_all(job, prepared, ready, go))


async def _submit_all(
    job: SubmitJob, prepared: list[_Prepared], ready: Queue[int], go: Event
) -> Outcome:
    plan = job.plan
    outcome = Outcome(job.index)
    limits = httpx.Limits(max_connections=plan.pace.concurrency, max_keepalive_connections=None)
    timeout = httpx.Timeout(plan.wait_timeout_s + CLIENT_SLACK_S)
    async with httpx.AsyncClient(limits=limits, timeout=timeout) as client:
        await _warm_up(client, plan.apis)
        start = _wait_for_start(ready, go, job.index)
        cpu_start = time.process_time()
        apis = _rotation(plan.apis, job.index)
        per_tx = plan.batch

        async def send(item: _Prepared, due: float) -> None:
            url = f"{next(apis)}/v1/transactions"
            params = {"wait": "true", "timeout": str(plan.wait_timeout_s)}
            headers = {"content-type": MSGPACK}
            try:
                response = await client.post(url, params=params, content=item.body, headers=headers)
            except httpx.HTTPError as exc:
                for _ in item.units:
                    outcome.count(f"client.{type(exc).__name__}", str(exc))
                outcome.sent += len(item.units)
                return
            done = time.perf_counter()
            _record_submission(outcome, item.units, response, done - due)

        await _drive(
            plan.pace,
            start,
            [(p.number * per_tx, p) for p in prepared],
            send,
        )
        outcome.elapsed_s = time.perf_counter() - start
        outcome.cpu_s = time.process_time() - cpu_start
    return outcome


def _record_submission(
    outcome: Outcome, units: tuple[int, ...], response: httpx.Response, latency_s: float
) -> None:
    outcome.sent += len(units)
    for unit, (code, committed, message) in zip(
        units, submission_codes(response, len(units)), strict=True
    ):
        outcome.count(code, message)
        if committed:
            outcome.committed += 1
            outcome.latencies_s.append(latency_s)
        if code == "ok":
            outcome.ok += 1
            outcome.units_ok += unit


def submission_codes(response: httpx.Response, count: int) -> list[tuple[str, bool, str]]:
    """(code, committed, message) of each submitted transaction, in request order."""
    try:
        body: Any = response.json()
    except ValueError:
        return [(f"http.{response.status_code}", False, response.text[:200])] * count
    results = body.get("results") if isinstance(body, dict) else None
    if isinstance(results, list) and len(results) == count:
        return [_item_code(item) for item in results]
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return [(str(error.get("code")), False, str(error.get("message", "")))] * count
    return [(f"http.{response.status_code}", False, str(body)[:200])] * count


def _item_code(item: Any) -> tuple[str, bool, str]:
    if not isinstance(item, dict):
        return ("bench.bad_answer", False, repr(item)[:200])
    if not item.get("accepted"):
        error = item.get("error") or {}
        return (str(error.get("code")), False, str(error.get("message", "")))
    receipt = item.get("receipt") or {}
    if receipt.get("state") != "committed":
        return (NOT_COMMITTED, False, f"receipt state {receipt.get('state')!r} after the wait")
    return (str(receipt.get("code")), True, str(receipt.get("message", "")))


# --- reads --------------------------------------------------------------------------------


async def _run_reads(job: ReadJob, ready: Queue[int], go: Event) -> Outcome:
    plan = job.plan
    outcome = Outcome(job.index)
    signers = {
        name: RequestSigner(SigningKey.from_seed(seed), chain_id=plan.chain_id)
        for name, seed in plan.seeds.items()
    }
    limits = httpx.Limits(max_connections=plan.pace.concurrency, max_keepalive_connections=None)
    async with httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(plan.timeout_s)) as client:
        await _warm_up(client, plan.apis)
        start = _wait_for_start(ready, go, job.index)
        cpu_start = time.process_time()
        apis = _rotation(plan.apis, job.index)

        async def send(spec: ReadSpec, due: float) -> None:
            auth = signers[spec.signer] if spec.signer else None
            url = f"{next(apis)}{spec.path}"
            outcome.sent += 1
            try:
                response = await client.request(
                    spec.method,
                    url,
                    params=spec.params,
                    json=spec.json_body,
                    auth=auth if auth is not None else httpx.USE_CLIENT_DEFAULT,
                )
            except httpx.HTTPError as exc:
                outcome.count(f"client.{type(exc).__name__}", str(exc))
                return
            latency = time.perf_counter() - due
            if response.status_code == 200:
                outcome.count("ok")
                outcome.ok += 1
                outcome.units_ok += 1
                outcome.latencies_s.append(latency)
                return
            code, message = _error_of(response)
            outcome.count(code, message)

        await _drive(plan.pace, start, _read_schedule(job), send)
        outcome.elapsed_s = time.perf_counter() - start
        outcome.cpu_s = time.process_time() - cpu_start
    return outcome


def _read_schedule(job: ReadJob) -> Iterator[tuple[int, ReadSpec]]:
    """(global request number, request) for this worker: every ``workers``-th number."""
    plan = job.plan
    reads = plan.reads
    if not plan.repeat:
        return ((n, reads[n]) for n in range(job.index, len(reads), plan.workers))
    if plan.pace.rate is not None and plan.pace.duration_s is not None:
        total = int(plan.pace.rate * plan.pace.duration_s)
        return ((n, reads[n % len(reads)]) for n in range(job.index, total, plan.workers))
    return ((n, reads[n % len(reads)]) for n in itertools.count(job.index, plan.workers))


def _error_of(response: httpx.Response) -> tuple[str, str]:
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        error = None
    if isinstance(error, dict):
        return str(error.get("code")), str(error.get("message", ""))
    return f"http.{response.status_code}", response.text[:200]


# --- pacing -------------------------------------------------------------------------------


async def _drive(
    pace: Pace,
    start: float,
    items: Iterable[tuple[int, T]],
    send: Callable[[T, float], Awaitable[None]],
) -> None:
    """Send every ``(number, item)``: closed loop with ``concurrency`` in flight, or open
    loop with item ``number`` due at ``start + number / rate``."""
    deadline = None if pace.duration_s is None else start + pace.duration_s
    iterator = iter(items)
    if pace.rate is None:

        async def loop() -> None:
            for _number, item in iterator:
                now = time.perf_counter()
                if deadline is not None and now >= deadline:
                    return
                await send(item, now)

        await asyncio.gather(*(loop() for _ in range(pace.concurrency)))
        return
    in_flight = asyncio.Semaphore(pace.concurrency)
    tasks: set[asyncio.Task[None]] = set()

    async def paced(item: T, due: float) -> None:
        async with in_flight:
            await send(item, due)

    for number, item in iterator:
        due = start + number / pace.rate
        if deadline is not None and due >= deadline:
            break
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(paced(item, due))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.gather(*tasks)


def _rotation(apis: tuple[str, ...], index: int) -> Iterator[str]:
    """The APIs round-robin, each worker starting at a different one."""
    first = index % len(apis)
    return itertools.cycle(apis[first:] + apis[:first])


async def _warm_up(client: httpx.AsyncClient, apis: tuple[str, ...]) -> None:
    """One request per node, so connection set-up is not in the measured window."""
    for api in apis:
        try:
            await client.get(f"{api}/health")
        except httpx.HTTPError:
            continue  # reported by the measured requests themselves


def _wait_for_start(ready: Queue[int], go: Event, index: int) -> float:
    ready.put(index)
    if not go.wait(START_TIMEOUT_S):
        raise TimeoutError("no start signal from the benchmark process")
    return time.perf_counter()
