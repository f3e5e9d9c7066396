"""`rxl network`: generate a consortium and run it as local node processes.

    rxl network init --dir net --insecure-dev-keys     # 4 orgs, one node each, demo members
    rxl network up --dir net                           # start, wait for a leader, show a table
    rxl network status --dir net
    rxl network down --dir net
    rxl network wipe --dir net --yes                   # delete ledgers and logs, keep keys

Exit codes: 0 ok, 2 bad input or usage (also: a port is busy, the folder is taken, nodes must
be stopped first), 3 nodes cannot be reached or did not agree on a leader in time.

Key files: without ``--insecure-dev-keys`` every CA and member key file is encrypted under
a passphrase read from ``$RXL_KEY_PASSPHRASE`` (``--passphrase-env`` names another variable)
or asked for. ``--insecure-dev-keys`` encrypts them under the empty passphrase with the
cheapest KDF: anyone who can read the folder can sign as its members. Use it only for
throw-away networks on your own machine (demos, tests).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Final, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from network import local
from network.consortium import (
    Consortium,
    PinnedContract,
    default_orgs,
    generate_consortium,
    parse_orgs,
)
from network.docker.commands import app as docker_app
from network.errors import (
    BadOrgSpec,
    ConsortiumExists,
    MaterialMissing,
    NetworkError,
    NetworkNotReady,
    NodesRunning,
    PortBusy,
)
from network.probe import NodeHealth

app = typer.Typer(
    help="Generate a consortium and run its nodes as local processes.", no_args_is_help=True
)
app.add_typer(
    docker_app,
    name="docker",
    help="The 4-org test network in docker (build, up, status, logs, down, wipe).",
)

DEFAULT_ORGS: Final = ",".join(o.name for o in default_orgs())
PASSPHRASE_ENV: Final = "RXL_KEY_PASSPHRASE"
PEER_PORT_OFFSET: Final = 100
USAGE_ERRORS: Final = (
    BadOrgSpec,
    ConsortiumExists,
    MaterialMissing,
    NodesRunning,
    PortBusy,
    ValueError,
)

DirOption = Annotated[
    Path, typer.Option("--dir", "-d", help="The consortium folder (rxl network init --dir).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]


def builtin_pins() -> list[PinnedContract]:
    """Every built-in contract, pinned by its version and the hash of its code."""
    from chaincode.contracts import builtin_contracts
    from chaincode.registry import code_hash

    return [PinnedContract(c.name, c.version, code_hash(type(c))) for c in builtin_contracts()]


# --- init ---------------------------------------------------------------------------------


@app.command()
def init(
    directory: DirOption,
    orgs: Annotated[
        str,
        typer.Option(
            help="Comma-separated org ids: presets (manufacturer, distributor, logistics, "
            "pharmacy, hospital, regulator, supplier) or id:role+role for your own."
        ),
    ] = DEFAULT_ORGS,
    chain_id: Annotated[str | None, typer.Option(help="Chain id (default rxledger-dev).")] = None,
    base_port: Annotated[
        int,
        typer.Option(help="First API port; API ports count up from it, peer ports from +100."),
    ] = 7100,
    host: Annotated[str, typer.Option(help="Address the nodes listen on.")] = "127.0.0.1",
    insecure_dev_keys: Annotated[
        bool,
        typer.Option(
            "--insecure-dev-keys",
            help="Key files under an empty passphrase and a cheap KDF: demos and tests only.",
        ),
    ] = False,
    passphrase_env: Annotated[
        str, typer.Option(help="Environment variable holding the key files' passphrase.")
    ] = PASSPHRASE_ENV,
    force: Annotated[
        bool, typer.Option("--force", help="Replace a consortium already in --dir.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Generate org CAs, node and member keys and certificates, node configs and genesis."""
    with _errors():
        specs = parse_orgs(orgs)
        passphrase = None if insecure_dev_keys else _passphrase(passphrase_env)
        consortium = generate_consortium(
            directory,
            specs,
            chain_id=chain_id,
            listen_host=host,
            base_api_port=base_port,
            base_peer_port=base_port + max(PEER_PORT_OFFSET, len(specs)),
            passphrase=passphrase,
            insecure_dev_keys=insecure_dev_keys,
            contracts=builtin_pins(),
            force=force,
        )
        genesis_hash = _check_as_node_would(consortium)
    if as_json:
        typer.echo(json.dumps(_init_json(consortium, genesis_hash), indent=2, sort_keys=True))
        return
    _print_init(consortium, genesis_hash)


