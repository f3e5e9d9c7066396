"""`rxl epcis`: EPCIS 2.0 documents: event hash ids, import and export."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="EPCIS 2.0 documents: event hash ids, import and export.", no_args_is_help=True
)
