"""The rxledger Python client: ``Client`` (sync) and ``AsyncClient`` over httpx.

    from sdk.client import Client, Identity

    with Client(["http://127.0.0.1:8080"], identity=Identity.load("me.key", "me.pem")) as c:
        c.trace.dispense(code="sgtin:09501101530003.S1")

``docs/sdk.md`` is the guide; ``examples/`` holds runnable scripts.
"""

from sdk.client.aio import AsyncClient, AsyncEventStream
from sdk.client.contracts import ColdChainApi, ConfigApi, MspApi, ReleaseApi, SupplierApi, TraceApi
from sdk.client.errors import (
    AccessDenied,
    ApiError,
    AuthenticationFailed,
    BadRequest,
    ClientError,
    ColdChainRejected,
    CommitTimeout,
    ConfigRejected,
    IdentityError,
    MalformedTransaction,
    MspRejected,
    NodeUnavailable,
    NotFound,
    PermissionRejected,
    ProofInvalid,
    ProtocolError,
    Rejected,
    ReleaseRejected,
    ServerError,
    SignerRejected,
    SupplierRejected,
    TraceRejected,
)
from sdk.client.identity import Identity
from sdk.client.models import (
    BlockInfo,
    Committed,
    Consistency,
    EventPosition,
    Health,
    LedgerEvent,
    Page,
    PeerHealth,
    Proof,
    Receipt,
    StateEntry,
    SubmitResult,
    TxState,
    Verification,
)
from sdk.client.proofs import verify_inclusion
from sdk.client.retry import Backoff
from sdk.client.signing import canonical_request, signed_headers
from sdk.client.sync import Client, EventStream
from sdk.client.values import LedgerValue

__all__ = [
    "AccessDenied",
    "ApiError",
    "AsyncClient",
    "AsyncEventStream",
    "AuthenticationFailed",
    "Backoff",
    "BadRequest",
    "BlockInfo",
    "Client",
    "ClientError",
    "ColdChainApi",
    "ColdChainRejected",
    "CommitTimeout",
    "Committed",
    "ConfigApi",
    "ConfigRejected",
    "Consistency",
    "EventPosition",
    "EventStream",
    "Health",
    "Identity",
    "IdentityError",
    "LedgerEvent",
    "LedgerValue",
    "MalformedTransaction",
    "MspApi",
    "MspRejected",
    "NodeUnavailable",
    "NotFound",
    "Page",
    "PeerHealth",
    "PermissionRejected",
    "Proof",
    "ProofInvalid",
    "ProtocolError",
    "Receipt",
    "Rejected",
    "ReleaseApi",
    "ReleaseRejected",
    "ServerError",
    "SignerRejected",
    "StateEntry",
    "SubmitResult",
    "SupplierApi",
    "SupplierRejected",
    "TraceApi",
    "TraceRejected",
    "TxState",
    "Verification",
    "canonical_request",
    "signed_headers",
    "verify_inclusion",
]
