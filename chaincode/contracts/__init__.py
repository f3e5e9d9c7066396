"""Built-in contracts shipped with rxledger, each in a folder of its own (one code hash each)."""

from __future__ import annotations

from chaincode.api import Contract
from chaincode.contracts.trace import TraceContract


def builtin_contracts() -> list[Contract]:
    """Fresh instances of every built-in contract, in a fixed order."""
    return [
        TraceContract(),
    ]


__all__ = ["builtin_contracts"]