def _passphrase(variable: str) -> str:
    value = os.environ.get(variable)
    if value:
        return value
    try:
        entered: str = typer.prompt(
            "Passphrase for the new key files", hide_input=True, confirmation_prompt=True
        )
    except typer.Abort:
        _fail(2, f"no passphrase: set ${variable}, or pass --insecure-dev-keys for a demo network")
    return entered


def _check_as_node_would(consortium: Consortium) -> str:
    """Load what was written the way a node will, so a bad consortium fails now, not at
    `up`. Returns the genesis hash."""
    from chaincode.contracts.config.genesis import config_genesis_state
    from chaincode.contracts.msp.errors import GenesisError
    from chaincode.contracts.msp.genesis import genesis_state
    from node.config import ConfigError, load_config
    from node.genesis import load_genesis

    try:
        genesis = load_genesis(consortium.genesis)
        genesis_state(genesis)
        config_genesis_state(genesis)
        for node in consortium.nodes:
            load_config(node.config)
    except (ConfigError, GenesisError) as exc:
        _fail(2, f"the generated consortium would not start ({exc}); please report this bug")
    return genesis.hash()


def _init_json(consortium: Consortium, genesis_hash: str) -> dict[str, Any]:
    return {
        "directory": str(consortium.directory),
        "chain_id": consortium.chain_id,
        "genesis": str(consortium.genesis),
        "genesis_hash": genesis_hash,
        "insecure_dev_keys": consortium.insecure_dev_keys,
        "nodes": [
            {
                "node_id": n.node_id,
                "org": n.org,
                "host": n.host,
                "api_port": n.api_port,
                "peer_port": n.peer_port,
                "config": str(n.config),
            }
            for n in consortium.nodes
        ],
        "members": [
            {
                "org": m.org,
                "name": m.name,
                "roles": sorted(r.value for r in m.roles),
                "key_id": m.key_id,
                "key_file": str(m.key_file),
                "cert_file": str(m.cert_file),
            }
            for m in consortium.members
        ],
    }


def _print_init(consortium: Consortium, genesis_hash: str) -> None:
    console = Console()
    nodes = Table(title=f"chain {consortium.chain_id}, genesis {genesis_hash[:16]}…")
    for column in ("node", "org", "API", "peer", "config"):
        nodes.add_column(column)
    for n in consortium.nodes:
        nodes.add_row(
            str(n.node_id),
            n.org,
            f"{n.listen_host}:{n.api_port}",
            f"{n.host}:{n.peer_port}",
            _relative(n.config, consortium.directory),
        )
    console.print(nodes)
    members = Table(title="members enrolled at genesis")
    for column in ("org", "member", "roles", "key id", "key file"):
        members.add_column(column)
    for m in consortium.members:
        roles = ", ".join(sorted(r.value for r in m.roles))
        members.add_row(
            m.org, m.name, roles, m.key_id[:16] + "…", _relative(m.key_file, consortium.directory)
        )
    console.print(members)
    if consortium.insecure_dev_keys:
        typer.echo(
            "warning: insecure dev keys (empty passphrase): never use this consortium for "
            "real data",
            err=True,
        )
    typer.echo(f"next: rxl network up --dir {consortium.directory}")


# --- up, status, down, wipe ---------------------------------------------------------------


@app.command()
def up(
    directory: DirOption,
    wait: Annotated[
        float, typer.Option(min=1.0, help="Seconds to wait for every node and a leader.")
    ] = 60.0,
    as_json: JsonOption = False,
) -> None:
    """Start every node as a background process and wait until they agree on a leader."""
    with _errors():
        statuses = local.up(
            directory, wait_s=wait, progress=None if as_json else lambda m: typer.echo(m)
        )
    _print_statuses(statuses, as_json=as_json)


