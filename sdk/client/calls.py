"""Every API request as data: a :class:`Call` says what to send and how to read the answer.

Sans-I/O (in the spirit of h11): the sync and async clients send the same calls through
their own httpx client, with the same fail-over and signing, and hand the final answer to
``call.parse``. Nothing here touches the network.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Generic, TypeVar
from urllib.parse import quote

import httpx

from sdk.block import Block
from sdk.client.errors import (
    ApiError,
    ClientError,
    ProtocolError,
    ServerError,
    error_for,
)
from sdk.client.models import (
    BlockInfo,
    Consistency,
    Health,
    Page,
    Proof,
    Receipt,
    StateEntry,
    SubmitResult,
    Verification,
    parse_block,
    parse_entry,
    parse_entry_page,
    parse_health,
    parse_proof,
    parse_receipt,
    parse_verification,
)
from sdk.client.retry import RETRY_STATUSES
from sdk.client.values import Fields, LedgerValue, from_json
from sdk.encoding import encode

T = TypeVar("T")

MSGPACK: Final = "application/msgpack"
JSON: Final = "application/json"
SERVER_MAX_WAIT_S: Final = 30.0
"""The longest a node holds a waited submit by default (docs/api.md, Limits: max_wait_s)."""


@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    """One API request: method, path (already percent-encoded), query, body, and its reader."""

    method: str
    path: str
    parse: Callable[[httpx.Response], T]
    params: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    content_type: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    signed: bool = True
    """Sign it when the client has an identity (reads are authenticated per request)."""
    wait_s: float = 0.0
    """How long the node may hold the answer on purpose (added to the read timeout)."""
    retry_statuses: frozenset[int] = field(default=RETRY_STATUSES)


# --- reading answers ----------------------------------------------------------------------


def error_of(response: httpx.Response, *, tx_id: str | None = None) -> ClientError:
    """The typed error of a non-2xx answer (the ``{"error": {code, message}}`` shape)."""
    status = response.status_code
    try:
        error = Fields(response.json(), "error answer").fields("error")
        code, message = error.text("code"), error.text("message")
    except (ValueError, ProtocolError):
        text = response.text[:200].strip() or response.reason_phrase
        cls = ServerError if status >= 500 else ApiError
        return cls(
            f"HTTP {status} from {response.url}: {text}", code=f"http.{status}", status=status
        )
    return error_for(code, message, status=status, tx_id=tx_id)


def json_ok(response: httpx.Response) -> Any:
    """The JSON body of a 2xx answer; the typed error otherwise."""
    if not response.is_success:
        raise error_of(response)
    try:
        return response.json()
    except ValueError as exc:
        raise ProtocolError(f"{response.url} answered {response.status_code} without JSON") from exc


def _segment(text: str) -> str:
    return quote(text, safe="")


def _key_path(key: str) -> str:
    if not key:
        raise ValueError("a state key is not empty")
    return quote(key, safe="/:@")


# --- transactions -------------------------------------------------------------------------


def submit(
    wires: Sequence[bytes], tx_ids: Sequence[str], *, wait: bool, timeout_s: float | None
) -> Call[list[SubmitResult]]:
    """``POST /v1/transactions`` as msgpack (an array of bin): one result per transaction."""
    params: list[tuple[str, str]] = [("wait", "true" if wait else "false")]
    if wait and timeout_s is not None:
        params.append(("timeout", f"{timeout_s:.3f}"))

    def parse(response: httpx.Response) -> list[SubmitResult]:
        if response.status_code == 504:
            # The node gave up waiting (tx.wait_timeout): still pending, may commit.
            return [SubmitResult(tx_id, None, None) for tx_id in tx_ids]
        try:
            document = response.json()
        except ValueError:
            document = None
        if not (isinstance(document, dict) and "results" in document):
            raise error_of(response)
        return _submit_results(document, tx_ids, response.status_code)

    return Call(
        "POST",
        "/v1/transactions",
        parse,
        params=tuple(params),
        body=encode(list(wires)),
        content_type=MSGPACK,
        signed=False,
        wait_s=_held_for(wait, timeout_s),
    )


def _held_for(wait: bool, timeout_s: float | None) -> float:
    if not wait:
        return 0.0
    return SERVER_MAX_WAIT_S if timeout_s is None else timeout_s


def _submit_results(document: object, tx_ids: Sequence[str], status: int) -> list[SubmitResult]:
    items = Fields(document, "submit answer").items("results")
    if len(items) != len(tx_ids):
        raise ProtocolError(f"submitted {len(tx_ids)} transactions, got {len(items)} results")
    results = []
    for item, expected in zip(items, tx_ids, strict=True):
        f = Fields(item, "submit result")
        if f.text("tx_id") != expected:
            raise ProtocolError(f"result for {f.text('tx_id')} where {expected} was expected")
        if f.flag("accepted"):
            receipt = None if item_is_null(item, "receipt") else parse_receipt(f.raw("receipt"))
            results.append(SubmitResult(expected, receipt, None))
        else:
            error = f.fields("error")
            code, message = error.text("code"), error.text("message")
            results.append(
                SubmitResult(
                    expected, None, error_for(code, message, status=status, tx_id=expected)
                )
            )
    return results


def item_is_null(document: object, name: str) -> bool:
    return isinstance(document, dict) and document.get(name) is None


def receipt(tx_id: str) -> Call[Receipt]:
    return Call(
        "GET",
        f"/v1/transactions/{_segment(tx_id)}",
        lambda response: parse_receipt(json_ok(response)),
    )


# --- state, history, queries --------------------------------------------------------------


def get_state(contract: str, key: str, consistency: Consistency) -> Call[StateEntry | None]:
    def parse(response: httpx.Response) -> StateEntry | None:
        if response.status_code == 404:
            error = error_of(response)
            if error.code == "state.not_found":
                return None
            raise error
        return parse_entry(Fields(json_ok(response), "state answer").mapping("entry"))

    return Call(
        "GET",
        f"/v1/state/{_segment(contract)}/{_key_path(key)}",
        parse,
        params=(("consistency", consistency.value),),
    )


def _page_params(cursor: str | None, limit: int | None) -> list[tuple[str, str]]:
    params = []
    if cursor is not None:
        params.append(("cursor", cursor))
    if limit is not None:
        params.append(("limit", str(limit)))
    return params


def state_page(
    contract: str,
    prefix: str,
    *,
    cursor: str | None,
    limit: int | None,
    consistency: Consistency,
) -> Call[Page[StateEntry]]:
    params = [("prefix", prefix), *_page_params(cursor, limit), ("consistency", consistency.value)]
    return Call(
        "GET",
        f"/v1/state/{_segment(contract)}",
        lambda response: parse_entry_page(json_ok(response)),
        params=tuple(params),
    )


def history_page(
    contract: str, key: str, *, cursor: str | None, limit: int | None
) -> Call[Page[StateEntry]]:
    return Call(
        "GET",
        f"/v1/history/{_segment(contract)}/{_key_path(key)}",
        lambda response: parse_entry_page(json_ok(response)),
        params=tuple(_page_params(cursor, limit)),
    )


def query(contract: str, function: str, args: Mapping[str, object] | None) -> Call[LedgerValue]:
    """``POST /v1/query/{contract}/{function}`` with ``{"args": {...}}`` (JSON values only)."""
    try:
        body = json.dumps({"args": dict(args or {})}, separators=(",", ":")).encode()
    except TypeError as exc:
        raise ValueError(f"query arguments must be JSON values (no bytes): {exc}") from exc
    return Call(
        "POST",
        f"/v1/query/{_segment(contract)}/{_segment(function)}",
        lambda response: from_json(Fields(json_ok(response), "query answer").value("result")),
        body=body,
        content_type=JSON,
    )


def verify_code(code: str) -> Call[Verification]:
    """The public pharmacy check (no credentials needed)."""
    return Call(
        "GET",
        "/v1/verify",
        lambda response: parse_verification(json_ok(response)),
        params=(("code", code),),
        signed=False,
    )


# --- blocks and proofs --------------------------------------------------------------------


def block(height: int) -> Call[BlockInfo]:
    if height < 0:
        raise ValueError("a block height is >= 0")
    return Call("GET", f"/v1/blocks/{height}", lambda response: parse_block(json_ok(response)))


def block_by_hash(block_hash: str) -> Call[BlockInfo]:
    return Call(
        "GET",
        f"/v1/blocks/by-hash/{_segment(block_hash)}",
        lambda response: parse_block(json_ok(response)),
    )


def latest_block() -> Call[BlockInfo]:
    return Call("GET", "/v1/blocks/latest", lambda response: parse_block(json_ok(response)))


def raw_block(height: int) -> Call[Block]:
    """The block's canonical bytes (regulators), decoded and checked: roots and hash."""

    def parse(response: httpx.Response) -> Block:
        if not response.is_success:
            raise error_of(response)
        decoded = Block.from_wire(response.content)
        claimed = response.headers.get("X-Block-Hash")
        if claimed is not None and claimed != decoded.block_hash.hex():
            raise ProtocolError(f"block {height}: X-Block-Hash does not match its header bytes")
        return decoded

    return Call("GET", f"/v1/blocks/{height}", parse, params=(("format", "raw"),))


def proof(tx_id: str) -> Call[Proof]:
    return Call(
        "GET", f"/v1/proofs/{_segment(tx_id)}", lambda response: parse_proof(json_ok(response))
    )


# --- operations ---------------------------------------------------------------------------


def health() -> Call[Health]:
    """``GET /health``: a 503 still carries the report (no leader, fork alarm), so it is read,
    not retried."""

    def parse(response: httpx.Response) -> Health:
        if response.status_code in (200, 503):
            try:
                return parse_health(response.json())
            except (ValueError, ProtocolError):
                raise error_of(response) from None
        raise error_of(response)

    return Call("GET", "/health", parse, signed=False, retry_statuses=frozenset({429, 502}))
