"""Admission: every bad-input class is refused with its stable code, good input passes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from node.admission import Admission
from node.api.errors import status_for_code
from node.errors import AdmissionRejected
from sdk.encoding import encode
from sdk.keys import Domain, Signature, SigningKey
from sdk.tx import SignedTransaction, build
from tests.chaincode.contracts.scenario_msp import MEMBER_UNTIL, key, key_id
from tests.node.chain_fixtures import (
    ADMIN,
    CHAIN_ID,
    LINE,
    T0,
    Replica,
    bump,
    registry,
    tx,
)

WINDOW = 60_000
NOW = T0


@pytest.fixture
def replica(tmp_path: Path) -> Iterator[Replica]:
    replica = Replica(tmp_path / "n1")
    yield replica
    replica.close()


def admission(replica: Replica, *, with_registry: bool = False) -> Admission:
    return Admission(
        chain_id=CHAIN_ID,
        store=replica.store,
        max_tx_bytes=4096,
        time_window_ms=WINDOW,
        registry=registry() if with_registry else None,
    )


def refusal(gate: Admission, wire: bytes, now_ms: int = NOW) -> AdmissionRejected:
    with pytest.raises(AdmissionRejected) as raised:
        gate.admit(wire, now_ms=now_ms)
    return raised.value


def test_a_good_transaction_is_admitted(replica: Replica) -> None:
    good = bump("a")
    admitted = admission(replica, with_registry=True).admit(good.to_wire(), now_ms=NOW)
    assert admitted.tx_id == good.tx_id
    assert admitted.body == good.body


def forged(signed: SignedTransaction) -> bytes:
    return SignedTransaction(
        signed.body, Signature(signed.signature.algorithm, bytes(64))
    ).to_wire()


def stranger_tx() -> bytes:
    stranger = SigningKey.from_seed(bytes(range(32)))
    return (
        build(CHAIN_ID, "counter", "bump", {"key": "a"}, stranger.key_id, client_time_ms=NOW)
        .sign(stranger)
        .to_wire()
    )


CASES: list[tuple[str, Any, str]] = [
    ("oversize", lambda: bump("x" * 5000).to_wire(), "tx.too_large"),
    ("not msgpack", lambda: b"\xc1\xc1", "encoding.malformed"),
    ("trailing bytes", lambda: bump("a").to_wire() + b"\x00", "encoding.trailing_bytes"),
    ("wrong shape", lambda: encode([b"x"]), "tx.malformed"),
    ("body not a tx", lambda: encode([encode([1, 2]), [1, bytes(64)]]), "tx.malformed"),
    ("short signature", lambda: encode([bump("a").body, [1, b"x"]]), "signature.malformed"),
    (
        "unknown algorithm",
        lambda: encode([bump("a").body, [9, bytes(64)]]),
        "key.unsupported_algorithm",
    ),
    ("bad signature", lambda: forged(bump("a")), "signature.invalid"),
    (
        "wrong chain",
        lambda: tx(LINE, "counter", "bump", {"key": "a"}, chain_id="other").to_wire(),
        "tx.wrong_chain",
    ),
    ("expired", lambda: bump("a", at_ms=NOW - WINDOW - 1).to_wire(), "tx.expired"),
    ("from the future", lambda: bump("a", at_ms=NOW + WINDOW + 1).to_wire(), "tx.from_future"),
    ("unknown signer", stranger_tx, "signer.unknown"),
]


@pytest.mark.parametrize(("what", "make", "code"), CASES, ids=[c[0] for c in CASES])
def test_each_bad_input_class_has_its_code(
    replica: Replica, what: str, make: Any, code: str
) -> None:
    refused = refusal(admission(replica), make())
    assert refused.code == code, what
    assert refused.message
    cause = refused.__cause__
    assert cause is None or getattr(cause, "code", None) == code


def test_the_window_edges_are_inside(replica: Replica) -> None:
    gate = admission(replica)
    for at in (NOW - WINDOW, NOW + WINDOW):
        gate.admit(bump("edge", at_ms=at).to_wire(), now_ms=NOW)


def test_a_signature_by_another_key_is_invalid(replica: Replica) -> None:
    good = bump("a")
    other = key(ADMIN).sign(Domain.TRANSACTION, good.body)
    wire = SignedTransaction(good.body, other).to_wire()
    assert refusal(admission(replica), wire).code == "signature.invalid"


def test_a_revoked_signer_is_refused(replica: Replica) -> None:
    gate = admission(replica)
    gate.admit(bump("a").to_wire(), now_ms=NOW)
    revoke = tx(ADMIN, "msp", "revoke", {"key_id": key_id(LINE), "reason": "left"})
    index, data = replica.cut([revoke])
    assert replica.apply(index, data).results == ["ok"]
    refused = refusal(gate, bump("a").to_wire())  # same second: the new height counts
    assert refused.code == "signer.revoked"
    assert status_for_code(refused.code) == 403


def test_an_expired_certificate_is_refused(replica: Replica) -> None:
    later = int(MEMBER_UNTIL.timestamp() * 1000) + 1
    wire = bump("a", at_ms=later).to_wire()
    assert refusal(admission(replica), wire, now_ms=later).code == "signer.expired"


@pytest.mark.parametrize(
    ("contract", "function", "args", "who", "code"),
    [
        ("nosuch", "bump", {"key": "a"}, LINE, "contract.unknown"),
        ("counter", "nosuch", {"key": "a"}, LINE, "contract.unknown_function"),
        ("counter", "bump", {"key": 1}, LINE, "contract.invalid_arguments"),
        ("counter", "bump", ["a"], LINE, "contract.invalid_arguments"),
        (
            "trace",
            "commission",
            {"lot": "L", "production_date": "x", "expiry": "y", "codes": ["01095011015300032112"]},
            ADMIN,
            "permission.missing_role",
        ),
    ],
)
def test_with_a_registry_the_call_is_checked(
    replica: Replica, contract: str, function: str, args: Any, who: str, code: str
) -> None:
    signer = key(who)
    wire = (
        build(CHAIN_ID, contract, function, args, signer.key_id, client_time_ms=NOW)
        .sign(signer)
        .to_wire()
    )
    admission(replica).admit(wire, now_ms=NOW)  # without a registry the call is not checked
    assert refusal(admission(replica, with_registry=True), wire).code == code


def test_admit_many_answers_each_item(replica: Replica) -> None:
    good = bump("a")
    wires = [good.to_wire(), b"\xc1", forged(bump("b")), stranger_tx(), stranger_tx()]
    answers = admission(replica).admit_many(wires, NOW)
    assert isinstance(answers[0], SignedTransaction)
    assert answers[0].tx_id == good.tx_id
    assert [a.code for a in answers[1:] if isinstance(a, AdmissionRejected)] == [
        "encoding.malformed",
        "signature.invalid",
        "signer.unknown",
        "signer.unknown",  # the remembered verdict refuses again
    ]
