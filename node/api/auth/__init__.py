"""Request authentication: signed requests (domain REQUEST) and TLS client certificates.

``docs/api.md`` (Authentication) is the reference a client implements from.
"""

from node.api.auth.authenticator import Authenticator
from node.api.auth.canonical import request_message, request_target
from node.api.auth.middleware import AuthMiddleware
from node.api.auth.tls import ClientCertHttpToolsProtocol, client_certificate_pem

__all__ = [
    "AuthMiddleware",
    "Authenticator",
    "ClientCertHttpToolsProtocol",
    "client_certificate_pem",
    "request_message",
    "request_target",
]
