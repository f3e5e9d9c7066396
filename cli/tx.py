"""`rxl tx`: invoke or query any contract function with JSON arguments, read receipts.

    rxl tx invoke trace dispense --args '{"code": "(01)09501101530003(21)S1"}' --wait
    rxl tx query trace verify --args @args.json --json
    rxl tx receipt 5f0c…

Exit codes: 0 ok, 1 rejected by the ledger (its code printed), 2 bad input, 3 no node
reachable or no commit confirmed within --timeout.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cli.context import (
    CliError,
    JsonOption,
    ProfileOption,
    client_for,
    emit_json,
    format_time_ms,
    print_fields,
    read_json_argument,
    run_command,
    success,
)
from sdk.client import Committed, Receipt

app = typer.Typer(
    help="Any contract function: invoke (a transaction), query (read-only), receipts.",
    no_args_is_help=True,
)

ArgsOption = Annotated[
    str,
    typer.Option(
        "--args", "-a", help="Arguments as a JSON object, @FILE, or - for standard input."
    ),
]
ContractArgument = Annotated[str, typer.Argument(help="Contract name, e.g. trace.")]
FunctionArgument = Annotated[str, typer.Argument(help="Function name, e.g. dispense.")]


def _object_args(text: str) -> dict[str, Any]:
    value = read_json_argument(text)
    if not isinstance(value, dict):
        raise CliError(
            f"--args must be a JSON object of named arguments, got {type(value).__name__}"
        )
    return value


def _committed_fields(committed: Committed) -> dict[str, Any]:
    return {
        "state": "committed",
        "tx_id": committed.tx_id,
        "height": committed.height,
        "index": committed.index,
        "block_hash": committed.block_hash,
        "block_time": format_time_ms(committed.block_time_ms),
        "result": committed.result,
    }


def _receipt_fields(receipt: Receipt) -> dict[str, Any]:
    return {
        "state": receipt.state.value,
        "tx_id": receipt.tx_id,
        "code": receipt.code,
        "message": receipt.message,
        "height": receipt.height,
        "index": receipt.index,
        "block_hash": receipt.block_hash,
        "block_time": None
        if receipt.block_time_ms is None
        else format_time_ms(receipt.block_time_ms),
        "result": receipt.result,
    }


@app.command("invoke")
def invoke_command(
    contract: ContractArgument,
    function: FunctionArgument,
    args: ArgsOption = "{}",
    wait: Annotated[
        bool, typer.Option("--wait/--no-wait", help="Wait until committed (default: wait).")
    ] = True,
    timeout: Annotated[float, typer.Option(min=0.1, help="Seconds to wait for the commit.")] = 30.0,
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Sign and submit a transaction; with --wait print its committed result."""
    with run_command(json_output=json_output):
        arguments = _object_args(args)
        with client_for(profile, commit_timeout=timeout) as client:
            tx = client.build(contract, function, arguments)
            if wait:
                fields = _committed_fields(client.submit_and_wait(tx))
            else:
                fields = _receipt_fields(client.submit(tx))
        if json_output:
            emit_json(fields)
            return
        if fields["state"] == "committed":
            success(f"{contract}.{function} committed in block {fields['height']}")
        else:
            success(
                f"{contract}.{function} accepted, not yet committed: "
                f"`rxl tx receipt {fields['tx_id']}` tells its outcome"
            )
        print_fields(fields)


@app.command("query")
def query_command(
    contract: ContractArgument,
    function: FunctionArgument,
    args: ArgsOption = "{}",
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Run a read-only contract function and print its answer (always JSON)."""
    with run_command(json_output=json_output):
        arguments = _object_args(args)
        with client_for(profile) as client:
            answer = client.query(contract, function, arguments)
        emit_json(answer)


@app.command("receipt")
def receipt_command(
    tx_id: Annotated[str, typer.Argument(help="Transaction id, 64 hex digits.")],
    wait: Annotated[
        bool, typer.Option("--wait", help="Wait for the commit; a rejection exits 1.")
    ] = False,
    timeout: Annotated[float, typer.Option(min=0.1, help="Seconds to wait with --wait.")] = 30.0,
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Print a transaction's receipt: pending, or committed with its code and result."""
    with run_command(json_output=json_output):
        if len(tx_id) != 64 or any(c not in "0123456789abcdefABCDEF" for c in tx_id):
            raise CliError(f"{tx_id!r} is not a transaction id (64 hex digits)")
        with client_for(profile) as client:
            if wait:
                fields = _committed_fields(client.wait(tx_id.lower(), timeout=timeout))
            else:
                fields = _receipt_fields(client.receipt(tx_id.lower()))
        if json_output:
            emit_json(fields)
        else:
            print_fields(fields, title=f"transaction {tx_id.lower()}")
