"""Deterministic testing tools shipped with the package: the cluster simulator, its
safety checker, and the scripted-scenario harness."""

from consensus.testing.checker import SafetyChecker, SafetyViolation
from consensus.testing.node import CrashPoint, SimNode, StateMachine
from consensus.testing.simulator import Faults, LivenessFailure, Simulator, run_seed

__all__ = [
    "CrashPoint",
    "Faults",
    "LivenessFailure",
    "SafetyChecker",
    "SafetyViolation",
    "SimNode",
    "Simulator",
    "StateMachine",
    "run_seed",
]
