"""Rejections of the config (governance) contract; each is a deterministic refusal.

    InvalidTransaction (chaincode.errors)
    └── ConfigRejection(code, message)   a governance rule refused the transaction; ``code`` is
                                         one of the ``config.*`` constants below (meanings in
                                         docs/governance.md)

Membership rules that a change runs into (unknown org, certificate refused, last voter …)
keep the ``msp.*`` / ``cert.*`` codes of the msp contract that enforces them.
"""

from __future__ import annotations

from chaincode.errors import InvalidTransaction

BAD_POLICY = "config.bad_policy"
UNSATISFIABLE_POLICY = "config.unsatisfiable_policy"
UNKNOWN_PROPOSAL = "config.unknown_proposal"
NOT_PENDING = "config.not_pending"
EXPIRED = "config.proposal_expired"
ALREADY_APPROVED = "config.already_approved"
NOT_ELIGIBLE = "config.not_eligible"
NOT_PROPOSER_ORG = "config.not_proposer_org"
SAME_CONTRACT = "config.contract_unchanged"
NOT_INITIALISED = "config.not_initialised"


class ConfigRejection(InvalidTransaction):
    """A governance rule refused the transaction; its writes are discarded."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)
