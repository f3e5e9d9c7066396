"""ApiLedger against a fake node (httpx.MockTransport): what it sends is what docs/api.md
asks for (msgpack batches of signed transactions, signed requests, anonymous verify), and
it follows 503s, pending receipts and duplicates to the committed receipt."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from network.consortium import default_orgs, generate_consortium
from network.demo.api import ApiLedger
from network.demo.catalog import MAKER, PHARMACIST, MemberRef
from network.demo.errors import DemoNodeError, DemoRefused, DemoSetupError
from node.api.auth.canonical import request_message
from sdk.encoding import decode
from sdk.keyfile import load_key
from sdk.keys import Algorithm, Domain, Signature
from sdk.tx import SignedTransaction

Handler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture(scope="module")
def consortium(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("demo-api") / "net"
    generate_consortium(
        directory, default_orgs(), insecure_dev_keys=True, check_ports=False, base_api_port=7100
    )
    return directory


def _ledger(directory: Path, handler: Handler, **kw: Any) -> ApiLedger:
    client = httpx.Client(transport=httpx.MockTransport(handler))
    return ApiLedger(directory, client=client, retry_s=0.0, **kw)


def _member_key_check(directory: Path, member: MemberRef, request: httpx.Request) -> None:
    """The request is signed by ``member`` as docs/api.md, Signed requests, says."""
    key = load_key(directory / member.org / "members" / f"{member.name}.key", "")
    headers = request.headers
    assert headers["X-Rxl-Key-Id"] == key.key_id.hex()
    message = request_message(
        chain_id="rxledger-dev",
        method=request.method,
        target=request.url.raw_path.decode(),
        timestamp_ms=int(headers["X-Rxl-Timestamp"]),
        nonce=headers["X-Rxl-Nonce"],
        body=request.content,
    )
    raw = base64.b64decode(headers["X-Rxl-Signature"].removeprefix("ed25519:"))
    key.public_key.verify(Domain.REQUEST, message, Signature(Algorithm.ED25519, raw))


def _receipt(tx_id: str, state: str = "committed", code: str = "ok") -> dict[str, Any]:
    return {"tx_id": tx_id, "state": state, "code": code, "message": "", "result": {"n": 1}}


def _submitted(request: httpx.Request) -> SignedTransaction:
    assert request.headers["Content-Type"] == "application/msgpack"
    assert request.url.params["wait"] == "true"
    wires = decode(request.content)
    assert isinstance(wires, list)
    assert len(wires) == 1
    return SignedTransaction.from_wire(wires[0])


def _item(signed: SignedTransaction, **fields: Any) -> dict[str, Any]:
    return {"results": [{"tx_id": signed.tx_id.hex(), **fields}], "error": None}


def test_a_503_is_asked_again_with_the_same_transaction(consortium: Path) -> None:
    bodies: list[bytes] = []

    def node(request: httpx.Request) -> httpx.Response:
        signed = _submitted(request)
        bodies.append(request.content)
        if len(bodies) == 1:
            error = {"code": "node.no_leader", "message": "no leader"}
            return httpx.Response(503, json={**_item(signed, accepted=False, error=error)})
        receipt = _receipt(signed.tx_id.hex())
        return httpx.Response(200, json=_item(signed, accepted=True, receipt=receipt))

    with _ledger(consortium, node) as ledger:
        outcome = ledger.submit(MAKER, "trace", "register_product", {"product_key": "x"})
    assert (outcome.ok, outcome.result) == (True, {"n": 1})
    assert len(bodies) == 2
    assert bodies[0] == bodies[1]
    signed = SignedTransaction.from_wire(decode(bodies[0])[0])
    key = load_key(consortium / "manufacturer" / "members" / "operator.key", "")
    signed.verify(key.public_key)
    assert (signed.tx.contract, signed.tx.function) == ("trace", "register_product")


def test_a_pending_or_duplicate_transaction_is_followed_to_its_receipt(consortium: Path) -> None:
    for first in ("pending", "duplicate"):
        polls: list[str] = []

        def node(request: httpx.Request, first: str = first, polls: list[str] = polls) -> Any:
            if request.method == "POST":
                signed = _submitted(request)
                if first == "pending":
                    receipt = _receipt(signed.tx_id.hex(), state="pending")
                    return httpx.Response(202, json=_item(signed, accepted=True, receipt=receipt))
                error = {"code": "tx.duplicate", "message": "committed before"}
                return httpx.Response(409, json=_item(signed, accepted=False, error=error))
            _member_key_check(consortium, PHARMACIST, request)
            polls.append(request.headers["X-Rxl-Nonce"])
            tx_id = request.url.path.rsplit("/", 1)[1]
            state = "committed" if len(polls) == 2 else "pending"
            return httpx.Response(200, json=_receipt(tx_id, state=state, code="trace.not_owner"))

        with _ledger(consortium, node) as ledger:
            outcome = ledger.submit(PHARMACIST, "trace", "dispense", {"code": "c"})
        assert outcome.code == "trace.not_owner", first
        assert len(set(polls)) == 2  # each poll signed afresh


def test_each_org_submits_to_its_own_node_and_a_refusal_names_its_code(
    consortium: Path,
) -> None:
    hosts: list[str] = []

    def node(request: httpx.Request) -> httpx.Response:
        hosts.append(f"{request.url.host}:{request.url.port}")
        signed = _submitted(request)
        error = {"code": "signer.unknown", "message": "not enrolled"}
        return httpx.Response(401, json=_item(signed, accepted=False, error=error))

    with _ledger(consortium, node) as ledger, pytest.raises(DemoRefused) as caught:
        ledger.submit(PHARMACIST, "trace", "dispense", {"code": "c"})
    assert caught.value.code == "signer.unknown"
    assert "trace.dispense as pharmacist@pharmacy" in str(caught.value)
    assert hosts == ["127.0.0.1:7102"]


def test_queries_are_signed_and_verify_is_anonymous(consortium: Path) -> None:
    def node(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/verify":
            assert "X-Rxl-Key-Id" not in request.headers
            return httpx.Response(200, json={"code": request.url.params["code"]})
        _member_key_check(consortium, MAKER, request)
        assert json.loads(request.content) == {"args": {"product_key": "p", "lot": "L"}}
        if request.url.path.endswith("/get_batch"):
            return httpx.Response(200, json={"result": {"status": None}})
        error = {"code": "auth.required", "message": "members only"}
        return httpx.Response(403, json={"error": error})

    with _ledger(consortium, node) as ledger:
        assert ledger.verify("sgtin:1.2") == {"code": "sgtin:1.2"}
        args = {"product_key": "p", "lot": "L"}
        assert ledger.query(MAKER, "release", "get_batch", args) == {"status": None}
        with pytest.raises(DemoRefused) as caught:
            ledger.query(MAKER, "release", "release_blockers", args)
    assert caught.value.code == "auth.required"


def test_an_unreachable_node_says_to_check_the_network(consortium: Path) -> None:
    def node(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with (
        _ledger(consortium, node) as ledger,
        pytest.raises(DemoNodeError, match="rxl network status"),
    ):
        ledger.verify("sgtin:1.2")


def test_a_receipt_that_never_commits_ends_at_the_deadline(consortium: Path) -> None:
    def node(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            signed = _submitted(request)
            receipt = _receipt(signed.tx_id.hex(), state="pending")
            return httpx.Response(202, json=_item(signed, accepted=True, receipt=receipt))
        tx_id = request.url.path.rsplit("/", 1)[1]
        return httpx.Response(200, json=_receipt(tx_id, state="pending"))

    with (
        _ledger(consortium, node, deadline_s=0.0) as ledger,
        pytest.raises(DemoNodeError, match="not committed"),
    ):
        ledger.submit(MAKER, "trace", "recall", {})


def test_keys_under_a_passphrase_need_it(consortium: Path) -> None:
    with (
        _ledger(consortium, lambda _r: httpx.Response(500), passphrase="wrong") as ledger,
        pytest.raises(DemoSetupError, match="RXL_KEY_PASSPHRASE"),
    ):
        ledger.key(MAKER)


def test_a_consortium_without_the_demo_orgs_is_refused_plainly(tmp_path: Path) -> None:
    directory = tmp_path / "net"
    orgs = [o for o in default_orgs() if o.name != "pharmacy"]
    generate_consortium(directory, orgs, insecure_dev_keys=True, check_ports=False)
    with (
        _ledger(directory, lambda _r: httpx.Response(500)) as ledger,
        pytest.raises(DemoSetupError, match="no pharmacy node"),
    ):
        ledger.url("pharmacy")
