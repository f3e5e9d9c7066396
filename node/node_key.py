"""The node's own Ed25519 key: the TLS key of its certificate also signs blocks and checkpoints."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from node.errors import NodeError
from sdk.keys import SigningKey


class NodeKeyError(NodeError):
    code = "node.key_invalid"


def load_node_key(path: Path) -> SigningKey:
    """Read the node's unencrypted PKCS#8 PEM Ed25519 key (the one its certificate names)."""
    try:
        key = load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise NodeKeyError(
            f"cannot read the node key {path}: {exc}; it must be an unencrypted PKCS#8 PEM "
            "Ed25519 key, as written by `rxl network init`"
        ) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise NodeKeyError(f"the node key {path} is not an Ed25519 key")
    return SigningKey.from_seed(key.private_bytes_raw())
