"""Errors the API answers itself, and the one table from error code to HTTP status.

Every error leaves the API as ``{"error": {"code": "...", "message": "..."}}`` (DESIGN.md,
Client API: "errors ... with stable codes"). The code comes from the exception's ``code``
class attribute (``sdk.errors``, ``chaincode.errors``, ``node.errors`` all carry one), or
from :data:`CLASS_CODES` for the few framework errors that have none; the status comes
from :func:`status_for_code`, never from a message.

    ApiError(code, message)            base: a refusal decided by the API layer itself
    ├── MalformedRequest               400 request.*: bad JSON, base64, msgpack, wrong types
    ├── PayloadTooLarge                413 request.too_large / request.too_many_transactions
    ├── UnsupportedMediaType           415 request.unsupported_media_type
    ├── ResourceNotFound               404 tx.not_found, block.not_found, proof.not_found, ...
    ├── RateLimited(retry_after_s)     429 api.rate_limited
    ├── AuthError                      401 auth.*: missing, malformed, stale, replayed, forged,
    │                                      unknown or inactive request credentials
    └── AccessDenied                   403 access.denied: authenticated, not allowed to see it
"""

from __future__ import annotations

from chaincode.errors import ContractDefinitionError, ContractPinMismatch, ReadOnlyViolation

INTERNAL = "internal"
"""The code of a real bug: the message never carries internals."""

EXACT_STATUS: dict[str, int] = {
    "request.too_large": 413,
    "request.too_many_transactions": 413,
    "tx.too_large": 413,
    "request.unsupported_media_type": 415,
    "request.method_not_allowed": 405,
    "route.not_found": 404,
    "api.rate_limited": 429,
    "tx.not_found": 404,
    "block.not_found": 404,
    "proof.not_found": 404,
    "state.not_found": 404,
    "contract.unknown": 404,
    "contract.unknown_function": 404,
    "tx.duplicate": 409,
    "state.conflict": 409,
    "tx.wait_timeout": 504,
    "signer.revoked": 403,
    "identity.revoked": 403,
    "contract.pin_mismatch": 503,
    INTERNAL: 500,
}
"""Codes whose status differs from their family's (checked before the prefixes)."""

PREFIX_STATUS: tuple[tuple[str, int], ...] = (
    ("request.", 400),
    ("encoding.", 400),
    ("key.", 400),
    ("block.", 400),
    ("proof.", 400),
    ("identity.", 401),
    ("signer.", 401),
    ("signature.", 401),
    ("permission.", 403),
    ("auth.", 401),
    ("access.", 403),
    ("node.", 503),
    ("tx.", 400),
    ("contract.", 400),
)
"""Families: who you are (401), what you may do (403), the node's condition (503)."""

DEFAULT_STATUS = 422
"""Any other code is a contract's deterministic refusal (``trace.already_dispensed``): the
request was well formed and understood, and a rule said no."""

CLASS_CODES: tuple[tuple[type[Exception], str], ...] = (
    (ReadOnlyViolation, "contract.read_only"),
    (ContractPinMismatch, "contract.pin_mismatch"),
    (ContractDefinitionError, INTERNAL),
)
"""Framework errors without a ``code`` attribute."""

RETRY_STATUSES = frozenset({429, 503})

CODED_PACKAGES = frozenset({"sdk", "chaincode", "node", "consensus"})
"""Packages whose exceptions carry stable codes; anything else escaping a route is a bug."""


def status_for_code(code: str) -> int:
    """The HTTP status of an error code: exact entry, else its family prefix, else 422."""
    if code in EXACT_STATUS:
        return EXACT_STATUS[code]
    for prefix, status in PREFIX_STATUS:
        if code.startswith(prefix):
            return status
    return DEFAULT_STATUS


def code_of(exc: BaseException) -> str | None:
    """The stable code an exception carries, or None when it is not a known error (a bug)."""
    for cls, code in CLASS_CODES:
        if isinstance(exc, cls):
            return code
    if type(exc).__module__.split(".", 1)[0] not in CODED_PACKAGES:
        # A third-party ``code`` (pydantic's, an OS error's) is not one of our stable codes.
        return None
    carried = getattr(exc, "code", None)
    return carried if isinstance(carried, str) and carried else None


def message_of(exc: BaseException) -> str:
    """The human message of a coded error (``message`` attribute or the exception text)."""
    message = getattr(exc, "message", None)
    return message if isinstance(message, str) and message else str(exc) or type(exc).__name__


class ApiError(Exception):
    """A refusal decided by the API layer; its status follows from ``code``."""

    code = "request.malformed"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    @property
    def status(self) -> int:
        return status_for_code(self.code)


class MalformedRequest(ApiError):
    code = "request.malformed"


class PayloadTooLarge(ApiError):
    code = "request.too_large"


class UnsupportedMediaType(ApiError):
    code = "request.unsupported_media_type"


class ResourceNotFound(ApiError):
    code = "route.not_found"


class RateLimited(ApiError):
    code = "api.rate_limited"

    def __init__(self, message: str, *, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class AuthError(ApiError):
    """The request's credentials are missing where needed, or do not hold (``auth.*``)."""

    code = "auth.required"


class AccessDenied(ApiError):
    """The caller is authenticated but the access policy does not let it see this."""

    code = "access.denied"
