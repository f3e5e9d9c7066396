"""The coldchain contract: loggers, legs with temperature profiles, signed readings, excursions.

Built-in class path: ``chaincode.contracts.coldchain:ColdChainContract``.
"""

from chaincode.contracts.coldchain.contract import ColdChainContract

__all__ = ["ColdChainContract"]
