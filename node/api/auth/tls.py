"""mTLS for the client API: the verified client certificate, handed to the app as the ASGI
TLS extension (``scope["extensions"]["tls"]["client_cert_chain"]``, PEM strings).

uvicorn does not fill that extension itself. :class:`ClientCertHttpToolsProtocol` is its
httptools protocol plus the extension; run the server with it and with client certificate
verification against the org CA bundle (docs/api.md, TLS client certificates)::

    uvicorn.Config(app, http=ClientCertHttpToolsProtocol, ssl_certfile=..., ssl_keyfile=...,
                   ssl_ca_certs="org-cas.pem", ssl_cert_reqs=ssl.CERT_OPTIONAL)

The certificate is only passed on when the server verified it (``CERT_OPTIONAL`` or
``CERT_REQUIRED``): with ``CERT_NONE`` OpenSSL hands out unverified certificates, which must
never authenticate anybody. Any ASGI server that implements the TLS extension works too.
"""

from __future__ import annotations

import ssl
from typing import Any

from starlette.types import Scope
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


def client_certificate_pem(scope: Scope) -> str | None:
    """The leaf client certificate from the ASGI TLS extension, PEM; None without one."""
    extensions = scope.get("extensions") or {}
    tls = extensions.get("tls") if isinstance(extensions, dict) else None
    if not isinstance(tls, dict):
        return None
    chain = tls.get("client_cert_chain")
    if not isinstance(chain, list | tuple) or not chain or not isinstance(chain[0], str):
        return None
    return chain[0]


def tls_extension(transport: Any) -> dict[str, Any] | None:
    """The ASGI TLS extension for a connection (None when it is not TLS)."""
    ssl_object = transport.get_extra_info("ssl_object")
    if not isinstance(ssl_object, ssl.SSLObject | ssl.SSLSocket):
        return None
    chain: list[str] = []
    verified = ssl_object.context.verify_mode != ssl.CERT_NONE
    der = ssl_object.getpeercert(binary_form=True) if verified else None
    if der:
        chain.append(ssl.DER_cert_to_PEM_cert(der))
    # Only the fields the app uses are filled; the others are optional (None) in the spec.
    return {
        "server_cert": None,
        "client_cert_chain": chain,
        "client_cert_name": None,
        "client_cert_error": None,
        "tls_version": None,
        "cipher_suite": None,
    }


class ClientCertHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, adding the ASGI TLS extension to every request scope."""

    def on_message_begin(self) -> None:
        super().on_message_begin()
        tls = tls_extension(self.transport)
        if tls is not None:
            extensions: dict[str, Any] = {**self.scope.get("extensions", {}), "tls": tls}
            self.scope["extensions"] = extensions
