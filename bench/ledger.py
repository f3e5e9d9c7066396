"""A small synchronous client for preparing ledger state and reading node status.

Preparation must succeed completely, so :meth:`LedgerClient.submit` raises
:class:`SetupFailed` unless every transaction committed with code ``ok``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from types import TracebackType
from typing import Any, Final, Self

import httpx

from bench.auth import RequestSigner
from bench.errors import SetupFailed
from bench.plan import TxSpec
from sdk.encoding import encode
from sdk.keys import SigningKey
from sdk.tx import build

SETUP_WAIT_S: Final = 30.0
MAX_SETUP_BATCH: Final = 200
"""Transactions per set-up request (the node's default max_batch is 5000; bodies stay small)."""


class LedgerClient:
    """Talks to one node's API (``api``) as the members in ``keys``."""

    def __init__(self, api: str, chain_id: str, keys: dict[str, SigningKey]) -> None:
        self.api = api
        self.chain_id = chain_id
        self.keys = keys
        self._http = httpx.Client(timeout=SETUP_WAIT_S + 30.0)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._http.close()

    def submit(self, specs: Sequence[TxSpec]) -> list[Any]:
        """Sign, submit with ``wait=true`` and return each transaction's result."""
        results: list[Any] = []
        for start in range(0, len(specs), MAX_SETUP_BATCH):
            results.extend(self._submit_batch(specs[start : start + MAX_SETUP_BATCH]))
        return results

    def _submit_batch(self, specs: Sequence[TxSpec]) -> list[Any]:
        wires = []
        for spec in specs:
            key = self.keys[spec.signer]
            unsigned = build(self.chain_id, spec.contract, spec.function, spec.args, key.key_id)
            wires.append(unsigned.sign(key).to_wire())
        try:
            response = self._http.post(
                f"{self.api}/v1/transactions",
                params={"wait": "true", "timeout": str(SETUP_WAIT_S)},
                content=encode(wires),
                headers={"content-type": "application/msgpack"},
            )
        except httpx.HTTPError as exc:
            raise SetupFailed(f"cannot reach {self.api} ({exc}); is the network up?") from exc
        body = _json(response)
        items = body.get("results") if isinstance(body, dict) else None
        if not isinstance(items, list) or len(items) != len(specs):
            raise SetupFailed(
                f"{self.api} refused a set-up batch: HTTP {response.status_code} {body}"
            )
        return [_committed_result(spec, item) for spec, item in zip(specs, items, strict=True)]

    def query(self, contract: str, function: str, args: dict[str, Any], *, signer: str) -> Any:
        """A read-only contract call, signed as ``signer``."""
        auth = RequestSigner(self.keys[signer], chain_id=self.chain_id)
        response = self._http.post(
            f"{self.api}/v1/query/{contract}/{function}", json={"args": args}, auth=auth
        )
        body = _json(response)
        if response.status_code != 200:
            raise SetupFailed(f"query {contract}.{function} failed: {body}")
        return body["result"]

    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000

    def health(self) -> dict[str, Any]:
        response = self._http.get(f"{self.api}/health")
        body = _json(response)
        if not isinstance(body, dict):
            raise SetupFailed(f"{self.api}/health did not answer a JSON object")
        return body


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return {"status": response.status_code, "text": response.text[:300]}


def _committed_result(spec: TxSpec, item: Any) -> Any:
    what = f"{spec.contract}.{spec.function}"
    if not item.get("accepted"):
        raise SetupFailed(f"set-up transaction {what} was refused: {item.get('error')}")
    receipt = item.get("receipt") or {}
    if receipt.get("state") != "committed":
        raise SetupFailed(
            f"set-up transaction {what} did not commit within {SETUP_WAIT_S:.0f} s; is the "
            "network overloaded or without a leader? (rxl network status)"
        )
    if receipt.get("code") != "ok":
        raise SetupFailed(
            f"set-up transaction {what} was rejected: {receipt.get('code')}: "
            f"{receipt.get('message')}"
        )
    return receipt.get("result")
