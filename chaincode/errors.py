"""Errors of the contract framework.

    ChaincodeError                      base of everything raised here
    ├── InvalidTransaction(code, msg)   deterministic rejection: recorded in the block with
    │   │                               its code, the transaction's writes are discarded
    │   ├── UnknownContract             no contract of that name is registered
    │   ├── UnknownFunction             the contract has no such function
    │   ├── InvalidArguments            the arguments do not fit the function's model
    │   ├── PermissionDenied            the signer lacks a role or is not the party allowed
    │   ├── NotFound                    the thing the transaction refers to does not exist
    │   └── Conflict                    the state forbids the transition (duplicate, wrong status)
    ├── ContractDefinitionError         a contract class is malformed (caught at registration)
    ├── ContractPinMismatch             the code hash or version differs from the network pin:
    │                                   the node must not execute the block (fail-stop)
    └── ReadOnlyViolation               a query function tried to write

Any other exception escaping a contract is a bug; the node stops rather than record a result
that other nodes might not reproduce (DESIGN.md, Contracts: fail-stop).
"""

from __future__ import annotations


class ChaincodeError(Exception):
    """Base of every error raised by the contract framework."""


class InvalidTransaction(ChaincodeError):
    """A deterministic rejection. Every node reaches the same verdict for the same input.

    ``code`` is stable and dotted (``trace.already_dispensed``); it is stored in the block's
    result list and returned by the API.
    """

    code: str = "tx.invalid"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class UnknownContract(InvalidTransaction):
    code = "contract.unknown"


class UnknownFunction(InvalidTransaction):
    code = "contract.unknown_function"


class InvalidArguments(InvalidTransaction):
    code = "contract.invalid_arguments"


class PermissionDenied(InvalidTransaction):
    code = "permission.denied"


class NotFound(InvalidTransaction):
    code = "state.not_found"


class Conflict(InvalidTransaction):
    code = "state.conflict"


class ContractDefinitionError(ChaincodeError):
    """A contract class is malformed: missing name/version, a function without a model."""


class ContractPinMismatch(ChaincodeError):
    """The installed contract's version or code hash differs from the network's pin."""


class ReadOnlyViolation(ChaincodeError):
    """A query function (read-only by declaration) tried to write state or emit events."""
