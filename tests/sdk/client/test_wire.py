"""Reading the API's answers: SSE frames, the resume cursor, ledger values, receipts, errors."""

from __future__ import annotations

import json

import httpx
import pytest

from sdk.client import (
    AccessDenied,
    AuthenticationFailed,
    BadRequest,
    ColdChainRejected,
    ConfigRejected,
    EventPosition,
    MalformedTransaction,
    MspRejected,
    NotFound,
    PermissionRejected,
    ProtocolError,
    Rejected,
    ReleaseRejected,
    ServerError,
    SignerRejected,
    SupplierRejected,
    TraceRejected,
    TxState,
    calls,
)
from sdk.client.errors import error_for
from sdk.client.events import EventCursor, SseDecoder, StreamFailed
from sdk.client.models import parse_receipt
from sdk.client.values import from_json


def frames(text: str) -> list[object]:
    decoder = SseDecoder()
    return [f for line in text.split("\n") if (f := decoder.feed(line)) is not None]


def event_data(height: int, tx_index: int = 0, event_index: int = 0) -> str:
    return json.dumps(
        {
            "height": height,
            "tx_index": tx_index,
            "event_index": event_index,
            "tx_id": "ab" * 32,
            "contract": "trace",
            "type": "t",
            "payload": {"n": {"$bytes": "AQI="}},
        }
    )


def test_sse_decoder_follows_the_field_rules() -> None:
    got = frames(
        ': keep-alive\n\nid: 1-0-0\ndata: {"a":\ndata: 1}\n\nevent: error\ndata:x\n\n'
        "retry: 10\n\nid: 2-0-0\n\n"
    )
    assert [(f.event, f.data, f.id) for f in got] == [  # type: ignore[attr-defined]
        ("message", '{"a":\n1}', "1-0-0"),
        ("error", "x", None),
    ]


def test_the_cursor_skips_what_was_delivered_and_resumes_after_it() -> None:
    cursor = EventCursor(from_height=3, after=None, contracts=["trace"], types=["t"])
    call = cursor.call()
    assert call.params == (("contract", "trace"), ("type", "t"), ("from_height", "3"))
    decoder = SseDecoder()
    delivered = []
    for height, index in [(3, 0), (3, 1), (3, 1), (2, 0), (4, 0)]:
        decoder.feed(f"data: {event_data(height, index)}")
        frame = decoder.feed("")
        assert frame is not None
        event = cursor.accept(frame)
        if event is not None:
            delivered.append(event.position)
    assert delivered == [EventPosition(3, 0, 0), EventPosition(3, 1, 0), EventPosition(4, 0, 0)]
    assert cursor.call().headers == (("Last-Event-ID", "4-0-0"),)
    assert ("from_height", "3") not in cursor.call().params


def test_an_error_frame_fails_the_stream_with_its_code() -> None:
    cursor = EventCursor(from_height=None, after=EventPosition(1, 0, 0), contracts=(), types=())
    (frame,) = frames('event: error\ndata: {"error":{"code":"node.fork_detected","message":"m"}}\n')
    with pytest.raises(StreamFailed) as caught:
        cursor.accept(frame)  # type: ignore[arg-type]
    assert caught.value.code == "node.fork_detected"


def test_event_positions_order_and_parse() -> None:
    assert EventPosition.parse("12-0-1") < EventPosition.parse("12-1-0") < EventPosition(13, 0, 0)
    assert str(EventPosition(5, 6, 7)) == "5-6-7"
    with pytest.raises(ValueError, match="height"):
        EventPosition.parse("12-a")


def test_ledger_values_untag_bytes_and_refuse_floats() -> None:
    assert from_json({"a": [{"$bytes": "AQI="}, "$bytes", None]}) == {
        "a": [b"\x01\x02", "$bytes", None]
    }
    assert from_json({"$bytes": "AQI=", "x": 1}) == {"$bytes": "AQI=", "x": 1}
    with pytest.raises(ProtocolError):
        from_json(1.5)
    with pytest.raises(ProtocolError):
        from_json({"$bytes": "not base64!"})


def test_receipts_parse_and_give_their_outcome() -> None:
    committed = parse_receipt(
        {"tx_id": "ab" * 32, "state": "committed", "code": "trace.recalled", "message": "m",
         "height": 3, "index": 1, "block_hash": "cd" * 32, "block_time_ms": 5, "result": None}
    )  # fmt: skip
    assert committed.state is TxState.COMMITTED
    assert not committed.ok
    with pytest.raises(TraceRejected) as caught:
        committed.outcome()
    assert caught.value.receipt is committed
    pending = parse_receipt({"tx_id": "ab" * 32, "state": "pending", "code": "", "message": ""})
    with pytest.raises(ValueError, match="pending"):
        pending.outcome()
    with pytest.raises(ProtocolError, match="state"):
        parse_receipt({"tx_id": "x", "state": "lost", "code": "", "message": ""})


@pytest.mark.parametrize(
    ("code", "status", "cls"),
    [
        ("auth.stale", 401, AuthenticationFailed),
        ("access.denied", 403, AccessDenied),
        ("request.invalid", 400, BadRequest),
        ("route.not_found", 404, NotFound),
        ("state.not_found", 404, NotFound),
        ("internal", 500, ServerError),
        ("signer.revoked", 403, SignerRejected),
        ("identity.unknown_signer", 401, SignerRejected),
        ("permission.missing_role", 403, PermissionRejected),
        ("contract.invalid_arguments", 400, MalformedTransaction),
        ("tx.wrong_chain", 400, MalformedTransaction),
        ("trace.already_dispensed", 422, TraceRejected),
        ("supplier.not_approved", 422, SupplierRejected),
        ("coldchain.unknown_leg", 422, ColdChainRejected),
        ("release.not_released", 422, ReleaseRejected),
        ("msp.last_admin", 422, MspRejected),
        ("cert.expired", 422, MspRejected),
        ("config.not_eligible", 422, ConfigRejected),
        ("acme_contract.nope", 422, Rejected),
    ],
)
def test_error_codes_map_to_their_family(code: str, status: int, cls: type) -> None:
    error = error_for(code, "m", status=status)
    assert type(error) is cls
    assert error.code == code
    assert str(error) == f"{code}: m"


def test_answers_that_are_not_the_api_shape() -> None:
    request = httpx.Request("GET", "http://n/v1/blocks/1")
    proxy = httpx.Response(502, text="<html>bad gateway</html>", request=request)
    error = calls.error_of(proxy)
    assert isinstance(error, ServerError)
    assert error.code == "http.502"
    submit = calls.submit([b"\x01"], ["ab" * 32], wait=True, timeout_s=1.0)
    gave_up = httpx.Response(504, json={"error": {"code": "tx.wait_timeout", "message": "m"}})
    (result,) = submit.parse(gave_up)
    assert (result.receipt, result.error) == (None, None)
    mismatched = httpx.Response(
        200, json={"results": [{"tx_id": "cd" * 32, "accepted": True, "receipt": None}]}
    )
    with pytest.raises(ProtocolError):
        submit.parse(mismatched)
