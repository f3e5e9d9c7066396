"""Rejections of the coldchain contract: every one is a deterministic ``InvalidTransaction``.

InvalidTransaction (chaincode.errors)
└── ColdChainRejection(code, message)   a cold-chain rule refused the transaction; ``code``
                                        is one of the constants below (docs/contracts.md)
"""

from __future__ import annotations

from chaincode.errors import InvalidTransaction

BAD_DATE = "coldchain.bad_date"
BAD_KEY = "coldchain.bad_public_key"
BAD_PROFILE = "coldchain.bad_profile"
BAD_SSCC = "coldchain.bad_sscc"
BAD_PRODUCT = "coldchain.bad_product_key"
DUPLICATE = "coldchain.duplicate"
UNKNOWN_DEVICE = "coldchain.unknown_device"
UNKNOWN_LEG = "coldchain.unknown_leg"
UNKNOWN_EXCURSION = "coldchain.unknown_excursion"
NOT_OWNER = "coldchain.not_owner"
DEVICE_NOT_OWNED = "coldchain.device_of_another_org"
DEVICE_NOT_ON_LEG = "coldchain.device_not_on_leg"
CALIBRATION_EXPIRED = "coldchain.calibration_expired"
LEG_CLOSED = "coldchain.leg_closed"
BAD_SERIES = "coldchain.bad_series"
OUT_OF_ORDER = "coldchain.out_of_order"
FUTURE_READINGS = "coldchain.future_readings"
BAD_SIGNATURE = "coldchain.bad_signature"
NOT_RESPONSIBLE_QA = "coldchain.not_responsible_qa"
EXCURSION_CLOSED = "coldchain.excursion_closed"


class ColdChainRejection(InvalidTransaction):
    """A cold-chain rule refused the transaction; its writes are discarded."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)
