"""Reading a submit answer into one (code, committed, message) per transaction."""

from __future__ import annotations

from typing import Any

import httpx

from bench.worker import NOT_COMMITTED, submission_codes


def _answer(status: int, body: Any) -> httpx.Response:
    return httpx.Response(status, json=body)


def _committed(code: str = "ok") -> dict[str, Any]:
    return {
        "tx_id": "aa",
        "accepted": True,
        "receipt": {"tx_id": "aa", "state": "committed", "code": code, "message": "m"},
        "error": None,
    }


def test_every_item_of_a_mixed_batch_gets_its_own_code() -> None:
    pending = {"tx_id": "bb", "accepted": True, "receipt": {"state": "pending"}, "error": None}
    refused = {
        "tx_id": "cc",
        "accepted": False,
        "receipt": None,
        "error": {"code": "signer.unknown", "message": "not enrolled"},
    }
    body = {"results": [_committed(), _committed("trace.not_owner"), pending, refused]}
    codes = submission_codes(_answer(202, body), 4)
    assert [(c, committed) for c, committed, _ in codes] == [
        ("ok", True),
        ("trace.not_owner", True),
        (NOT_COMMITTED, False),
        ("signer.unknown", False),
    ]
    assert codes[3][2] == "not enrolled"


def test_a_whole_request_refusal_counts_for_every_transaction() -> None:
    body = {"error": {"code": "node.no_leader", "message": "no leader"}}
    assert submission_codes(_answer(503, body), 3) == [("node.no_leader", False, "no leader")] * 3


def test_an_answer_that_is_not_json_is_counted_by_status() -> None:
    response = httpx.Response(502, text="bad gateway")
    assert submission_codes(response, 2) == [("http.502", False, "bad gateway")] * 2


def test_a_result_list_of_the_wrong_length_is_not_trusted() -> None:
    body = {"results": [_committed()], "error": None}
    codes = submission_codes(_answer(200, body), 2)
    assert [c for c, _, _ in codes] == ["http.200", "http.200"]
