"""A manufacturer registers a product and a batch, commissions serialized packs, and checks
one the way a pharmacy's scanner would.

    RXL_NODES=http://127.0.0.1:8080 RXL_KEY=acme-mfg.key RXL_CERT=acme-mfg.pem \\
        python examples/commission_and_verify.py

``RXL_KEY_PASSPHRASE`` unlocks the key file (a demo network's keys need none).
"""

from __future__ import annotations

import hashlib
import os

from sdk.client import Client, Identity, ReleaseRejected, TraceRejected, Verification

GTIN = "09501101530003"
PRODUCT = f"gtin:{GTIN}"
SITE_GLN = "0614141000005"


def run(
    client: Client, *, org: str, lot: str = "L1", serials: tuple[str, ...] = ("S1", "S2")
) -> Verification:
    client.trace.register_product(  # registering again updates the master data
        product_key=PRODUCT,
        mah_org=org,
        generic_name="amoxicillin",
        dosage_form="capsule",
        strength="500 mg",
        pack_size=20,
        markets=["DE"],
        storage_min_centi_c=1500,
        storage_max_centi_c=2500,
    )
    try:
        client.release.register_batch(
            product_key=PRODUCT,
            lot=lot,
            size=len(serials),
            site_gln=SITE_GLN,
            manufactured="2025-12-01",
            expiry="2027-12-01",
            ebr_sha256=hashlib.sha256(b"electronic batch record").hexdigest(),
        )
    except ReleaseRejected as refused:
        if refused.code != "release.duplicate":  # a rerun: the batch is already there
            raise
    try:
        committed = client.trace.commission(
            lot=lot,
            production_date="2025-12-01",
            expiry="2027-12-01",
            gtin=GTIN,
            serials=list(serials),
        )
        print(f"commissioned {len(serials)} packs in block {committed.height}")
    except TraceRejected as refused:
        if refused.code != "trace.duplicate_code":
            raise
        print(f"already commissioned: {refused.message}")
    # What a pharmacy sees when it scans the first pack (public, no identity needed):
    return client.verify_code(f"(01){GTIN}(21){serials[0]}")


def main() -> None:
    nodes = os.environ.get("RXL_NODES", "http://127.0.0.1:8080").split(",")
    identity = Identity.load(os.environ["RXL_KEY"], os.environ.get("RXL_CERT"))
    with Client(nodes, identity=identity) as client:
        answer = run(client, org=identity.org_id or os.environ.get("RXL_ORG", ""))
    verdict = "genuine" if answer.verified else f"NOT VERIFIED ({answer.failure_reason})"
    print(f"{answer.code}: {verdict}, lot {answer.lot}, expires {answer.expiry}")


if __name__ == "__main__":
    main()
