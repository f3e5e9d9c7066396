"""Every class of bad client input over HTTP gets its status and stable code (docs/api.md,
Errors), and the node keeps committing afterwards.

The shared 3-node network runs with small limits (conftest ``SHARED_LIMITS``): 64 KiB bodies,
50 transactions per batch, 4 KiB per transaction.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Callable, Iterator
from typing import Any

import msgpack
import pytest

from sdk.keys import Domain, SigningKey
from sdk.tx import SignedTransaction
from tests.e2e.conftest import SHARED_LIMITS, registrations
from tests.e2e.harness import Cluster
from tests.e2e.transactions import Registrations

pytestmark = pytest.mark.e2e

MSGPACK = "application/msgpack"
JSON = "application/json"
HOUR_MS = 3_600_000


@pytest.fixture
def node(three_nodes: Cluster) -> int:
    """A follower: bad input must be refused before anything is forwarded."""
    leader = three_nodes.wait_leader()
    return next(n for n in three_nodes.ids if n != leader)


@pytest.fixture
def factory(three_nodes: Cluster) -> Registrations:
    return registrations(three_nodes)


@pytest.fixture(autouse=True)
def still_serving(three_nodes: Cluster) -> Iterator[None]:
    """After each test every node is healthy and a transaction still commits everywhere."""
    yield
    cluster = three_nodes
    leader = cluster.wait_leader()
    response = cluster.submit(leader, registrations(cluster).batch(1))
    assert response.status_code == 200, response.text
    cluster.wait_height(response.json()["results"][0]["receipt"]["height"])
    for node_id in cluster.ids:
        health = cluster.health(node_id)
        assert health is not None
        assert health["healthy"], health


def _refused(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    document: dict[str, Any] = response.json()
    assert document["error"]["code"] == code, document
    assert document["error"]["message"], document
    return document


def _packed(*wires: bytes) -> bytes:
    packed: bytes = msgpack.packb(list(wires))
    return packed


def _submit_raw(cluster: Cluster, node: int, body: bytes, content_type: str = MSGPACK) -> Any:
    return cluster.post_raw(node, "/v1/transactions", body, content_type=content_type)


# -- bodies that do not decode ---------------------------------------------------------------

BODIES: list[tuple[str, bytes, str, int, str]] = [
    ("JSON that does not parse", b'{"transactions": [', JSON, 400, "request.invalid_json"),
    ("JSON of the wrong shape", b'{"transactions": 5}', JSON, 400, "request.invalid"),
    ("JSON with both fields", b'{"transaction": "AA==", "transactions": []}', JSON, 400,
     "request.invalid"),
    ("JSON with an unknown field", b'{"transaction": "AA==", "x": 1}', JSON, 400,
     "request.invalid"),
    ("a JSON array", b"[]", JSON, 400, "request.invalid"),
    ("bad base64", b'{"transaction": "not base64!"}', JSON, 400, "request.invalid_base64"),
    ("msgpack that does not parse", b"\xc1\x00", MSGPACK, 400, "request.invalid_msgpack"),
    ("msgpack with trailing bytes", msgpack.packb([b"x"]) + b"\x00", MSGPACK, 400,
     "request.invalid_msgpack"),
    ("a msgpack map", msgpack.packb({"a": 1}), MSGPACK, 400, "request.invalid"),
    ("a msgpack array of strings", msgpack.packb(["tx"]), MSGPACK, 400, "request.invalid"),
    ("an empty batch", msgpack.packb([]), MSGPACK, 400, "request.invalid"),
    ("an empty body", b"", MSGPACK, 400, "request.invalid_msgpack"),
    ("plain text", b"hello", "text/plain", 415, "request.unsupported_media_type"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [case[1:] for case in BODIES],
    ids=[case[0] for case in BODIES],
)
def test_a_body_that_does_not_decode_is_refused(
    three_nodes: Cluster, node: int, body: bytes, content_type: str, status: int, code: str
) -> None:
    _refused(_submit_raw(three_nodes, node, body, content_type), status, code)


def test_an_oversized_body_is_refused_before_it_is_read(three_nodes: Cluster, node: int) -> None:
    too_big = b"\x00" * (SHARED_LIMITS["max_body_bytes"] + 1)
    _refused(_submit_raw(three_nodes, node, too_big), 413, "request.too_large")

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while it streams
        for _ in range(4):
            yield b"\x00" * (SHARED_LIMITS["max_body_bytes"] // 2)

    response = three_nodes.http.post(
        three_nodes.url(node, "/v1/transactions"),
        content=chunks(),
        headers={"content-type": MSGPACK},
    )
    _refused(response, 413, "request.too_large")


def test_a_batch_over_the_limit_is_refused(
    three_nodes: Cluster, node: int, factory: Registrations
) -> None:
    response = three_nodes.submit(node, factory.batch(SHARED_LIMITS["max_batch"] + 1))
    _refused(response, 413, "request.too_many_transactions")


def test_bad_query_parameters_are_refused(three_nodes: Cluster, node: int) -> None:
    for params in ({"wait": "maybe"}, {"wait": "true", "timeout": "0"},
                   {"wait": "true", "timeout": "100000"}):  # fmt: skip
        response = three_nodes.http.post(
            three_nodes.url(node, "/v1/transactions"),
            content=_packed(b"x"),
            headers={"content-type": MSGPACK},
            params=params,
        )
        _refused(response, 400, "request.invalid")


def test_wrong_routes_and_methods(three_nodes: Cluster, node: int) -> None:
    _refused(three_nodes.http.get(three_nodes.url(node, "/v1/transactions")), 405,
             "request.method_not_allowed")  # fmt: skip
    _refused(three_nodes.http.get(three_nodes.url(node, "/v1/nothing-here")), 404,
             "route.not_found")  # fmt: skip


# -- transactions that are refused at admission ---------------------------------------------


def _forged(factory: Registrations) -> SignedTransaction:
    """Names the operator as signer, signed by another key."""
    body = factory.unsigned().body()
    return SignedTransaction(body, SigningKey.generate().sign(Domain.TRANSACTION, body))


def _stranger(factory: Registrations) -> SignedTransaction:
    """Signed by a key no org enrolled."""
    key = SigningKey.generate()
    return factory.unsigned(signer=key.key_id).sign(key)


def _oversized(factory: Registrations) -> SignedTransaction:
    tx = factory.unsigned()
    args = dict(tx.args, trade_name="x" * SHARED_LIMITS["max_tx_bytes"])
    return dataclasses.replace(tx, args=args).sign(factory.key)


def _now_ms(factory: Registrations) -> int:
    return int(factory.unsigned().client_time_ms)


TxCase = Callable[[Cluster, Registrations], bytes]

TRANSACTIONS: list[tuple[str, TxCase, int, str]] = [
    ("bytes that are not msgpack", lambda c, f: b"\xc1", 400, "encoding.malformed"),
    ("msgpack that is not a transaction", lambda c, f: b"\x93\x01\x02\x03", 400,
     "tx.malformed"),
    ("bad signature", lambda c, f: _forged(f).to_wire(), 401, "signature.invalid"),
    ("unknown signer", lambda c, f: _stranger(f).to_wire(), 401, "signer.unknown"),
    ("wrong chain", lambda c, f: f.one(chain_id="another-chain").to_wire(), 400,
     "tx.wrong_chain"),
    ("expired client time", lambda c, f: f.one(client_time_ms=_now_ms(f) - 24 * HOUR_MS)
     .to_wire(), 400, "tx.expired"),
    ("client time from the future", lambda c, f: f.one(client_time_ms=_now_ms(f) + 24 * HOUR_MS)
     .to_wire(), 400, "tx.from_future"),
    ("over the transaction size limit", lambda c, f: _oversized(f).to_wire(), 413,
     "tx.too_large"),
    ("unknown contract", lambda c, f: f.one(contract="nosuch").to_wire(), 404,
     "contract.unknown"),
    ("unknown function", lambda c, f: f.one(function="nosuch").to_wire(), 404,
     "contract.unknown_function"),
    ("bad arguments", lambda c, f: f.one(args={"product_key": 7}).to_wire(), 400,
     "contract.invalid_arguments"),
    ("missing role", lambda c, f: Registrations(
        c.chain_id, c.member_key("distributor", "operator")).one().to_wire(), 403,
     "permission.missing_role"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("make", "status", "code"),
    [case[1:] for case in TRANSACTIONS],
    ids=[case[0] for case in TRANSACTIONS],
)
@pytest.mark.parametrize("encoding", ["msgpack", "json"])
def test_a_refused_transaction_gets_its_code(
    three_nodes: Cluster,
    node: int,
    factory: Registrations,
    make: TxCase,
    status: int,
    code: str,
    encoding: str,
) -> None:
    wire = make(three_nodes, factory)
    if encoding == "msgpack":
        response = _submit_raw(three_nodes, node, _packed(wire))
    else:
        body = json.dumps({"transaction": base64.b64encode(wire).decode("ascii")}).encode()
        response = _submit_raw(three_nodes, node, body, JSON)
    document = _refused(response, status, code)
    (item,) = document["results"]
    assert not item["accepted"]
    assert item["receipt"] is None
    assert item["error"]["code"] == code


def test_a_mixed_batch_commits_the_good_and_names_each_refusal(
    three_nodes: Cluster, node: int, factory: Registrations
) -> None:
    good = factory.one()
    batch = [good.to_wire(), _forged(factory).to_wire(), b"\x93\x01\x02\x03", good.to_wire()]

    response = three_nodes.post_raw(
        node,
        "/v1/transactions",
        _packed(*batch),
        content_type=MSGPACK,
        params={"wait": "true", "timeout": "10"},
    )

    assert response.status_code == 200, response.text
    document = response.json()
    assert document["error"] is None
    items = document["results"]
    assert [i["accepted"] for i in items] == [True, False, False, True]
    assert [i["error"]["code"] for i in items[1:3]] == ["signature.invalid", "tx.malformed"]
    assert items[0]["receipt"]["state"] == "committed"
    assert items[3]["receipt"] == items[0]["receipt"]


def test_a_contract_refusal_commits_with_its_code(
    three_nodes: Cluster, node: int, factory: Registrations
) -> None:
    # Well formed and allowed by role, refused by the contract's rule: committed, code on it.
    tx = factory.unsigned()
    not_ours = dataclasses.replace(tx, args=dict(tx.args, mah_org="distributor")).sign(factory.key)

    response = three_nodes.submit(node, [not_ours])

    assert response.status_code == 200, response.text
    receipt = response.json()["results"][0]["receipt"]
    assert receipt["state"] == "committed"
    assert receipt["code"] == "trace.not_mah"


# -- reads ------------------------------------------------------------------------------------


def test_reads_of_what_is_not_there_are_404(three_nodes: Cluster, node: int) -> None:
    _refused(three_nodes.get(node, f"/v1/transactions/{'ab' * 32}"), 404, "tx.not_found")
    _refused(three_nodes.get(node, "/v1/blocks/999999999"), 404, "block.not_found")
    _refused(three_nodes.get(node, f"/v1/blocks/by-hash/{'cd' * 32}"), 404, "block.not_found")
    _refused(three_nodes.get(node, f"/v1/proofs/{'ef' * 32}"), 404, "proof.not_found")


def test_reads_without_valid_credentials_are_401(three_nodes: Cluster, node: int) -> None:
    url = three_nodes.url(node, "/v1/blocks/0")
    _refused(three_nodes.http.get(url), 401, "auth.required")
    signed = three_nodes.get(node, "/v1/blocks/0").request.headers
    forged = dict(signed)
    forged["x-rxl-nonce"] = "0123456789abcdef0123456789abcdef"  # not what was signed
    _refused(three_nodes.http.get(url, headers=forged), 401, "auth.bad_signature")
    _refused(three_nodes.http.get(url, headers=signed), 401, "auth.replayed")
    partial = {"x-rxl-key-id": signed["x-rxl-key-id"]}
    _refused(three_nodes.http.get(url, headers=partial), 401, "auth.malformed")
