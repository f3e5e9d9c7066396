"""Submit a transaction so that a crash or a timeout can never lose it or run it twice.

The signed bytes are written to an outbox file before they are sent. After a timeout the
same bytes are sent again; after a crash, the next run finds them in the outbox and sends
them again. The ledger executes a transaction id at most once and answers a resubmission
with the transaction's real outcome.

    RXL_NODES=http://127.0.0.1:8080 RXL_KEY=corner-pharmacy.key \\
        python examples/durable_submit.py outbox.tx dispense '{"code": "(01)09501101530003(21)S1"}'
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from sdk.client import Client, Committed, CommitTimeout, Identity
from sdk.tx import SignedTransaction


def submit_durably(
    client: Client, tx: SignedTransaction, *, attempts: int = 3, timeout: float = 10.0
) -> Committed:
    for attempt in range(1, attempts + 1):
        try:
            return client.submit_and_wait(tx, timeout=timeout)
        except CommitTimeout:
            print(f"attempt {attempt}: not committed within {timeout} s; sending it again")
    raise CommitTimeout(tx.tx_id.hex(), timeout * attempts)


def run(
    client: Client, outbox: Path, contract: str, function: str, args: dict[str, Any]
) -> Committed:
    if outbox.exists():  # a previous run died before it knew the outcome
        tx = SignedTransaction.from_wire(outbox.read_bytes())
    else:
        tx = client.build(contract, function, args)
        outbox.write_bytes(tx.to_wire())
    committed = submit_durably(client, tx)  # a rejection raises, and the outbox stays
    outbox.unlink()
    return committed


def main() -> None:
    outbox, function, args = Path(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
    nodes = os.environ.get("RXL_NODES", "http://127.0.0.1:8080").split(",")
    identity = Identity.load(os.environ["RXL_KEY"], os.environ.get("RXL_CERT"))
    with Client(nodes, identity=identity) as client:
        committed = run(client, outbox, "trace", function, args)
    print(f"{committed.tx_id} committed in block {committed.height}: {committed.result!r}")


if __name__ == "__main__":
    main()
