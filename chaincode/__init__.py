"""Contract plug-in API, the deterministic execution context and the built-in contracts.

Write a contract against :mod:`chaincode.api`; test it with :class:`chaincode.testing.
ContractHarness`; a node runs it through :class:`BlockExecutor`.
"""

from chaincode.api import (
    Args,
    Context,
    Contract,
    Event,
    NoArgs,
    Signer,
    StateReader,
    Value,
    Version,
    query,
    transaction,
)
from chaincode.errors import (
    ChaincodeError,
    Conflict,
    ContractDefinitionError,
    ContractPinMismatch,
    InvalidArguments,
    InvalidTransaction,
    NotFound,
    PermissionDenied,
    ReadOnlyViolation,
    UnknownContract,
    UnknownFunction,
)
from chaincode.executor import OK, BlockExecutor, Invocation, TxOutcome, run_query
from chaincode.layers import BlockLayer, Layer, Write
from chaincode.memory import MemoryState
from chaincode.registry import ContractPin, ContractRegistry, code_hash, discover

__all__ = [
    "OK",
    "Args",
    "BlockExecutor",
    "BlockLayer",
    "ChaincodeError",
    "Conflict",
    "Context",
    "Contract",
    "ContractDefinitionError",
    "ContractPin",
    "ContractPinMismatch",
    "ContractRegistry",
    "Event",
    "InvalidArguments",
    "InvalidTransaction",
    "Invocation",
    "Layer",
    "MemoryState",
    "NoArgs",
    "NotFound",
    "PermissionDenied",
    "ReadOnlyViolation",
    "Signer",
    "StateReader",
    "TxOutcome",
    "UnknownContract",
    "UnknownFunction",
    "Value",
    "Version",
    "Write",
    "code_hash",
    "discover",
    "query",
    "run_query",
    "transaction",
]
