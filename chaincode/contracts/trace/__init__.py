"""The built-in ``trace`` contract (serialized track-and-trace); see docs/trace.md."""

from chaincode.contracts.trace.contract import TraceContract

__all__ = ["TraceContract"]
