"""From request credentials to a :class:`~node.api.viewer.Viewer`, or a 401 ``auth.*``.

Signed requests are checked in the order docs/api.md gives (cheapest first, and the nonce
last, so only a key that really signed can fill the replay cache): format, freshness,
enrolled key, signature, key status and certificate validity, nonce. A TLS client
certificate (already verified against the org CAs by the TLS stack) is mapped to its
enrolled key the same way, minus the signature and nonce.
"""

from __future__ import annotations

from collections.abc import Callable

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from node.api.auth.canonical import request_message
from node.api.auth.headers import SignedHeaders
from node.api.auth.nonces import NonceCache, NonceVerdict
from node.api.errors import AuthError
from node.api.viewer import Credential, Viewer
from node.service import Identity, IdentityStatus, LedgerService
from sdk.errors import SignatureError
from sdk.keys import Domain, key_id_of

_STATUS_CODES = {
    IdentityStatus.SUSPENDED: "auth.suspended",
    IdentityStatus.REVOKED: "auth.revoked",
    IdentityStatus.ORG_REMOVED: "auth.org_removed",
}


class Authenticator:
    def __init__(
        self,
        service: LedgerService,
        *,
        window_s: float,
        max_nonces: int,
        wall_clock_ms: Callable[[], int],
    ) -> None:
        self._service = service
        self._window_ms = int(window_s * 1000)
        self._nonces = NonceCache(window_ms=self._window_ms, capacity=max_nonces)
        self._now_ms = wall_clock_ms

    @property
    def nonces(self) -> NonceCache:
        return self._nonces

    def signed_request(
        self, headers: SignedHeaders, *, method: str, target: str, body: bytes
    ) -> Viewer:
        now_ms = self._now_ms()
        skew_ms = headers.timestamp_ms - now_ms
        if abs(skew_ms) > self._window_ms:
            raise AuthError(
                f"request timestamp is {skew_ms / 1000:+.1f} s from the node's clock, outside "
                f"the {self._window_ms / 1000:g} s window; sync the client clock and re-sign",
                code="auth.stale",
            )
        identity = self._enrolled(headers.key_id)
        message = request_message(
            chain_id=self._service.chain_id,
            method=method,
            target=target,
            timestamp_ms=headers.timestamp_ms,
            nonce=headers.nonce,
            body=body,
        )
        try:
            identity.public_key.verify(Domain.REQUEST, message, headers.signature)
        except SignatureError as exc:
            raise AuthError(
                f"request signature does not verify for key {headers.key_id[:16]}…: sign "
                f"[chain_id, method, target, timestamp, nonce, body SHA-256] in domain REQUEST "
                f"(the target is {target[:80]!r})",
                code="auth.bad_signature",
            ) from exc
        self._check_active(identity, now_ms)
        verdict = self._nonces.admit(headers.key_id, headers.nonce, headers.timestamp_ms, now_ms)
        if verdict is NonceVerdict.REPLAYED:
            raise AuthError(
                "this key already used this nonce: a request is accepted once; "
                "sign each request (and each retry) with a fresh nonce",
                code="auth.replayed",
            )
        if verdict is NonceVerdict.BELOW_FLOOR:
            raise AuthError(
                "request timestamp is older than the node's replay memory reaches under the "
                "current load; sign a fresh request",
                code="auth.stale",
            )
        return Viewer(identity, Credential.SIGNATURE)

    def client_certificate(self, pem: str) -> Viewer:
        """The viewer of a client certificate the TLS layer has verified."""
        try:
            cert = x509.load_pem_x509_certificate(pem.encode("ascii"))
            public = cert.public_key()
        except (ValueError, UnicodeEncodeError) as exc:
            raise AuthError(
                "the TLS client certificate cannot be read", code="auth.malformed"
            ) from exc
        if not isinstance(public, Ed25519PublicKey):
            raise AuthError(
                "the TLS client certificate's key is not Ed25519", code="auth.malformed"
            )
        raw = public.public_bytes(Encoding.Raw, PublicFormat.Raw)
        identity = self._enrolled(key_id_of(raw).hex())
        self._check_active(identity, self._now_ms())
        return Viewer(identity, Credential.CERTIFICATE)

    def _enrolled(self, key_id: str) -> Identity:
        identity = self._service.identity(key_id)
        if identity is None:
            raise AuthError(
                f"key {key_id[:16]}… is not enrolled on this chain; enroll it (msp.enroll) "
                "or sign with an enrolled key",
                code="auth.unknown_key",
            )
        return identity

    def _check_active(self, identity: Identity, now_ms: int) -> None:
        who = f"key {identity.key_id[:16]}… of org {identity.org_id!r}"
        code = _STATUS_CODES.get(identity.status)
        if code is not None:
            raise AuthError(
                f"{who} is {identity.status.value.replace('_', ' ')}; ask your org admin "
                "for a new enrollment",
                code=code,
            )
        if now_ms < identity.not_before_ms:
            raise AuthError(
                f"{who}: its certificate is valid only from {identity.not_before_ms} ms",
                code="auth.not_yet_valid",
            )
        if identity.not_after_ms < now_ms:
            raise AuthError(
                f"{who}: its certificate expired at {identity.not_after_ms} ms; rotate it "
                "(msp.rotate)",
                code="auth.expired",
            )
