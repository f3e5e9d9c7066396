"""The supplier contract: approved supplier lists, certificates, audits, statuses, look-through.

Built-in class path: ``chaincode.contracts.supplier:SupplierContract``.
"""

from chaincode.contracts.supplier.contract import SupplierContract

__all__ = ["SupplierContract"]
