"""Built-in contracts shipped with rxledger, each in a folder of its own (one code hash each)."""

from __future__ import annotations

from chaincode.api import Contract
from chaincode.contracts.coldchain import ColdChainContract
from chaincode.contracts.config import ConfigContract
from chaincode.contracts.msp import MspContract
from chaincode.contracts.release import ReleaseContract
from chaincode.contracts.supplier import SupplierContract
from chaincode.contracts.trace import TraceContract


def builtin_contracts() -> list[Contract]:
    """Fresh instances of every built-in contract, in a fixed order (system contracts first)."""
    return [
        MspContract(),
        ConfigContract(),
        TraceContract(),
        SupplierContract(),
        ColdChainContract(),
        ReleaseContract(),
    ]


__all__ = ["builtin_contracts"]
