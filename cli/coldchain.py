"""`rxl coldchain`: Cold-chain tools: mean kinetic temperature and excursion statistics."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Cold-chain tools: mean kinetic temperature and excursion statistics.",
    no_args_is_help=True,
)
