"""`rxl code`: Parse, convert and render product codes (GS1, China 20-digit, proprietary)."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Parse, convert and render product codes (GS1, China 20-digit, proprietary).",
    no_args_is_help=True,
)
