"""`rxl demo`: a local 4-organization network with a realistic supply chain on it.

    rxl demo run                      # init (first time), up, seed, serve until Ctrl-C, down
    rxl demo run --detach             # the same, but leave the nodes running and return
    rxl demo seed --dir .rxl/network  # seed a network that is already up

`run` keeps the nodes in the foreground the way `docker compose up` or a dev server does:
what `make run` starts, Ctrl-C stops, and nothing is left listening on the ports after.
The consortium and its ledgers stay in the folder, so the next `run` starts the same chain
again and finds the demo already seeded.

Exit codes: 0 ok, 1 the ledger refused a step, 2 bad input or usage (a port is busy, the
folder holds another consortium or half a demo), 3 nodes cannot be reached or did not
agree on a leader in time.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Annotated, Any, Final, NoReturn

import typer

from cli.network import PASSPHRASE_ENV, builtin_pins
from network import local
from network.consortium import default_orgs, generate_consortium
from network.demo import DemoNodeError, DemoRefused, SeedReport, catalog, seed
from network.errors import NetworkError, NetworkNotReady
from network.layout import ConsortiumLayout
from network.processes import running_node

app = typer.Typer(
    help="A local 4-organization network seeded with a realistic supply chain.",
    no_args_is_help=True,
)

DEFAULT_DIR: Final = Path(".rxl/network")
PEER_PORT_OFFSET: Final = 100
LIVENESS_S: Final = 2.0
"""How often the foreground `run` looks whether its nodes are still alive."""
STOP_SIGNALS: Final = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

DirOption = Annotated[
    Path, typer.Option("--dir", "-d", help="The consortium folder (created by `run`).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]


@app.command("seed")
def seed_command(directory: DirOption = DEFAULT_DIR, as_json: JsonOption = False) -> None:
    """Seed a running network with the demo (a second time: reports it is already there)."""
    with _errors():
        report = _seed(directory, quiet=as_json)
        urls = local.load_nodes(directory)
    if as_json:
        typer.echo(json.dumps(report_json(report, [n.api_url for n in urls]), indent=2))
        return
    for line in next_steps(report, directory, [n.api_url for n in urls], foreground=False):
        typer.echo(line)


@app.command()
def run(
    directory: DirOption = DEFAULT_DIR,
    base_port: Annotated[
        int, typer.Option(help="First API port of a new consortium (peers from +100).")
    ] = 7100,
    detach: Annotated[
        bool, typer.Option("--detach", help="Leave the nodes running and return.")
    ] = False,
    wait: Annotated[
        float, typer.Option(min=1.0, help="Seconds to wait for the nodes and a leader.")
    ] = 60.0,
) -> None:
    """Create the network (first time), start it, seed the demo, and serve until Ctrl-C."""
    with _errors():
        if not ConsortiumLayout(directory).genesis.exists():
            _init(directory, base_port)
        local.up(directory, wait_s=wait, progress=typer.echo)
        try:
            report = _seed(directory, quiet=False)
            urls = [n.api_url for n in local.load_nodes(directory)]
            for line in next_steps(report, directory, urls, foreground=not detach):
                typer.echo(line)
            if not detach:
                serve_until_stopped(directory, typer.echo)
        finally:
            if not detach:
                typer.echo("stopping the nodes…")
                local.down(directory, grace_s=10.0)
                typer.echo(f"stopped; the ledgers stay in {directory}")


# --- steps ----------------------------------------------------------------------------------


def _init(directory: Path, base_port: int) -> None:
    typer.echo(f"creating a 4-organization consortium in {directory} (insecure dev keys)")
    generate_consortium(
        directory,
        default_orgs(),
        base_api_port=base_port,
        base_peer_port=base_port + PEER_PORT_OFFSET,
        insecure_dev_keys=True,
        contracts=builtin_pins(),
    )


def _seed(directory: Path, *, quiet: bool) -> SeedReport:
    say: Callable[[str], None] = (lambda _m: None) if quiet else (lambda m: typer.echo(f"  {m}"))
    if not quiet:
        typer.echo("seeding the demo:")
    return seed(directory, passphrase=os.environ.get(PASSPHRASE_ENV, ""), progress=say)


def serve_until_stopped(
    directory: Path,
    say: Callable[[str], None],
    stop: threading.Event | None = None,
    *,
    interval_s: float = LIVENESS_S,
) -> None:
    """Block until Ctrl-C, SIGTERM or SIGHUP (or ``stop`` is set), saying once when a node
    stops on its own (looked at every ``interval_s``)."""
    stopping = stop or threading.Event()

    def request_stop(_signum: int, _frame: FrameType | None) -> None:
        stopping.set()

    previous = {s: signal.signal(s, request_stop) for s in STOP_SIGNALS}
    nodes = local.load_nodes(directory)
    gone: set[int] = set()
    try:
        while not stopping.wait(interval_s):
            for node in nodes:
                if node.node_id not in gone and running_node(node.paths.pid) is None:
                    gone.add(node.node_id)
                    say(f"warning: node {node.node_id} ({node.org}) stopped; see {node.paths.log}")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


# --- what to try next -----------------------------------------------------------------------


def next_steps(
    report: SeedReport, directory: Path, api_urls: Sequence[str], *, foreground: bool
) -> list[str]:
    """The summary and the commands a newcomer can paste; the verify commands go to the
    pharmacy's node when there is one (that is where a pharmacy checks a pack)."""
    world = report.world
    rxl = _rxl_command()
    first = api_urls[0]
    pharmacy = api_urls[2] if len(api_urls) > 2 else first
    lines = [""]
    if report.already_seeded:
        lines.append(f"The demo is already on this network (seeded {world.calendar.today}).")
    else:
        lines += _summary(report)
    lines += ["", "Try it:"]
    for title, pack in (
        ("a pack the pharmacy dispensed", world.dispensed_pack),
        (f"a pack of the recalled lot {catalog.LOT_RECALLED}", world.recalled_pack),
    ):
        lines += [
            f"  # {title}: what its 2D code says, then what the ledger says",
            f"  {rxl} code parse '{pack.hri}'",
            f"  curl -s --get {pharmacy}/v1/verify --data-urlencode 'code={pack.hri}' "
            "| python3 -m json.tool",
        ]
    lines += [
        f"  API docs  {first}/docs   (each of the {len(api_urls)} nodes serves one)",
        f"  health    curl -s {first}/health",
        f"  nodes     {rxl} network status --dir {directory}",
        "",
    ]
    if foreground:
        lines.append(
            f"Press Ctrl-C to stop the nodes; the ledgers stay in {directory} for next time."
        )
    else:
        lines.append(f"Stop the nodes with: {rxl} network down --dir {directory}")
    return lines