@app.command()
def status(directory: DirOption, as_json: JsonOption = False) -> None:
    """Each node's process and health: role, term, height, leader. Exit 3 if one is down."""
    with _errors():
        statuses = local.status(directory)
    _print_statuses(statuses, as_json=as_json)
    if not all(isinstance(s.health, NodeHealth) for s in statuses):
        raise typer.Exit(3)


@app.command()
def down(
    directory: DirOption,
    grace: Annotated[
        float, typer.Option(min=0.0, help="Seconds between SIGTERM and SIGKILL.")
    ] = 10.0,
    as_json: JsonOption = False,
) -> None:
    """Stop every node: SIGTERM, then SIGKILL after the grace period."""
    with _errors():
        results = local.down(directory, grace_s=grace)
    rows = [
        {"node_id": r.node.node_id, "org": r.node.org, "pid": r.pid, "outcome": r.outcome}
        for r in results
    ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
    else:
        table = Table(title=f"rxl network down {directory}")
        for column in ("node", "org", "pid", "outcome"):
            table.add_column(column)
        for row in rows:
            table.add_row(
                str(row["node_id"]), str(row["org"]), _dash(row["pid"]), str(row["outcome"])
            )
        Console().print(table)
    if any(r.outcome == "still running" for r in results):
        _fail(2, "a node survived SIGKILL (stuck in the kernel?); check it with `ps`")


@app.command()
def wipe(
    directory: DirOption,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Stop the nodes and delete their ledgers and logs (keys and genesis stay)."""
    if not yes and not typer.confirm(f"Delete every ledger and log under {directory}?"):
        _fail(2, "nothing wiped; pass --yes to wipe without asking")
    with _errors():
        removed = local.wipe(directory)
    for path in removed:
        typer.echo(f"removed {path}")
    typer.echo(f"next: rxl network up --dir {directory} starts the chain again from genesis")


def _print_statuses(statuses: Sequence[local.NodeStatus], *, as_json: bool) -> None:
    rows = [_status_row(s) for s in statuses]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title="rxledger local network")
    columns = ("org", "node", "pid", "role", "term", "height", "leader", "api", "state")
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(
            row["org"],
            str(row["node_id"]),
            "-" if row["pid"] is None else str(row["pid"]),
            row["role"] or "-",
            _dash(row["term"]),
            _dash(row["height"]),
            _dash(row["leader_id"]),
            row["api"],
            row["state"],
        )
    Console().print(table)


def _status_row(s: local.NodeStatus) -> dict[str, Any]:
    health = s.health
    reachable = isinstance(health, NodeHealth)
    if isinstance(health, NodeHealth):
        state = "healthy" if health.healthy else (health.error or "unhealthy")
    else:
        state = f"unreachable: {health.reason}" if s.pid is not None else "not running"
    return {
        "org": s.node.org,
        "node_id": s.node.node_id,
        "pid": s.pid,
        "api": s.node.api_url,
        "reachable": reachable,
        "healthy": isinstance(health, NodeHealth) and health.healthy,
        "role": health.role if isinstance(health, NodeHealth) else None,
        "term": health.term if isinstance(health, NodeHealth) else None,
        "height": health.height if isinstance(health, NodeHealth) else None,
        "leader_id": health.leader_id if isinstance(health, NodeHealth) else None,
        "state": state,
    }


def _relative(path: Path, directory: Path) -> str:
    return str(path.relative_to(directory)) if path.is_relative_to(directory) else str(path)


def _dash(value: object) -> str:
    return "-" if value is None else str(value)


@contextmanager
def _errors() -> Iterator[None]:
    """Map network errors to one line on stderr and the documented exit code."""
    try:
        yield
    except NetworkNotReady as exc:
        if exc.details:
            typer.echo(exc.details, err=True)
        _fail(3, str(exc))
    except USAGE_ERRORS as exc:
        _fail(2, str(exc))
    except NetworkError as exc:
        _fail(2, str(exc))


def _fail(code: int, message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)
