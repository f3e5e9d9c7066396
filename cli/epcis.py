"""`rxl epcis`: EPCIS 2.0 documents: event hash ids, import and export.

Exit codes: 0 ok, 2 unreadable file, invalid JSON or invalid document (reason on stderr).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from sdk.epcis import EpcisError, document_event_hashes, document_events, validate_document

app = typer.Typer(
    help="EPCIS 2.0 documents: event hash ids, import and export.", no_args_is_help=True
)


def _fail(reason: str) -> typer.Exit:
    typer.echo(f"error: {reason}", err=True)
    return typer.Exit(2)


def _load(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise _fail(f"cannot read {path}: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise _fail(f"{path} is not UTF-8") from error
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise _fail(f"{path} is not JSON: {error.msg} at line {error.lineno}") from error


@app.command("hash")
def hash_command(
    file: Annotated[Path, typer.Argument(help="EPCIS 2.0 JSON(-LD) document.")],
) -> None:
    """Print the CBV 2.0 hash id of every event, one per line, in document order."""
    document = _load(file)
    try:
        hashes = document_event_hashes(document)
    except EpcisError as error:
        raise _fail(error.reason) from error
    for line in hashes:
        typer.echo(line)


@app.command("validate")
def validate_command(
    file: Annotated[Path, typer.Argument(help="EPCIS 2.0 JSON(-LD) document.")],
) -> None:
    """Validate a document against the bundled EPCIS 2.0 JSON Schema (offline)."""
    document = _load(file)
    try:
        validate_document(document)
    except EpcisError as error:
        raise _fail(error.reason) from error
    typer.echo(f"valid EPCIS 2.0 document ({len(document_events(document))} events)")
