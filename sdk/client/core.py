"""What the sync and async clients share: configuration, request building and signing, and
the verdict on an answer (final, or worth another node)."""

from __future__ import annotations

import random
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import httpx

from sdk.client.calls import Call
from sdk.client.errors import ProtocolError
from sdk.client.identity import Identity
from sdk.client.retry import Backoff, Router, retry_after_s
from sdk.client.signing import signed_headers
from sdk.client.values import Fields

USER_AGENT: Final = "rxledger-sdk/1"
DEFAULT_TIMEOUT_S: Final = 10.0
DEFAULT_COMMIT_TIMEOUT_S: Final = 30.0
DEFAULT_RETRIES: Final = 5


@dataclass(frozen=True, slots=True)
class Failure:
    """Why an attempt did not count: what to log, the node's code, its Retry-After."""

    reason: str
    code: str | None = None
    retry_after_s: float = 0.0


def tls_verify(verify: bool | ssl.SSLContext, ca: str | Path | None) -> bool | ssl.SSLContext:
    """httpx's ``verify``: a CA bundle file (the consortium's org CAs) becomes a context."""
    if ca is None:
        return verify
    if verify is False:
        raise ValueError("give either ca= (verify against it) or verify=False, not both")
    return ssl.create_default_context(cafile=str(ca))


class ClientCore:
    def __init__(
        self,
        nodes: Sequence[str] | str,
        *,
        identity: Identity | None,
        chain_id: str | None,
        timeout: float,
        commit_timeout: float,
        retries: int,
        backoff: Backoff,
        rng: random.Random | None,
    ) -> None:
        if timeout <= 0 or commit_timeout <= 0:
            raise ValueError("timeouts are > 0 seconds")
        self.router = Router(nodes, retries=retries, backoff=backoff, rng=rng or random.Random())
        self.identity = identity
        self.chain_id = chain_id
        self.timeout = timeout
        self.commit_timeout = commit_timeout

    def http_options(self, verify: bool | ssl.SSLContext, ca: str | Path | None) -> dict[str, Any]:
        return {
            "timeout": httpx.Timeout(self.timeout),
            "verify": tls_verify(verify, ca),
            "headers": {"User-Agent": USER_AGENT},
        }

    def signer(self) -> Identity:
        if self.identity is None:
            raise ValueError(
                "this client has no identity: create it with "
                "identity=Identity.load(key_file, cert_file) to sign transactions"
            )
        return self.identity

    def needs_chain_id(self, call: Call[Any]) -> bool:
        return call.signed and self.identity is not None and self.chain_id is None

    def build(
        self, http: httpx.Client | httpx.AsyncClient, node: str, call: Call[Any]
    ) -> httpx.Request:
        """The request for one attempt, signed afresh (a new nonce every time)."""
        headers = dict(call.headers)
        if call.content_type is not None:
            headers["Content-Type"] = call.content_type
        timeout = httpx.Timeout(self.timeout, read=self.timeout + call.wait_s)
        request = http.build_request(
            call.method,
            node + call.path,
            params=list(call.params),
            content=call.body or None,
            headers=headers,
            timeout=timeout,
        )
        if call.signed and self.identity is not None:
            if self.chain_id is None:
                raise RuntimeError("the chain id must be known before signing a request")
            request.headers.update(
                signed_headers(
                    self.identity,
                    chain_id=self.chain_id,
                    method=call.method,
                    target=request.url.raw_path.decode("ascii"),
                    body=call.body,
                )
            )
        return request

    @staticmethod
    def retryable(call: Call[Any], response: httpx.Response) -> Failure | None:
        """A Failure when the answer says "not here, not now"; None when it is final.

        The body must have been read (a streamed answer is read first).
        """
        if response.status_code not in call.retry_statuses:
            return None
        code = None
        try:
            code = Fields(response.json(), "error answer").fields("error").text("code")
        except (ValueError, ProtocolError):
            code = None
        reason = f"HTTP {response.status_code}" + (f" {code}" if code else "")
        return Failure(reason, code, retry_after_s(response.headers.get("Retry-After")))

    @staticmethod
    def unreachable(exc: httpx.TransportError) -> Failure:
        text = str(exc) or type(exc).__name__
        return Failure(f"{type(exc).__name__}: {text[:160]}")
