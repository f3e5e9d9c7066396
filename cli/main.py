"""`rxl`: the command line of rxledger.

Exit codes: 0 ok, 1 rejected by the ledger, 2 bad input or usage, 3 cannot reach a node.
Each command group lives in its own module and is mounted here.
"""

from __future__ import annotations

import typer

from cli import (
    audit,
    bench,
    code,
    coldchain,
    coldchain_ops,
    demo,
    epcis,
    keys,
    network,
    node,
    profile,
    release,
    supplier,
    trace,
    tx,
)

app = typer.Typer(
    name="rxl",
    help="rxledger: a permissioned ledger for drug traceability.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(profile.app, name="profile")
app.add_typer(keys.app, name="keys")
app.add_typer(tx.app, name="tx")
app.add_typer(trace.app, name="trace")
app.add_typer(code.app, name="code")
app.add_typer(supplier.app, name="supplier")
app.add_typer(release.app, name="release")
app.add_typer(audit.app, name="audit")
app.add_typer(epcis.app, name="epcis")
coldchain.app.registered_commands += coldchain_ops.app.registered_commands
app.add_typer(coldchain.app, name="coldchain")
app.add_typer(node.app, name="node")
app.add_typer(network.app, name="network")
app.add_typer(demo.app, name="demo")
app.add_typer(bench.app, name="bench")


def main() -> None:
    """Console entry point (`rxl`)."""
    app()


if __name__ == "__main__":
    main()
