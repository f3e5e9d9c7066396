"""Signed requests: each refusal has its own code, replays and stale or forged signatures
are refused, and transactions can still be submitted without request authentication."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from node.service import IdentityStatus
from tests.node.api.conftest import BASE, ClientFactory, WallClock
from tests.node.api.fake import FakeLedger, make_signed_tx, make_tx
from tests.node.api.helpers import b64, error_of
from tests.node.api.members import (
    DISTRIBUTOR,
    EXPIRED,
    MAH,
    NOT_YET_VALID,
    ORG_REMOVED,
    PHARMACY,
    REGULATOR,
    REVOKED,
    STRANGER,
    SUSPENDED,
    Member,
    sign_request,
)

TARGET = "/v1/state/trace/product/gtin:09501101530003"
NONCE = "0123456789abcdef0123456789abcdef"


@pytest.fixture
async def raw(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client that sends exactly the headers a test gives it."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as c:
        yield c


def signed(
    member: Member,
    *,
    ledger: FakeLedger,
    wall: WallClock,
    method: str = "GET",
    target: str = TARGET,
    body: bytes = b"",
    nonce: str = NONCE,
    timestamp_ms: int | None = None,
    chain_id: str | None = None,
) -> dict[str, str]:
    return sign_request(
        member,
        chain_id=ledger.chain_id if chain_id is None else chain_id,
        method=method,
        target=target,
        body=body,
        timestamp_ms=wall.now_ms if timestamp_ms is None else timestamp_ms,
        nonce=nonce,
    )


async def _product(ledger: FakeLedger) -> None:
    await ledger.submit(
        [make_signed_tx(MAH, "trace", "product/gtin:09501101530003", {"mah_org": "acme-pharma"})],
        wait=True,
        timeout_s=1,
    )


async def test_a_signed_request_identifies_the_member(
    raw: httpx.AsyncClient, ledger: FakeLedger, wall: WallClock
) -> None:
    await _product(ledger)
    response = await raw.get(TARGET, headers=signed(PHARMACY, ledger=ledger, wall=wall))
    assert response.status_code == 200
    assert response.json()["entry"]["value"] == {"mah_org": "acme-pharma"}


async def test_without_credentials_member_data_needs_auth(raw: httpx.AsyncClient) -> None:
    response = await raw.get(TARGET)
    assert response.status_code == 401
    error = error_of(response)
    assert error["code"] == "auth.required"
    assert "GET /v1/verify" in error["message"]
    assert response.headers["WWW-Authenticate"].startswith("Rxl-Ed25519 ")


@pytest.mark.parametrize(
    ("drop", "change"),
    [
        ("X-Rxl-Nonce", {}),
        (None, {"X-Rxl-Key-Id": "ABC"}),
        (None, {"X-Rxl-Timestamp": "-5"}),
        (None, {"X-Rxl-Timestamp": "1.7e12"}),
        (None, {"X-Rxl-Nonce": "short"}),
        (None, {"X-Rxl-Nonce": "has spaces in it, sixteen+"}),
        (None, {"X-Rxl-Signature": "AAAA"}),
        (None, {"X-Rxl-Signature": "ed25519:not base64!"}),
        (None, {"X-Rxl-Signature": "ed25519:AAAA"}),
        (None, {"X-Rxl-Signature": "rsa:AAAA"}),
    ],
)
async def test_malformed_headers_are_auth_malformed(
    raw: httpx.AsyncClient,
    ledger: FakeLedger,
    wall: WallClock,
    drop: str | None,
    change: dict[str, str],
) -> None:
    headers = signed(PHARMACY, ledger=ledger, wall=wall)
    if drop is not None:
        del headers[drop]
    headers.update(change)
    response = await raw.get(TARGET, headers=headers)
    assert response.status_code == 401
    assert error_of(response)["code"] == "auth.malformed"


@pytest.mark.parametrize("skew_ms", [-60_001, 60_001, -3_600_000])
async def test_stale_timestamps_are_refused(
    raw: httpx.AsyncClient, ledger: FakeLedger, wall: WallClock, skew_ms: int
) -> None:
    headers = signed(PHARMACY, ledger=ledger, wall=wall, timestamp_ms=wall.now_ms + skew_ms)
    response = await raw.get(TARGET, headers=headers)
    assert response.status_code == 401
    error = error_of(response)
    assert error["code"] == "auth.stale"
    assert "clock" in error["message"]


async def test_the_window_edge_is_accepted(
    raw: httpx.AsyncClient, ledger: FakeLedger, wall: WallClock
) -> None:
    await _product(ledger)
    headers = signed(PHARMACY, ledger=ledger, wall=wall, timestamp_ms=wall.now_ms - 60_000)
    assert (await raw.get(TARGET, headers=headers)).status_code == 200


async def test_a_replayed_request_is_refused(
    raw: httpx.AsyncClient, ledger: FakeLedger, wall: WallClock
) -> None:
    await _product(ledger)
    headers = signed(PHARMACY, ledger=ledger, wall=wall)
    assert (await raw.get(TARGET, headers=headers)).status_code == 200
    replay = await raw.get(TARGET, headers=headers)
    assert replay.status_code == 401
    assert error_of(replay)["code"] == "auth.replayed"
    # The same nonce is another key's own business.
    other = signed(DISTRIBUTOR, ledger=ledger, wall=wall)
    assert (await raw.get(TARGET, headers=other)).status_code == 200
    # Once the window has passed, the replay is refused as stale (it is forgotten).
    wall.now_ms += 61_000
    late = await raw.get(TARGET, headers=headers)
    assert error_of(late)["code"] == "auth.stale"


@pytest.mark.parametrize(
    "forgery",
    ["other_key", "other_target", "other_method", "other_body", "other_chain", "other_nonce"],
)
async def test_forged_signatures_are_refused(
    raw: httpx.AsyncClient, ledger: FakeLedger, wall: WallClock, forgery: str
) -> None:
    body = b'{"args":{"key":"a"}}'
    target = "/v1/query/registry/get"
    headers = signed(PHARMACY, ledger=ledger, wall=wall, method="POST", target=target, body=body)
    if forgery == "other_key":
        mallory = signed(
            DISTRIBUTOR, ledger=ledger, wall=wall, method="POST", target=target, body=body
        )
        headers["X-Rxl-Signature"] = mallory["X-Rxl-Signature"]
    elif forgery == "other_target":
        target = "/v1/query/registry/count"
    elif forgery == "other_method":
        headers = signed(PHARMACY, ledger=ledger, wall=wall, target=target, body=body)
    elif forgery == "other_body":
        body = b'{"args":{"key":"b"}}'
    elif forgery == "other_chain":
        headers = signed(
            PHARMACY,
            ledger=ledger,
            wall=wall,
            method="POST",
            target=target,
            body=body,
            chain_id="rx-other",
        )
    elif forgery == "other_nonce":
        headers["X-Rxl-Nonce"] = "ffffffffffffffffffffffffffffffff"
    response = await raw.post(target, content=body, headers=headers)
    assert response.status_code == 401
    error = error_of(response)
    assert error["code"] == "auth.bad_signature"
    assert "domain REQUEST" in error["message"]


async def test_the_query_string_is_signed(
    raw: httpx.AsyncClient, ledger: FakeLedger, wall: WallClock
) -> None:
    await _product(ledger)
    headers = signed(PHARMACY, ledger=ledger, wall=wall, target=TARGET + "?consistency=stale")
    ok = await raw.get(TARGET + "?consistency=stale", headers=headers)
    assert ok.status_code == 200
    assert ok.json()["consistency"] == "stale"
    headers = signed(PHARMACY, ledger=ledger, wall=wall, target=TARGET, nonce="n" * 16)
    tampered = await raw.get(TARGET + "?consistency=stale", headers=headers)
    assert error_of(tampered)["code"] == "auth.bad_signature"


async def test_percent_encoded_targets_are_signed_as_sent(
    raw: httpx.AsyncClient, ledger: FakeLedger, wall: WallClock
) -> None:
    await ledger.submit(
        [make_signed_tx(MAH, "trace", "product/a b", {"mah_org": "acme-pharma"})],
        wait=True,
        timeout_s=1,
    )
    target = "/v1/state/trace/product/a%20b"
    response = await raw.get(
        target, headers=signed(PHARMACY, ledger=ledger, wall=wall, target=target)
    )
    assert response.status_code == 200
    assert response.json()["entry"]["key"] == "product/a b"


@pytest.mark.parametrize(
    ("member", "code"),
    [
        (STRANGER, "auth.unknown_key"),
        (REVOKED, "auth.revoked"),
        (SUSPENDED, "auth.suspended"),
        (ORG_REMOVED, "auth.org_removed"),
        (EXPIRED, "auth.expired"),
        (NOT_YET_VALID, "auth.not_yet_valid"),
    ],
)
async def test_keys_that_may_not_act_are_refused(
    raw: httpx.AsyncClient, ledger: FakeLedger, wall: WallClock, member: Member, code: str
) -> None:
    response = await raw.get(TARGET, headers=signed(member, ledger=ledger, wall=wall))
    assert response.status_code == 401
    assert error_of(response)["code"] == code


async def test_a_refused_request_does_not_spend_its_nonce(
    raw: httpx.AsyncClient, ledger: FakeLedger, wall: WallClock
) -> None:
    headers = signed(PHARMACY, ledger=ledger, wall=wall)
    forged = {
        **headers,
        "X-Rxl-Signature": signed(MAH, ledger=ledger, wall=wall)["X-Rxl-Signature"],
    }
    assert error_of(await raw.get(TARGET, headers=forged))["code"] == "auth.bad_signature"
    await _product(ledger)
    assert (await raw.get(TARGET, headers=headers)).status_code == 200


async def test_credentials_are_checked_even_on_public_endpoints(
    raw: httpx.AsyncClient, ledger: FakeLedger, wall: WallClock
) -> None:
    headers = signed(PHARMACY, ledger=ledger, wall=wall, target="/health")
    headers["X-Rxl-Nonce"] = "f" * 32
    response = await raw.get("/health", headers=headers)
    assert error_of(response)["code"] == "auth.bad_signature"


async def test_submit_needs_no_request_signature(
    raw: httpx.AsyncClient, ledger: FakeLedger
) -> None:
    wire = make_signed_tx(PHARMACY, "trace", "code/x", {"owner": "corner-pharmacy"})
    response = await raw.post("/v1/transactions?wait=true", json={"transaction": b64(wire)})
    assert response.status_code == 200
    assert response.json()["results"][0]["receipt"]["state"] == "committed"
    # The transaction's own signer is what admission judges.
    refused = await raw.post(
        "/v1/transactions", json={"transaction": b64(make_tx("a", 1, signer="eve"))}
    )
    assert error_of(refused)["code"] == "identity.unknown_signer"


async def test_submit_with_request_signature_works_and_is_checked(
    client_as: ClientFactory, raw: httpx.AsyncClient, ledger: FakeLedger, wall: WallClock
) -> None:
    wire = make_signed_tx(DISTRIBUTOR, "trace", "code/y", {"owner": "wholesale-co"})
    async with client_as(DISTRIBUTOR) as distributor:
        response = await distributor.post("/v1/transactions", json={"transaction": b64(wire)})
    assert response.status_code == 202
    signed_body = b'{"transaction": "' + b64(make_tx("b", 2)).encode() + b'"}'
    headers = signed(
        DISTRIBUTOR,
        ledger=ledger,
        wall=wall,
        method="POST",
        target="/v1/transactions",
        body=signed_body,
    )
    swapped = b'{"transaction": "' + b64(make_tx("c", 3)).encode() + b'"}'
    refused = await raw.post(
        "/v1/transactions",
        content=swapped,
        headers={**headers, "Content-Type": "application/json"},
    )
    assert error_of(refused)["code"] == "auth.bad_signature"
    assert len(ledger.pending) == 1  # only the first submit got through


async def test_a_signed_oversized_body_is_refused_before_it_is_read(
    raw: httpx.AsyncClient, ledger: FakeLedger, wall: WallClock
) -> None:
    body = b"x" * 5000  # the fixture's cap is 4096
    headers = signed(
        REGULATOR, ledger=ledger, wall=wall, method="POST", target="/v1/transactions", body=body
    )
    response = await raw.post("/v1/transactions", content=body, headers=headers)
    assert response.status_code == 413
    assert error_of(response)["code"] == "request.too_large"


async def test_identity_lookups_are_per_request_not_cached_forever(
    raw: httpx.AsyncClient, ledger: FakeLedger, wall: WallClock
) -> None:
    # A revocation committed between two requests takes effect at the next one.
    await _product(ledger)
    first = signed(PHARMACY, ledger=ledger, wall=wall)
    assert (await raw.get(TARGET, headers=first)).status_code == 200
    revoked = dataclasses.replace(PHARMACY.identity(), status=IdentityStatus.REVOKED)
    ledger.identities[PHARMACY.key_id] = revoked
    second = signed(PHARMACY, ledger=ledger, wall=wall, nonce="1" * 32)
    assert error_of(await raw.get(TARGET, headers=second))["code"] == "auth.revoked"
