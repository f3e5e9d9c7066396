"""Wire formats, keys and signing, domain identifiers and the Python client.

Formats (docs/formats.md): canonical encoding (``encode``/``decode``), Ed25519 keys with
domain-separated signatures, transactions (``build`` → ``UnsignedTransaction.sign`` →
``SignedTransaction``), blocks, and the ``SdkError`` tree. The client (docs/sdk.md):
``Client``, ``AsyncClient`` and ``Identity``, loaded on first use so that processes that only
need the formats (the node) do not import httpx.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sdk.block import Block, BlockHeader, build_block
from sdk.encoding import decode, encode
from sdk.errors import SdkError
from sdk.ids import BlockHash, KeyId, TxId
from sdk.keys import Algorithm, Domain, PublicKey, Signature, SigningKey
from sdk.roles import Role
from sdk.tx import SignedTransaction, UnsignedTransaction, build

if TYPE_CHECKING:
    from sdk.client import (
        AsyncClient,
        Backoff,
        Client,
        ClientError,
        Committed,
        CommitTimeout,
        Identity,
        LedgerEvent,
        NodeUnavailable,
        ProofInvalid,
        Receipt,
        Rejected,
        verify_inclusion,
    )

_CLIENT_NAMES = frozenset(
    {
        "AsyncClient",
        "Backoff",
        "Client",
        "ClientError",
        "CommitTimeout",
        "Committed",
        "Identity",
        "LedgerEvent",
        "NodeUnavailable",
        "ProofInvalid",
        "Receipt",
        "Rejected",
        "verify_inclusion",
    }
)


def __getattr__(name: str) -> Any:
    if name in _CLIENT_NAMES:
        import sdk.client

        return getattr(sdk.client, name)
    raise AttributeError(f"module 'sdk' has no attribute {name!r}")


__all__ = [
    "Algorithm",
    "AsyncClient",
    "Backoff",
    "Block",
    "BlockHash",
    "BlockHeader",
    "Client",
    "ClientError",
    "CommitTimeout",
    "Committed",
    "Domain",
    "Identity",
    "KeyId",
    "LedgerEvent",
    "NodeUnavailable",
    "ProofInvalid",
    "PublicKey",
    "Receipt",
    "Rejected",
    "Role",
    "SdkError",
    "Signature",
    "SignedTransaction",
    "SigningKey",
    "TxId",
    "UnsignedTransaction",
    "build",
    "build_block",
    "decode",
    "encode",
    "verify_inclusion",
]
