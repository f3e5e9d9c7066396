"""The demo's ledger over the node API (docs/api.md): each org talks to its own node.

Transactions are built with ``sdk.tx``, signed with the member's key file and posted as a
msgpack array of wire bytes with ``wait=true``; a transaction still pending when the wait
ends is followed through its receipt. Queries and receipts are signed requests (domain
``REQUEST``); verify is the anonymous public endpoint. A node that answers ``503`` (no
leader yet, overloaded) or ``429`` is asked again until the deadline: a transaction it
refused was not admitted, so resubmitting the same bytes is safe, and a ``tx.duplicate``
answer means an earlier attempt got in, which its receipt then shows.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Final

import httpx

from network.demo.catalog import MemberRef
from network.demo.errors import DemoNodeError, DemoRefused, DemoSetupError
from network.demo.story import Outcome
from network.layout import ConsortiumLayout
from network.local import load_nodes
from sdk.client.identity import Identity
from sdk.client.signing import signed_headers as sign_request
from sdk.encoding import encode
from sdk.errors import KeyFileCorrupt, WrongPassphrase
from sdk.keyfile import load_key
from sdk.keys import SigningKey
from sdk.tx import SignedTransaction, build

WAIT_S: Final = 10
"""``wait=true&timeout=`` per submit; the node's default ``max_wait_s`` is 30."""
RETRY_S: Final = 0.25
RETRIED_STATUSES: Final = frozenset({429, 503})
MSGPACK: Final = "application/msgpack"


