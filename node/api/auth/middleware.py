"""The auth middleware: every request leaves it with a Viewer in its scope, or with a 401.

A signed request's body is read here (under the same cap as the routes use) because the
signature covers its hash; the routes then receive the same bytes again. Requests without
signature headers pass untouched, identified by their verified TLS client certificate when
there is one, else anonymous. Credentials that are present are always checked, on every
path: a bad one is refused even where anonymous access would have been allowed.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from node.api.auth.authenticator import Authenticator
from node.api.auth.canonical import request_target
from node.api.auth.headers import signed_headers
from node.api.auth.tls import client_certificate_pem
from node.api.errors import MalformedRequest, PayloadTooLarge
from node.api.viewer import ANONYMOUS, SCOPE_KEY, Viewer


class AuthMiddleware:
    def __init__(self, app: ASGIApp, *, authenticator: Authenticator, max_body_bytes: int) -> None:
        self.app = app
        self.authenticator = authenticator
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        signed = signed_headers(headers)
        viewer: Viewer
        if signed is not None:
            body = await self._read_body(headers, receive)
            raw_path = scope.get("raw_path") or str(scope["path"]).encode()
            viewer = self.authenticator.signed_request(
                signed,
                method=str(scope["method"]),
                target=request_target(raw_path, scope.get("query_string", b"")),
                body=body,
            )
            receive = _replay(body, receive)
        else:
            pem = client_certificate_pem(scope)
            viewer = ANONYMOUS if pem is None else self.authenticator.client_certificate(pem)
        scope[SCOPE_KEY] = viewer
        await self.app(scope, receive, send)

    async def _read_body(self, headers: Headers, receive: Receive) -> bytes:
        """The whole body, or PayloadTooLarge without reading past the cap."""
        declared = headers.get("content-length")
        if (
            declared is not None
            and declared.isascii()
            and declared.isdigit()
            and int(declared) > self.max_body_bytes
        ):
            raise PayloadTooLarge(
                f"body of {declared} bytes exceeds the limit of {self.max_body_bytes}"
            )
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise MalformedRequest("the client went away mid-body", code="request.aborted")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                raise PayloadTooLarge(f"body exceeds the limit of {self.max_body_bytes} bytes")
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that yields the already-read body once, then defers to the real one."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
