"""The public names of ``sdk`` and ``sdk.client``, exactly: adding or dropping one is an API
change and must show up here (and in docs/sdk.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import sdk
import sdk.client

ROOT = Path(__file__).resolve().parents[3]

SDK = {
    "Algorithm", "AsyncClient", "Backoff", "Block", "BlockHash", "BlockHeader", "Client",
    "ClientError", "CommitTimeout", "Committed", "Domain", "Identity", "KeyId", "LedgerEvent",
    "NodeUnavailable", "ProofInvalid", "PublicKey", "Receipt", "Rejected", "Role", "SdkError",
    "Signature", "SignedTransaction", "SigningKey", "TxId", "UnsignedTransaction", "build",
    "build_block", "decode", "encode", "verify_inclusion",
}  # fmt: skip
CLIENT = {
    "AccessDenied", "ApiError", "AsyncClient", "AsyncEventStream", "AuthenticationFailed",
    "Backoff", "BadRequest", "BlockInfo", "Client", "ClientError", "ColdChainApi",
    "ColdChainRejected", "CommitTimeout", "Committed", "ConfigApi", "ConfigRejected",
    "Consistency", "EventPosition", "EventStream", "Health", "Identity", "IdentityError",
    "LedgerEvent", "LedgerValue", "MalformedTransaction", "MspApi", "MspRejected",
    "NodeUnavailable", "NotFound", "Page", "PeerHealth", "PermissionRejected", "Proof",
    "ProofInvalid", "ProtocolError", "Receipt", "Rejected", "ReleaseApi", "ReleaseRejected",
    "ServerError", "SignerRejected", "StateEntry", "SubmitResult", "SupplierApi",
    "SupplierRejected", "TraceApi", "TraceRejected", "TxState", "Verification",
    "canonical_request", "signed_headers", "verify_inclusion",
}  # fmt: skip


def test_sdk_all_is_exactly_the_public_surface() -> None:
    assert set(sdk.__all__) == SDK
    assert len(sdk.__all__) == len(SDK)
    for name in sdk.__all__:
        assert getattr(sdk, name) is not None


def test_sdk_client_all_is_exactly_the_public_surface() -> None:
    assert set(sdk.client.__all__) == CLIENT
    assert len(sdk.client.__all__) == len(CLIENT)
    for name in sdk.client.__all__:
        assert getattr(sdk.client, name) is not None
    assert sdk.Client is sdk.client.Client


def test_the_formats_do_not_pull_in_the_http_client() -> None:
    probe = "import sys, sdk, sdk.tx, sdk.block; print('httpx' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "False"


def test_the_package_ships_type_information() -> None:
    assert (Path(sdk.__file__).parent / "py.typed").is_file()