class ApiLedger:
    """Members of the consortium in ``directory`` signing against their org's node."""

    def __init__(
        self,
        directory: Path,
        *,
        passphrase: str = "",
        deadline_s: float = 60.0,
        retry_s: float = RETRY_S,
        client: httpx.Client | None = None,
    ) -> None:
        self._directory = directory
        self._layout = ConsortiumLayout(directory)
        self._passphrase = passphrase
        self._deadline_s = deadline_s
        self._retry_s = retry_s
        self.node_urls = {node.org: node.api_url for node in load_nodes(directory)}
        self.chain_id = _chain_id(self._layout.genesis)
        self._client = client or httpx.Client(timeout=WAIT_S + 10.0)
        self._keys: dict[MemberRef, SigningKey] = {}

    def __enter__(self) -> ApiLedger:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._client.close()

    # --- DemoLedger -----------------------------------------------------------------------

    def submit(
        self, member: MemberRef, contract: str, function: str, args: Mapping[str, Any]
    ) -> Outcome:
        key = self.key(member)
        signed = build(self.chain_id, contract, function, dict(args), key.key_id).sign(key)
        step = f"{contract}.{function} as {member}"
        deadline = time.monotonic() + self._deadline_s
        item = self._post(member, signed, step)
        receipt = item.get("receipt")
        if item.get("accepted") and isinstance(receipt, dict):
            if receipt.get("state") == "committed":
                return _outcome(receipt)
            return self._await_receipt(member, signed, step, deadline)
        code, message = _error(item)
        if code == "tx.duplicate":  # an earlier attempt of these very bytes got in
            return self._await_receipt(member, signed, step, deadline)
        raise DemoRefused(step, code, message)

    def query(
        self, member: MemberRef, contract: str, function: str, args: Mapping[str, Any]
    ) -> Any:
        body = json.dumps({"args": dict(args)}, separators=(",", ":")).encode()
        target = f"/v1/query/{contract}/{function}"
        response = self._signed(member, "POST", target, body)
        answer = _json(response, f"query {contract}.{function}")
        if response.status_code != 200:
            code, message = _error(answer)
            raise DemoRefused(f"query {contract}.{function} as {member}", code, message)
        return answer.get("result")

    def verify(self, code: str) -> Mapping[str, Any]:
        url = self.node_urls[next(iter(self.node_urls))]
        response = self._send("GET", f"{url}/v1/verify", lambda: {"params": {"code": code}})
        answer = _json(response, "verify")
        if response.status_code != 200:
            code_, message = _error(answer)
            raise DemoRefused(f"verify {code}", code_, message)
        return answer

    # --- keys and nodes -------------------------------------------------------------------

    def key(self, member: MemberRef) -> SigningKey:
        if member not in self._keys:
            path = self._layout.org(member.org).member_key(member.name)
            try:
                self._keys[member] = load_key(path, self._passphrase)
            except WrongPassphrase as exc:
                raise DemoSetupError(
                    f"cannot open {path} with the passphrase given (the demo uses the empty "
                    "one of --insecure-dev-keys); set RXL_KEY_PASSPHRASE to this "
                    "consortium's passphrase"
                ) from exc
            except KeyFileCorrupt as exc:
                raise DemoSetupError(
                    f"{exc}: the demo signs as {member}, a member of the preset "
                    f"organizations; create them with `rxl network init --dir {self._directory} "
                    "--insecure-dev-keys --force` (default --orgs)"
                ) from exc
        return self._keys[member]

    def url(self, org: str) -> str:
        found = self.node_urls.get(org)
        if found is None:
            raise DemoSetupError(
                f"this consortium has no {org} node ({', '.join(self.node_urls)}); the demo "
                "needs manufacturer, distributor, pharmacy and regulator (the default --orgs "
                "of `rxl network init`)"
            )
        return found

    # --- HTTP -----------------------------------------------------------------------------

    def _post(self, member: MemberRef, signed: SignedTransaction, step: str) -> dict[str, Any]:
        request = {
            "params": {"wait": "true", "timeout": str(WAIT_S)},
            "content": encode([signed.to_wire()]),
            "headers": {"Content-Type": MSGPACK},
        }
        response = self._send("POST", f"{self.url(member.org)}/v1/transactions", lambda: request)
        answer = _json(response, step)
        results = answer.get("results")
        if not isinstance(results, list) or len(results) != 1 or not isinstance(results[0], dict):
            code, message = _error(answer)
            raise DemoRefused(step, code, message)
        return results[0]

    def _await_receipt(
        self, member: MemberRef, signed: SignedTransaction, step: str, deadline: float
    ) -> Outcome:
        target = f"/v1/transactions/{signed.tx_id.hex()}"
        while True:
            response = self._signed(member, "GET", target, b"")
            answer = _json(response, step)
            if response.status_code == 200 and answer.get("state") == "committed":
                return _outcome(answer)
            if time.monotonic() > deadline:
                raise DemoNodeError(
                    f"{step}: not committed within {self._deadline_s:.0f} s; check the nodes "
                    f"with `rxl network status --dir {self._directory}` and their node.log"
                )
            time.sleep(self._retry_s)

    def _signed(self, member: MemberRef, method: str, target: str, body: bytes) -> httpx.Response:
        """A signed request (docs/api.md, Signed requests), signed afresh for each attempt:
        a retry with the same nonce would be refused as ``auth.replayed``."""
        identity = Identity(self.key(member))

        def signed_headers() -> dict[str, Any]:
            headers = sign_request(
                identity, chain_id=self.chain_id, method=method, target=target, body=body
            )
            if body:
                headers["Content-Type"] = "application/json"
            return {"content": body or None, "headers": headers}

        return self._send(method, self.url(member.org) + target, signed_headers)

    def _send(self, method: str, url: str, request: Callable[[], dict[str, Any]]) -> httpx.Response:
        """One request (``request()`` gives its keyword arguments per attempt); 429 and 503
        are asked again until the deadline."""
        deadline = time.monotonic() + self._deadline_s
        while True:
            try:
                response = self._client.request(method, url, **request())
            except httpx.HTTPError as exc:
                raise DemoNodeError(
                    f"{method} {url} failed ({exc}); is the network up? "
                    f"(`rxl network status --dir {self._directory}`)"
                ) from exc
            if response.status_code not in RETRIED_STATUSES or time.monotonic() > deadline:
                return response
            time.sleep(self._retry_s)


def _chain_id(genesis: Path) -> str:
    try:
        chain_id = json.loads(genesis.read_text(encoding="utf-8"))["chain_id"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DemoSetupError(
            f"cannot read the chain id from {genesis} ({exc}); create a consortium with "
            f"`rxl network init --dir {genesis.parent} --insecure-dev-keys --force`"
        ) from exc
    return str(chain_id)


def _json(response: httpx.Response, what: str) -> dict[str, Any]:
    try:
        answer = response.json()
    except ValueError as exc:
        raise DemoNodeError(
            f"{what}: the node answered {response.status_code} with no JSON body"
        ) from exc
    if not isinstance(answer, dict):
        raise DemoNodeError(f"{what}: the node answered {response.status_code} with {answer!r}")
    return answer


def _error(answer: Mapping[str, Any]) -> tuple[str, str]:
    error = answer.get("error")
    if isinstance(error, dict):
        return str(error.get("code")), str(error.get("message"))
    return "unknown", f"unexpected answer {answer!r:.200}"


def _outcome(receipt: Mapping[str, Any]) -> Outcome:
    return Outcome(
        code=str(receipt.get("code")),
        message=str(receipt.get("message") or ""),
        result=receipt.get("result"),
    )
