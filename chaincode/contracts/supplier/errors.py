"""Rejections of the supplier contract: every one is a deterministic ``InvalidTransaction``.

InvalidTransaction (chaincode.errors)
└── SupplierRejection(code, message)   a supplier-qualification rule refused the
                                       transaction; ``code`` is one of the constants
                                       below (meanings in docs/contracts.md)
"""

from __future__ import annotations

from chaincode.errors import InvalidTransaction

BAD_GLN = "supplier.bad_gln"
BAD_DATE = "supplier.bad_date"
DUPLICATE = "supplier.duplicate"
UNKNOWN_SUPPLIER = "supplier.unknown_supplier"
UNKNOWN_MATERIAL = "supplier.unknown_material"
UNKNOWN_CERTIFICATE = "supplier.unknown_certificate"
NOT_ASSIGNED = "supplier.material_not_assigned"
NOT_BUYER = "supplier.not_buyer_qa"
NOT_SUPPLIER_OR_BUYER = "supplier.not_supplier_or_buyer"
BAD_TRANSITION = "supplier.bad_transition"
CONDITION_REQUIRED = "supplier.condition_required"
CERTIFICATE_NOT_VALID = "supplier.certificate_not_valid"
CYCLE = "supplier.cycle"
SELF_LINK = "supplier.self_link"
SUPPLIER_NOT_APPROVED = "supplier.supplier_not_approved"


class SupplierRejection(InvalidTransaction):
    """A supplier rule refused the transaction; its writes are discarded."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)
