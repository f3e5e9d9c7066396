"""An auditor proves that a transaction is in the ledger without trusting the node that
answers: the Merkle path is checked against the signed block header, and the header's
signature against node keys taken from certificates the consortium published.

    RXL_NODES=http://127.0.0.1:8080 RXL_KEY=nmpa-auditor.key \\
        python examples/verify_proof.py TX_ID ca.pem node1.pem [node2.pem ...]
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from sdk.block import BlockHeader
from sdk.client import Client, Identity
from sdk.keys import PublicKey
from sdk.pki import load_certificate, verify_certificate


def node_keys(ca_file: Path, cert_files: list[Path]) -> list[PublicKey]:
    """The keys of node certificates, each checked against its org CA first."""
    ca = load_certificate(ca_file)
    now = datetime.now(UTC)
    return [verify_certificate(load_certificate(p), ca, at=now).public_key for p in cert_files]


def run(client: Client, tx_id: str, trusted: list[PublicKey]) -> BlockHeader:
    header = client.verify_inclusion(tx_id, trusted)  # raises ProofInvalid if anything is off
    print(
        f"{tx_id} is in block {header.height} ({header.tx_count} transactions), "
        f"signed by node key {header.proposer.hex()[:16]}…"
    )
    return header


def main() -> None:
    tx_id, ca_file, certs = sys.argv[1], Path(sys.argv[2]), [Path(p) for p in sys.argv[3:]]
    nodes = os.environ.get("RXL_NODES", "http://127.0.0.1:8080").split(",")
    identity = Identity.load(os.environ["RXL_KEY"], os.environ.get("RXL_CERT"))
    with Client(nodes, identity=identity) as client:
        run(client, tx_id, node_keys(ca_file, certs))


if __name__ == "__main__":
    main()
