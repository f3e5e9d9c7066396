"""Rejections of the msp (membership) contract and of signer resolution.

    ChaincodeError (chaincode.errors)
    ├── InvalidTransaction
    │   ├── SignerRejected(code, message)   the transaction's signer may not sign at all:
    │   │                                   signer.unknown / revoked / suspended / expired /
    │   │                                   not_yet_valid / org_removed (resolve_signer)
    │   ├── PermissionDenied (chaincode)    permission.wrong_org, permission.governance_only
    │   ├── NotFound (chaincode)            msp.unknown_org / unknown_member / unknown_node
    │   ├── Conflict (chaincode)            msp.* state conflicts listed below
    │   └── InvalidTransaction(cert.*)      a certificate refused by sdk.pki keeps its sdk code
    └── GenesisError                        the genesis file's membership is inconsistent: the
                                            node refuses to start (not a transaction result)

Codes are stable; docs/governance.md lists each with its meaning.
"""

from __future__ import annotations

from chaincode.errors import ChaincodeError, InvalidTransaction

SIGNER_UNKNOWN = "signer.unknown"
SIGNER_REVOKED = "signer.revoked"
SIGNER_SUSPENDED = "signer.suspended"
SIGNER_EXPIRED = "signer.expired"
SIGNER_NOT_YET_VALID = "signer.not_yet_valid"
SIGNER_ORG_REMOVED = "signer.org_removed"

WRONG_ORG = "permission.wrong_org"
GOVERNANCE_ONLY = "permission.governance_only"

UNKNOWN_ORG = "msp.unknown_org"
UNKNOWN_MEMBER = "msp.unknown_member"
UNKNOWN_NODE = "msp.unknown_node"
ORG_REMOVED = "msp.org_removed"
ORG_EXISTS = "msp.org_exists"
ALREADY_ENROLLED = "msp.already_enrolled"
KEY_RETIRED = "msp.key_retired"
ROLE_NOT_ALLOWED = "msp.role_not_allowed"
ROLE_ESCALATION = "msp.role_escalation"
NODE_CERT = "msp.node_certificate"
NOT_NODE_CERT = "msp.not_node_certificate"
NOT_ADMIN_CERT = "msp.not_admin_certificate"
NOT_ACTIVE = "msp.not_active"
NOT_SUSPENDED = "msp.not_suspended"
ALREADY_REVOKED = "msp.already_revoked"
LAST_ADMIN = "msp.last_admin"
SAME_CERTIFICATE = "msp.same_certificate"
NODE_EXISTS = "msp.node_exists"
NODE_REMOVED = "msp.node_removed"
NOT_LEARNER = "msp.not_learner"
LAST_VOTER = "msp.last_voter"
BAD_ROLES = "msp.bad_roles"
BAD_ADMINS = "msp.bad_admins"


class SignerRejected(InvalidTransaction):
    """The signer's key may not sign at this block (one of the ``signer.*`` codes)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)


class GenesisError(ChaincodeError):
    """The genesis membership is inconsistent (a certificate not from its org's CA, …)."""
