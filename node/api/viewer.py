"""Who is asking: an enrolled key (with its org and roles) or nobody (the public view).

The auth middleware puts a :class:`Viewer` into the ASGI scope of every request; routes take
it through :func:`viewer_of` and hand it to the access policy (``node.api.access``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from starlette.requests import Request
from starlette.types import Scope

from node.service import Identity
from sdk.roles import Role

SCOPE_KEY = "rxledger.viewer"


class Credential(StrEnum):
    NONE = "none"
    SIGNATURE = "signature"
    """A signed request (docs/api.md, Signed requests)."""
    CERTIFICATE = "certificate"
    """A TLS client certificate verified by the server (mTLS)."""


@dataclass(frozen=True, slots=True)
class Viewer:
    identity: Identity | None
    credential: Credential

    @property
    def anonymous(self) -> bool:
        return self.identity is None

    @property
    def org_id(self) -> str | None:
        return None if self.identity is None else self.identity.org_id

    @property
    def key_id(self) -> str | None:
        return None if self.identity is None else self.identity.key_id

    @property
    def is_regulator(self) -> bool:
        return self.identity is not None and Role.REGULATOR in self.identity.roles

    def describe(self) -> str:
        if self.identity is None:
            return "an anonymous client"
        return f"key {self.identity.key_id[:16]}… of org {self.identity.org_id!r}"


ANONYMOUS = Viewer(None, Credential.NONE)


def viewer_of(request: Request) -> Viewer:
    """The viewer the auth middleware recorded (anonymous when it recorded none)."""
    return scope_viewer(request.scope)


def scope_viewer(scope: Scope) -> Viewer:
    found = scope.get(SCOPE_KEY)
    return found if isinstance(found, Viewer) else ANONYMOUS
