"""Raft consensus as a pure state machine: no I/O, no clock, no global randomness."""

__all__: list[str] = []
