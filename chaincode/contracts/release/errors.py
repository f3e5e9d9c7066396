"""Rejections of the release contract: every one is a deterministic ``InvalidTransaction``.

    InvalidTransaction (chaincode.errors)
    └── ReleaseRejection(code, message)   a batch-record or release rule refused the
                                          transaction; ``code`` is one of the constants below
                                          (meanings in docs/contracts.md)

The blocker codes (``COA_*``, ``OPEN_DEVIATION`` … ``COLD_CHAIN_EXCURSION``) double as the
``code`` of each entry ``release_blockers`` lists, so review by exception and the refusal
of ``release_batch`` speak the same words.
"""

from __future__ import annotations

from chaincode.errors import InvalidTransaction

BAD_PRODUCT = "release.bad_product_key"
BAD_GLN = "release.bad_gln"
BAD_DATE = "release.bad_date"
DUPLICATE = "release.duplicate"
UNKNOWN_BATCH = "release.unknown_batch"
UNKNOWN_DEVIATION = "release.unknown_deviation"
NOT_OWNER = "release.not_owner"
BATCH_LOCKED = "release.batch_locked"
BAD_TRANSITION = "release.bad_transition"
DEVIATION_CLOSED = "release.deviation_closed"
IMPACT_REQUIRED = "release.impact_assessment_required"
BAD_MEANING = "release.bad_meaning"
SIGNING_TIME = "release.signing_time"
RECORD_HASH_MISMATCH = "release.record_hash_mismatch"

COA_MISSING = "release.coa_missing"
COA_FAILED = "release.coa_failed"
OPEN_DEVIATION = "release.open_deviation"
CHANGE_NOT_APPROVED = "release.change_not_approved"
SUPPLIER_NOT_APPROVED = "release.supplier_not_approved"
COLD_CHAIN_EXCURSION = "release.cold_chain_excursion"
CHECK_UNAVAILABLE = "release.check_unavailable"


class ReleaseRejection(InvalidTransaction):
    """A release rule refused the transaction; its writes are discarded."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)
