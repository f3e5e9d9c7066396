"""Typed helpers for the built-in contracts, one class per contract (``client.trace``, …)."""

from sdk.client.contracts.base import ContractApi, Invoker
from sdk.client.contracts.coldchain import ColdChainApi
from sdk.client.contracts.config import ConfigApi
from sdk.client.contracts.msp import MspApi
from sdk.client.contracts.release import ReleaseApi
from sdk.client.contracts.supplier import SupplierApi
from sdk.client.contracts.trace import TraceApi

__all__ = [
    "ColdChainApi",
    "ConfigApi",
    "ContractApi",
    "Invoker",
    "MspApi",
    "ReleaseApi",
    "SupplierApi",
    "TraceApi",
]
