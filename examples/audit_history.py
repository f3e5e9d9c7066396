"""A regulator reads the full record of a pack: every version of its ledger entry, oldest
first, fetched page by page, and the contract's own event history of the code.

    RXL_NODES=http://127.0.0.1:8080 RXL_KEY=nmpa-inspector.key \\
        python examples/audit_history.py "(01)09501101530003(21)S1"
"""

from __future__ import annotations

import os
import sys

from sdk.client import Client, Identity, LedgerValue, StateEntry


def run(client: Client, code: str) -> tuple[list[StateEntry], LedgerValue]:
    answer = client.trace.verify(code=code)  # the member's view: custody included
    key = str(answer["code"]) if isinstance(answer, dict) else code  # the canonical key
    versions = list(client.iter_history("trace", f"code/{key}", page_size=100))
    for version in versions:
        record = version.value if isinstance(version.value, dict) else {}
        owner, state = record.get("owner"), record.get("state")
        print(f"block {version.height:>6} tx {version.tx_index:>3}: {owner!r} {state!r}")
    events = client.trace.history(code=code)
    return versions, events


def main() -> None:
    nodes = os.environ.get("RXL_NODES", "http://127.0.0.1:8080").split(",")
    identity = Identity.load(os.environ["RXL_KEY"], os.environ.get("RXL_CERT"))
    with Client(nodes, identity=identity) as client:
        run(client, sys.argv[1])


if __name__ == "__main__":
    main()
