"""The docker engine and the compose front end this host has.

Compose comes in two shapes: the v2 plugin (``docker compose``) and the 1.29 Python program
(``docker-compose``, Debian's package). Both read ``network/compose.yaml``; v2 is preferred.
``RXL_COMPOSE`` overrides the choice (``RXL_COMPOSE=docker-compose``).
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass

from network.docker.errors import EngineUnavailable, ToolMissing
from network.docker.shell import Shell

INSTALL_HINT = "install it with `apt-get install -y docker.io docker-compose`"


@dataclass(frozen=True, slots=True)
class Engine:
    """A docker client that reached its engine, and the compose command to use with it."""

    shell: Shell
    compose: tuple[str, ...]

    def docker(self, *args: str, timeout: float | None = 300.0, check: bool = True) -> str:
        return self.shell.run(["docker", *args], timeout=timeout, check=check).stdout.strip()

    def quiet(self) -> Engine:
        return Engine(self.shell.quiet(), self.compose)

    def image_exists(self, image: str) -> bool:
        return self.shell.succeeds(["docker", "image", "inspect", image])


def connect(shell: Shell) -> Engine:
    """Check that docker answers and find compose; raises with what to install or start."""
    if not shell.succeeds(["docker", "version", "--format", "{{.Client.Version}}"]):
        raise ToolMissing("docker", INSTALL_HINT)
    if not shell.succeeds(["docker", "info", "--format", "{{.ServerVersion}}"]):
        raise EngineUnavailable(
            "the docker client cannot reach an engine; start one as root with "
            "`dockerd >/var/log/dockerd.log 2>&1 &` (or `systemctl start docker`)"
        )
    return Engine(shell=shell, compose=compose_command(shell))


def compose_command(shell: Shell) -> tuple[str, ...]:
    override = os.environ.get("RXL_COMPOSE", "").strip()
    if override:
        return tuple(shlex.split(override))
    if shell.succeeds(["docker", "compose", "version"]):
        return ("docker", "compose")
    if shell.succeeds(["docker-compose", "version"]):
        return ("docker-compose",)
    raise ToolMissing("docker compose", INSTALL_HINT + " (or the compose v2 plugin)")
