"""Consortium changes that touch membership: their argument models (issue 5, item 5).

The config contract proposes and approves them; once approved it calls the msp function of
the same name with the change as arguments. Each model carries its ``kind`` so a proposal
stores one self-describing map.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from chaincode.api import Args
from sdk.roles import Role

OrgIdArg = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{1,31}$")]
"""Organization ids as the genesis file spells them."""

RoleArg = Annotated[Role, Field(strict=False)]
"""A role given by its name (``"admin"``); arguments arrive as plain strings."""

PemArg = Annotated[str, Field(min_length=1, max_length=16_384)]
NodeIdArg = Annotated[int, Field(ge=1, le=(1 << 63) - 1)]
PortArg = Annotated[int, Field(ge=1, le=65535)]
MAX_FOUNDING_ADMINS = 8
"""At most this many admin certificates travel with an ``add_org`` change."""


class AddOrg(Args):
    """Admit an organization with its CA, the roles that CA may grant, and its first admins.

    ``admins`` are member certificates from the new CA with the admin role, enrolled in the
    same transaction: without one, nobody could ever enroll a member of the new org.
    """

    kind: Literal["add_org"] = "add_org"
    org_id: OrgIdArg
    name: Annotated[str, Field(min_length=1, max_length=200)]
    ca_cert_pem: PemArg
    roles: Annotated[list[RoleArg], Field(min_length=1, max_length=len(Role))]
    admins: Annotated[list[PemArg], Field(min_length=1, max_length=MAX_FOUNDING_ADMINS)]


class RemoveOrg(Args):
    """Remove an organization: its members and nodes are refused from this block on."""

    kind: Literal["remove_org"] = "remove_org"
    org_id: OrgIdArg


class SetOrgCa(Args):
    """Replace an organization's CA certificate (renewal or a new CA key)."""

    kind: Literal["set_org_ca"] = "set_org_ca"
    org_id: OrgIdArg
    ca_cert_pem: PemArg


class AddNode(Args):
    """Add a node as a learner (it catches up before it may vote)."""

    kind: Literal["add_node"] = "add_node"
    node_id: NodeIdArg
    org_id: OrgIdArg
    cert_pem: PemArg
    host: Annotated[str, Field(min_length=1, max_length=253)]
    peer_port: PortArg
    api_port: PortArg


class PromoteNode(Args):
    """Make a learner a voter."""

    kind: Literal["promote_node"] = "promote_node"
    node_id: NodeIdArg


class RemoveNode(Args):
    """Remove a node from the cluster; its key stops signing from this block."""

    kind: Literal["remove_node"] = "remove_node"
    node_id: NodeIdArg


MembershipChange = AddOrg | RemoveOrg | SetOrgCa | AddNode | PromoteNode | RemoveNode