def _summary(report: SeedReport) -> list[str]:
    world = report.world
    product = catalog.item_product_args()
    shipped, recalled = world.shipped, world.recalled
    lines = [
        f"Seeded the demo: {report.transactions} transactions.",
        f"  supplier     {catalog.SUPPLIER} approved for {catalog.MATERIAL} by the "
        "manufacturer's QA",
        f"  product      {product['trade_name']} ({product['generic_name']}) "
        f"{product['strength']}; pack GTIN {catalog.ITEM_GTIN}, case GTIN {catalog.CASE_GTIN}",
        f"  lot {shipped.lot}  released by the QP; {catalog.PACKS_PER_CASE} packs in a case, "
        f"on pallet SSCC {catalog.PALLET_SSCC}",
        f"               shipped to the distributor at 2-8 °C{_cold_chain(report)}",
        "               one case shipped on to the pharmacy, one pack dispensed",
        f"  lot {recalled.lot}  recalled by the manufacturer; holders notified: "
        f"{', '.join(report.recall_holders) or 'none'}",
    ]
    return lines


def _cold_chain(report: SeedReport) -> str:
    found = report.cold_chain
    if found is None or found.min_centi_c is None or found.max_centi_c is None:
        return ""
    verdict = "an excursion" if found.excursion else "no excursion"
    mkt = f", MKT {found.mkt_c} °C" if found.mkt_c else ""
    return (
        f": logger {catalog.LOGGER}, {found.readings} readings, "
        f"{found.min_centi_c / 100:.2f}-{found.max_centi_c / 100:.2f} °C{mkt}, {verdict}"
    )


def report_json(report: SeedReport, api_urls: Sequence[str]) -> dict[str, Any]:
    world = report.world
    cold = report.cold_chain
    return {
        "already_seeded": report.already_seeded,
        "transactions": report.transactions,
        "dispensed": {"key": world.dispensed_pack.key, "hri": world.dispensed_pack.hri},
        "recalled": {"key": world.recalled_pack.key, "hri": world.recalled_pack.hri},
        "lots": {"shipped": world.shipped.lot, "recalled": world.recalled.lot},
        "case": world.shipped.case.key,
        "pallet": world.pallet,
        "leg": catalog.LEG,
        "recall_holders": list(report.recall_holders),
        "cold_chain": None
        if cold is None
        else {
            "readings": cold.readings,
            "min_centi_c": cold.min_centi_c,
            "max_centi_c": cold.max_centi_c,
            "mkt_c": cold.mkt_c,
            "excursion": cold.excursion,
        },
        "api_urls": list(api_urls),
    }


def _rxl_command() -> str:
    """`rxl` when it is on PATH, else how this process was started (`.venv/bin/rxl`)."""
    if shutil.which("rxl") is not None:
        return "rxl"
    started = Path(sys.argv[0])
    return str(started) if started.name == "rxl" else "rxl"


# --- errors ---------------------------------------------------------------------------------


@contextmanager
def _errors() -> Iterator[None]:
    """Map errors to one line on stderr and the documented exit code."""
    try:
        yield
    except DemoRefused as exc:
        _fail(1, str(exc))
    except NetworkNotReady as exc:
        if exc.details:
            typer.echo(exc.details, err=True)
        _fail(3, str(exc))
    except DemoNodeError as exc:
        _fail(3, str(exc))
    except (NetworkError, ValueError) as exc:
        _fail(2, str(exc))


def _fail(code: int, message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)
