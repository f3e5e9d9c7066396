"""A small client for the docker tests: members that sign, nodes that answer.

Transactions are built and signed with ``sdk.tx``; reads are signed requests
(docs/api.md, Signed requests). Kept here, on purpose minimal, so the docker tests exercise
the wire API exactly as documented.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from sdk import tx as sdk_tx
from sdk.encoding import encode
from sdk.keyfile import load_key
from sdk.keys import Domain, SigningKey
from sdk.tx import SignedTransaction


@dataclass(frozen=True)
class Member:
    """A genesis member of the docker consortium (insecure dev key: empty passphrase)."""

    org: str
    name: str
    key: SigningKey

    @classmethod
    def load(cls, directory: Path, org: str, name: str) -> Member:
        return cls(org, name, load_key(directory / org / "members" / f"{name}.key", ""))

    def sign(self, chain_id: str, contract: str, function: str, args: Any) -> SignedTransaction:
        return sdk_tx.build(chain_id, contract, function, args, self.key.key_id).sign(self.key)


@dataclass(frozen=True)
class Node:
    """One node's API, seen from the host."""

    name: str
    url: str
    chain_id: str

    def health(self) -> dict[str, Any]:
        response = httpx.get(f"{self.url}/health", timeout=5.0)
        body: dict[str, Any] = response.json()
        return body

    def submit(
        self, signed: SignedTransaction, *, wait: bool = True, timeout_s: float = 15.0
    ) -> httpx.Response:
        body = {"transaction": base64.b64encode(signed.to_wire()).decode("ascii")}
        return httpx.post(
            f"{self.url}/v1/transactions",
            params={"wait": "true" if wait else "false", "timeout": str(timeout_s)},
            json=body,
            timeout=timeout_s + 10.0,
        )

    def commit(self, signed: SignedTransaction) -> dict[str, Any]:
        """Submit, wait for the commit, and return the receipt; fail loudly otherwise."""
        response = self.submit(signed)
        result = response.json()["results"][0]
        receipt = result.get("receipt") or {}
        if response.status_code != 200 or receipt.get("state") != "committed":
            raise AssertionError(f"{self.name}: not committed ({response.status_code}): {result}")
        if receipt.get("code") != "ok":
            raise AssertionError(f"{self.name}: rejected by the contract: {receipt}")
        return dict(receipt)

    def get(self, member: Member, target: str) -> httpx.Response:
        return self._signed(member, "GET", target, b"")

    def query(self, member: Member, contract: str, function: str, args: Any) -> Any:
        body = json.dumps({"args": args}, separators=(",", ":")).encode()
        response = self._signed(member, "POST", f"/v1/query/{contract}/{function}", body)
        if response.status_code != 200:
            raise AssertionError(f"{self.name}: query refused: {response.text}")
        return response.json()["result"]

    def block_hash(self, member: Member, height: int) -> str:
        response = self.get(member, f"/v1/blocks/{height}")
        if response.status_code != 200:
            raise AssertionError(f"{self.name}: block {height}: {response.text}")
        return str(response.json()["block_hash"])

    def _signed(self, member: Member, method: str, target: str, body: bytes) -> httpx.Response:
        timestamp_ms = time.time_ns() // 1_000_000
        nonce = secrets.token_hex(16)
        canonical = encode(
            [self.chain_id, method, target, timestamp_ms, nonce, hashlib.sha256(body).digest()]
        )
        signature = member.key.sign(Domain.REQUEST, canonical)
        headers = {
            "X-Rxl-Key-Id": member.key.key_id.hex(),
            "X-Rxl-Timestamp": str(timestamp_ms),
            "X-Rxl-Nonce": nonce,
            "X-Rxl-Signature": "ed25519:" + base64.b64encode(signature.value).decode("ascii"),
        }
        if body:
            headers["Content-Type"] = "application/json"
        return httpx.request(
            method, f"{self.url}{target}", content=body or None, headers=headers, timeout=15.0
        )
