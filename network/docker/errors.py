"""Errors of the docker test network; each message says what to do next.

DockerNetworkError          base class
├── ToolMissing             a program the step needs is not installed (docker, debootstrap…)
├── EngineUnavailable       the docker client is there, but no engine answers on its socket
├── CommandFailed           a command exited non-zero; carries its output tail
├── MaterialMissing         the network folder lacks genesis, node configs or compose file
└── NetworkNotHealthy       nodes did not become healthy and agree on a leader in time
"""

from __future__ import annotations

from collections.abc import Sequence


class DockerNetworkError(Exception):
    """Base class of every error raised by :mod:`network.docker`."""


class ToolMissing(DockerNetworkError):
    def __init__(self, tool: str, install_hint: str) -> None:
        super().__init__(f"`{tool}` is not installed; {install_hint}")
        self.tool = tool


class EngineUnavailable(DockerNetworkError):
    pass


class CommandFailed(DockerNetworkError):
    def __init__(self, args: Sequence[str], returncode: int, output: str) -> None:
        tail = "\n".join(output.strip().splitlines()[-30:])
        super().__init__(
            f"`{' '.join(args)}` exited with {returncode}" + (f":\n{tail}" if tail else "")
        )
        self.args_run = tuple(args)
        self.returncode = returncode
        self.output = output


class MaterialMissing(DockerNetworkError):
    pass


class NetworkNotHealthy(DockerNetworkError):
    pass
