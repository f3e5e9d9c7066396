"""`rxl node`: run one node, or ask a running node how it is.

Exit codes: 0 ok, 2 bad configuration or usage, 3 cannot reach the node.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="Run a node, or show a running node's health.", no_args_is_help=True)


@app.command()
def start(
    config: Annotated[
        Path, typer.Option("--config", "-c", help="The node's TOML config (rxl network init).")
    ],
) -> None:
    """Run one node in the foreground until SIGTERM/SIGINT."""
    from node.config import ConfigError
    from node.main import run_node

    try:
        run_node(config)
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc


@app.command()
def status(
    api: Annotated[str, typer.Option(help="The node's API URL.")] = "http://127.0.0.1:7100",
    as_json: Annotated[bool, typer.Option("--json", help="Print the raw JSON.")] = False,
) -> None:
    """Show a running node's role, term, height, leader and peers (GET /health)."""
    try:
        response = httpx.get(f"{api.rstrip('/')}/health", timeout=5.0)
    except httpx.HTTPError as exc:
        typer.echo(f"error: cannot reach {api}: {exc}; is the node running?", err=True)
        raise typer.Exit(3) from exc
    body = response.json()
    if as_json:
        typer.echo(json.dumps(body, indent=2, sort_keys=True))
        return
    table = Table(title=f"node {body.get('node_id')} of {body.get('chain_id')}")
    table.add_column("field")
    table.add_column("value")
    for key in ("role", "leader_id", "term", "height", "applied_index", "commit_index"):
        table.add_row(key, str(body.get(key)))
    table.add_row("fork_alarm", str(body.get("fork_alarm") or "none"))
    for peer in body.get("peers", []):
        table.add_row(
            f"peer {peer.get('node_id')}",
            "connected" if peer.get("connected") else f"down {peer.get('last_error', '')}",
        )
    Console().print(table)
