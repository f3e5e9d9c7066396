"""The release contract: batch records and QP disposition under 21 CFR Part 11.

Built-in class path: ``chaincode.contracts.release:ReleaseContract``.
"""

from chaincode.contracts.release.contract import ReleaseContract

__all__ = ["ReleaseContract"]
