"""Deterministic consortium members for the API tests, and an httpx Auth that signs requests.

``RequestSigner`` is also a small reference of the client side of docs/api.md, Signed
requests: it signs ``[chain_id, method, target, timestamp, nonce, SHA-256(body)]`` in domain
REQUEST and sends the four ``X-Rxl-*`` headers.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Generator
from dataclasses import dataclass, field

import httpx

from node.service import Identity, IdentityStatus
from sdk.encoding import encode
from sdk.keys import Domain, SigningKey
from sdk.roles import Role

NOW_MS = 1_700_000_000_000
"""The wall clock of the API tests (the app's ``wall_clock_ms``)."""
YEAR_MS = 365 * 24 * 3600 * 1000


@dataclass(frozen=True)
class Member:
    name: str
    org_id: str
    roles: frozenset[Role]
    status: IdentityStatus = IdentityStatus.ACTIVE
    not_before_ms: int = NOW_MS - YEAR_MS
    not_after_ms: int = NOW_MS + YEAR_MS
    key: SigningKey = field(init=False, compare=False)

    def __post_init__(self) -> None:
        seed = hashlib.sha256(f"rxledger-api-test/{self.name}".encode()).digest()
        object.__setattr__(self, "key", SigningKey.from_seed(seed))

    @property
    def key_id(self) -> str:
        return self.key.key_id.hex()

    def identity(self) -> Identity:
        return Identity(
            key_id=self.key_id,
            org_id=self.org_id,
            roles=self.roles,
            status=self.status,
            public_key=self.key.public_key,
            not_before_ms=self.not_before_ms,
            not_after_ms=self.not_after_ms,
        )


REGULATOR = Member("regulator", "ema", frozenset({Role.REGULATOR}))
MAH = Member("mah", "acme-pharma", frozenset({Role.MANUFACTURER, Role.QA}))
DISTRIBUTOR = Member("distributor", "wholesale-co", frozenset({Role.DISTRIBUTOR}))
PHARMACY = Member("pharmacy", "corner-pharmacy", frozenset({Role.PHARMACY}))
SUSPENDED = Member(
    "suspended", "corner-pharmacy", frozenset({Role.PHARMACY}), IdentityStatus.SUSPENDED
)
REVOKED = Member("revoked", "wholesale-co", frozenset({Role.DISTRIBUTOR}), IdentityStatus.REVOKED)
ORG_REMOVED = Member(
    "org-removed", "gone-org", frozenset({Role.DISTRIBUTOR}), IdentityStatus.ORG_REMOVED
)
EXPIRED = Member("expired", "corner-pharmacy", frozenset({Role.PHARMACY}), not_after_ms=NOW_MS - 1)
NOT_YET_VALID = Member(
    "not-yet-valid", "corner-pharmacy", frozenset({Role.PHARMACY}), not_before_ms=NOW_MS + 1
)
STRANGER = Member("stranger", "nobody", frozenset({Role.PHARMACY}))
"""A key that was never enrolled."""

ENROLLED = (REGULATOR, MAH, DISTRIBUTOR, PHARMACY, SUSPENDED, REVOKED, ORG_REMOVED, EXPIRED)
ENROLLED += (NOT_YET_VALID,)


def sign_request(
    member: Member,
    *,
    chain_id: str,
    method: str,
    target: str,
    body: bytes,
    timestamp_ms: int,
    nonce: str,
) -> dict[str, str]:
    """The four auth headers of one request."""
    message = encode(
        [chain_id, method.upper(), target, timestamp_ms, nonce, hashlib.sha256(body).digest()]
    )
    signature = member.key.sign(Domain.REQUEST, message).value
    return {
        "X-Rxl-Key-Id": member.key_id,
        "X-Rxl-Timestamp": str(timestamp_ms),
        "X-Rxl-Nonce": nonce,
        "X-Rxl-Signature": "ed25519:" + base64.b64encode(signature).decode("ascii"),
    }


class RequestSigner(httpx.Auth):
    """Signs every request of an httpx client as ``member`` (fresh nonce each time)."""

    requires_request_body = True

    def __init__(
        self, member: Member, *, chain_id: str, clock_ms: Callable[[], int] = lambda: NOW_MS
    ) -> None:
        self.member = member
        self.chain_id = chain_id
        self.clock_ms = clock_ms
        self.sent = 0

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.sent += 1
        headers = sign_request(
            self.member,
            chain_id=self.chain_id,
            method=request.method,
            target=request.url.raw_path.decode("ascii"),
            body=request.content,
            timestamp_ms=self.clock_ms(),
            nonce=f"{self.member.name}-{self.sent:020d}",
        )
        request.headers.update(headers)
        yield request
