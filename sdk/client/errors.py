"""Errors the client raises; each carries the node's stable ``code`` (docs/api.md, Errors).

    ClientError(code, message)          base of everything raised by ``sdk.client``
    ├── NodeUnavailable(attempts)       no node answered usefully: connection errors, 429,
    │                                   502, 503 (node.no_leader, node.overloaded, ...) on every
    │                                   attempt, back-off included; safe to try again later
    ├── ApiError(status)                the node refused the request itself
    │   ├── BadRequest                  request.*, api.*: fix the call (a bug in the caller)
    │   ├── AuthenticationFailed        auth.*: credentials missing, stale, forged or inactive
    │   ├── AccessDenied                access.*: authenticated, but not a party to that data
    │   ├── NotFound                    *.not_found, route.not_found
    │   └── ServerError                 internal: a bug in the node, its log has the details
    ├── Rejected(tx_id, receipt)        a transaction or query refused by a rule; the code says
    │   │                               which (admission, or the contract, recorded on chain)
    │   ├── SignerRejected              signer.*, identity.*, signature.*
    │   ├── PermissionRejected          permission.*
    │   ├── MalformedTransaction        tx.*, contract.*, encoding.*
    │   ├── TraceRejected               trace.*
    │   ├── SupplierRejected            supplier.*
    │   ├── ColdChainRejected           coldchain.*
    │   ├── ReleaseRejected             release.*
    │   ├── MspRejected                 msp.*, cert.*
    │   └── ConfigRejected              config.*
    ├── CommitTimeout(tx_id)            not committed in time; it may still commit: wait again
    │                                   or resubmit the same transaction (never runs twice)
    ├── ProofInvalid                    an inclusion proof does not hold (tampered or untrusted)
    ├── IdentityError                   a key or certificate cannot be loaded or do not match
    └── ProtocolError                   the node answered something outside the API's shapes

A contract's own codes (``trace.already_dispensed``) land in the subclass of their family;
codes of families not listed (a third-party contract) raise :class:`Rejected` itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sdk.client.models import Receipt


class ClientError(Exception):
    """Base of every client error; ``code`` is the stable code, ``message`` is for humans."""

    code: str = "client.error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class NodeUnavailable(ClientError):
    """Every attempt failed; ``attempts`` says what each node answered, in order."""

    code = "client.unavailable"

    def __init__(self, attempts: Sequence[str], *, code: str | None = None) -> None:
        summary = "; ".join(attempts[-6:])
        super().__init__(
            f"no node answered after {len(attempts)} attempt(s) ({summary}); check the node "
            "URLs and that the network is up, then try again",
            code=code,
        )
        self.attempts = tuple(attempts)


class ApiError(ClientError):
    """The node understood the request and refused it; ``status`` is the HTTP status."""

    code = "api.error"

    def __init__(self, message: str, *, code: str | None = None, status: int = 0) -> None:
        super().__init__(message, code=code)
        self.status = status


class BadRequest(ApiError):
    code = "request.invalid"


class AuthenticationFailed(ApiError):
    code = "auth.required"


class AccessDenied(ApiError):
    code = "access.denied"


class NotFound(ApiError):
    code = "route.not_found"


class ServerError(ApiError):
    code = "internal"


class Rejected(ClientError):
    """A rule refused a transaction (at admission or in its contract) or a query.

    ``tx_id`` is the transaction's id (None for a query). ``receipt`` is set when the
    rejection is recorded in a committed block, so ``receipt.height`` says where.
    """

    code = "rejected"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        tx_id: str | None = None,
        receipt: Receipt | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.tx_id = tx_id
        self.receipt = receipt


class SignerRejected(Rejected):
    code = "signer.unknown"


class PermissionRejected(Rejected):
    code = "permission.missing_role"


class MalformedTransaction(Rejected):
    code = "tx.malformed"


class TraceRejected(Rejected):
    code = "trace.rejected"


class SupplierRejected(Rejected):
    code = "supplier.rejected"


class ColdChainRejected(Rejected):
    code = "coldchain.rejected"


class ReleaseRejected(Rejected):
    code = "release.rejected"


class MspRejected(Rejected):
    code = "msp.rejected"


class ConfigRejected(Rejected):
    code = "config.rejected"


class CommitTimeout(ClientError):
    """The transaction did not commit within the timeout. It may still commit: call
    ``wait(tx_id)`` again, or resubmit the same signed transaction (same id, runs once)."""

    code = "client.commit_timeout"

    def __init__(self, tx_id: str, timeout_s: float) -> None:
        super().__init__(
            f"transaction {tx_id} was not committed within {timeout_s:g} s; it may still "
            "commit: wait for it again or resubmit the same signed transaction"
        )
        self.tx_id = tx_id


class ProofInvalid(ClientError):
    code = "proof.invalid"


class IdentityError(ClientError):
    code = "identity.invalid"


class ProtocolError(ClientError):
    code = "client.protocol"


REJECTION_FAMILIES: tuple[tuple[str, type[Rejected]], ...] = (
    ("signer.", SignerRejected),
    ("identity.", SignerRejected),
    ("signature.", SignerRejected),
    ("permission.", PermissionRejected),
    ("tx.", MalformedTransaction),
    ("contract.", MalformedTransaction),
    ("encoding.", MalformedTransaction),
    ("trace.", TraceRejected),
    ("supplier.", SupplierRejected),
    ("coldchain.", ColdChainRejected),
    ("release.", ReleaseRejected),
    ("msp.", MspRejected),
    ("cert.", MspRejected),
    ("config.", ConfigRejected),
)
"""Code prefix → exception class of a rejection (first match wins)."""

_REQUEST_FAMILIES: tuple[tuple[str, type[ApiError]], ...] = (
    ("auth.", AuthenticationFailed),
    ("access.", AccessDenied),
    ("request.", BadRequest),
    ("api.", BadRequest),
    ("route.", NotFound),
)
_NOT_FOUND = frozenset({"tx.not_found", "block.not_found", "proof.not_found", "state.not_found"})


def rejection(
    code: str, message: str, *, tx_id: str | None = None, receipt: Receipt | None = None
) -> Rejected:
    """The typed rejection for ``code``: the class of its family, else :class:`Rejected`."""
    for prefix, cls in REJECTION_FAMILIES:
        if code.startswith(prefix):
            return cls(message, code=code, tx_id=tx_id, receipt=receipt)
    return Rejected(message, code=code, tx_id=tx_id, receipt=receipt)


def error_for(code: str, message: str, *, status: int, tx_id: str | None = None) -> ClientError:
    """The exception for an error answer ``{"error": {"code", "message"}}`` of the node."""
    if code in _NOT_FOUND:
        return NotFound(message, code=code, status=status)
    for prefix, cls in _REQUEST_FAMILIES:
        if code.startswith(prefix):
            return cls(message, code=code, status=status)
    if code == "internal" or status >= 500:
        return ServerError(message, code=code, status=status)
    return rejection(code, message, tx_id=tx_id)
