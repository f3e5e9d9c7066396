"""`rxl bench`: measure a running network with the benchmarks of DESIGN.md, Performance.

    rxl network init --dir net --orgs manufacturer,distributor,pharmacy --insecure-dev-keys
    rxl network up --dir net
    rxl bench single-event --network-dir net                  # max committed tx/s
    rxl bench single-event --network-dir net --rate 1500 --duration 20   # latency at a rate
    rxl bench commission --network-dir net --codes 1000000 --per-tx 10000
    rxl bench verify --network-dir net --duration 10
    rxl bench history --network-dir net --codes 100000 --events 10000
    rxl bench catch-up --network-dir net

Every benchmark prepares its own ledger state first (a fresh batch each run), then measures
with pre-signed transactions from ``--workers`` processes. ``--runs N`` repeats it and adds
the median. Progress goes to stderr; ``--json`` prints the result as JSON on stdout.

Exit codes: 0 measured (even with errors: they are part of the result), 2 bad input or an
unusable consortium folder, 3 the network could not be reached or the preparation failed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from bench.consortium import Consortium, load_consortium
from bench.errors import BenchError, ConsortiumUnusable
from bench.options import LoadOptions
from bench.plan import DEFAULT_WAIT_TIMEOUT_S
from bench.report import BenchReport, render
from bench.scenarios import catch_up, commission, history, single_event, verify
from bench.summary import median_of

app = typer.Typer(help="Measure a running network (DESIGN.md, Performance).", no_args_is_help=True)

NetworkDir = Annotated[
    Path,
    typer.Option(
        "--network-dir",
        "-d",
        help="The consortium folder (rxl network init --dir): member keys, chain id, nodes.",
    ),
]
Apis = Annotated[
    list[str] | None,
    typer.Option(
        "--api", help="A node API URL (repeatable); default: every node of --network-dir."
    ),
]
Workers = Annotated[int, typer.Option(min=1, help="Load processes (each its own client).")]
Concurrency = Annotated[int, typer.Option(min=1, help="Requests in flight per worker.")]
Duration = Annotated[
    float | None, typer.Option(min=0.1, help="Seconds to send for (default: until done).")
]
Rate = Annotated[
    float | None,
    typer.Option(min=0.1, help="Open loop: transactions (or requests) per second in total."),
]
WaitTimeout = Annotated[
    float, typer.Option(min=0.1, help="Seconds the node may wait for a commit (wait=true).")
]
Runs = Annotated[int, typer.Option(min=1, help="Repeat the benchmark; adds the median.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def _options(
    network_dir: Path,
    apis: list[str] | None,
    *,
    workers: int,
    batch: int,
    concurrency: int,
    rate: float | None,
    duration: float | None,
    wait_timeout: float,
) -> tuple[Consortium, LoadOptions]:
    consortium = load_consortium(network_dir)
    chosen = tuple(a.rstrip("/") for a in apis) if apis else tuple(consortium.api_urls)
    return consortium, LoadOptions(
        apis=chosen,
        workers=workers,
        batch=batch,
        concurrency=concurrency,
        rate=rate,
        duration_s=duration,
        wait_timeout_s=wait_timeout,
    )


@app.command("single-event")
def single_event_command(
    network_dir: NetworkDir,
    api: Apis = None,
    count: Annotated[
        int | None,
        typer.Option(min=3, help="Transactions (default: rate × duration, else 30,000)."),
    ] = None,
    workers: Workers = 2,
    batch: Annotated[int, typer.Option(min=1, help="Transactions per request.")] = 100,
    concurrency: Concurrency = 4,
    rate: Rate = None,
    duration: Duration = None,
    wait_timeout: WaitTimeout = DEFAULT_WAIT_TIMEOUT_S,
    runs: Runs = 1,
    as_json: AsJson = False,
) -> None:
    """Ship/receive/dispense, one code per transaction: committed tx/s and latency."""
    with _errors():
        consortium, options = _options(
            network_dir,
            api,
            workers=workers,
            batch=batch,
            concurrency=concurrency,
            rate=rate,
            duration=duration,
            wait_timeout=wait_timeout,
        )
        _repeat(runs, as_json, lambda: single_event.run(consortium, options, count=count, say=_say))


@app.command("commission")
def commission_command(
    network_dir: NetworkDir,
    api: Apis = None,
    codes: Annotated[int, typer.Option(min=1, help="Codes to commission.")] = 1_000_000,
    per_tx: Annotated[int, typer.Option(min=1, help="Serials per transaction.")] = 10_000,
    workers: Workers = 2,
    batch: Annotated[int, typer.Option(min=1, help="Transactions per request.")] = 1,
    concurrency: Concurrency = 2,
    rate: Rate = None,
    duration: Duration = None,
    wait_timeout: WaitTimeout = DEFAULT_WAIT_TIMEOUT_S,
    runs: Runs = 1,
    as_json: AsJson = False,
) -> None:
    """Bulk commissioning: codes/s and seconds per million codes."""
    with _errors():
        consortium, options = _options(
            network_dir,
            api,
            workers=workers,
            batch=batch,
            concurrency=concurrency,
            rate=rate,
            duration=duration,
            wait_timeout=wait_timeout,
        )
        _repeat(
            runs,
            as_json,
            lambda: commission.run(consortium, options, codes=codes, per_tx=per_tx, say=_say),
        )


@app.command("verify")
def verify_command(
    network_dir: NetworkDir,
    api: Apis = None,
    codes: Annotated[int, typer.Option(min=1, help="Codes to commission first.")] = 20_000,
    workers: Workers = 2,
    concurrency: Concurrency = 8,
    rate: Rate = None,
    duration: Duration = None,
    runs: Runs = 1,
    as_json: AsJson = False,
) -> None:
    """Public verify (GET /v1/verify): requests/s and latency."""
    with _errors():
        consortium, options = _options(
            network_dir,
            api,
            workers=workers,
            batch=1,
            concurrency=concurrency,
            rate=rate,
            duration=duration,
            wait_timeout=DEFAULT_WAIT_TIMEOUT_S,
        )
        _repeat(runs, as_json, lambda: verify.run(consortium, options, codes=codes, say=_say))


@app.command("history")
def history_command(
    network_dir: NetworkDir,
    api: Apis = None,
    codes: Annotated[int, typer.Option(min=1, help="Codes in the batch.")] = 100_000,
    events: Annotated[
        int, typer.Option(min=0, help="Single-code shipments of the batch's codes.")
    ] = 10_000,
    repeat: Annotated[int, typer.Option(min=1, help="Full batch-history reads.")] = 3,
    workers: Workers = 2,
    batch: Annotated[int, typer.Option(min=1, help="Shipments per request.")] = 100,
    concurrency: Concurrency = 4,
    duration: Duration = None,
    runs: Runs = 1,
    as_json: AsJson = False,
) -> None:
    """Batch history of a large batch (seconds), and single-code history queries."""
    with _errors():
        consortium, options = _options(
            network_dir,
            api,
            workers=workers,
            batch=batch,
            concurrency=concurrency,
            rate=None,
            duration=duration,
            wait_timeout=DEFAULT_WAIT_TIMEOUT_S,
        )
        _repeat(
            runs,
            as_json,
            lambda: history.run(
                consortium, options, codes=codes, events=events, repeat=repeat, say=_say
            ),
        )


@app.command("catch-up")
def catch_up_command(
    network_dir: NetworkDir,
    node: Annotated[
        int | None, typer.Option(help="The follower to stop (default: the first follower).")
    ] = None,
    count: Annotated[
        int, typer.Option(min=3, help="Transactions committed while it is down.")
    ] = 20_000,
    workers: Workers = 2,
    batch: Annotated[int, typer.Option(min=1, help="Transactions per request.")] = 100,
    concurrency: Concurrency = 4,
    wait_timeout: WaitTimeout = DEFAULT_WAIT_TIMEOUT_S,
    runs: Runs = 1,
    as_json: AsJson = False,
) -> None:
    """Stop a follower, commit without it, restart it: catch-up rate vs. commit rate."""
    with _errors():
        consortium, options = _options(
            network_dir,
            None,
            workers=workers,
            batch=batch,
            concurrency=concurrency,
            rate=None,
            duration=None,
            wait_timeout=wait_timeout,
        )
        _repeat(
            runs,
            as_json,
            lambda: catch_up.run(consortium, options, node_id=node, count=count, say=_say),
        )


# --- output -------------------------------------------------------------------------------


def _repeat(runs: int, as_json: bool, once: Callable[[], BenchReport]) -> None:
    reports = []
    for number in range(1, runs + 1):
        if runs > 1:
            _say(f"run {number} of {runs}")
        reports.append(once())
    if as_json:
        document: dict[str, Any] = (
            reports[0].to_json()
            if runs == 1
            else {"runs": [r.to_json() for r in reports], "median": median_of(reports)}
        )
        typer.echo(_dumps(document))
        return
    console = Console()
    for report in reports:
        render(report, console)
    if runs > 1:
        console.print(_median_table(reports))


def _median_table(reports: list[BenchReport]) -> Table:
    table = Table(title=f"median of {len(reports)} runs")
    table.add_column("measure")
    table.add_column("median", justify="right")
    table.add_column("runs", justify="right")
    for name, row in median_of(reports).items():
        table.add_row(name, f"{row['median']:,.1f}", ", ".join(f"{v:,.1f}" for v in row["runs"]))
    return table


def _dumps(document: dict[str, Any]) -> str:
    import json

    return json.dumps(document, indent=2, sort_keys=False)


def _say(message: str) -> None:
    typer.echo(message, err=True)


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except (ConsortiumUnusable, ValueError) as exc:
        _fail(2, str(exc))
    except BenchError as exc:
        _fail(3, str(exc))


def _fail(code: int, message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)
