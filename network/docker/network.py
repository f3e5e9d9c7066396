"""A running docker test network: compose up/down, health, logs, and fault injection.

Everything goes through the compose file and the project name, so several networks (a
developer's and a CI run's) can live side by side under different project names. Fault
injection for tests acts on single containers: stop/start one node, or cut it off from the
``ledger`` network (its API stays reachable through its own edge network).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

from network.docker.compose import DEFAULT_IMAGE, LEDGER_NETWORK, NodeSlot, slots_from_genesis
from network.docker.engine import Engine
from network.docker.errors import DockerNetworkError, MaterialMissing, NetworkNotHealthy
from network.docker.health import wait_for_leader

PROJECT_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
DEFAULT_PROJECT = "rxledger"
INSPECT_FORMAT = (
    '{{index .Config.Labels "com.docker.compose.service"}} {{.State.Status}} '
    "{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}"
)


@dataclass(frozen=True, slots=True)
class ServiceStatus:
    service: str
    state: str
    """The container's state (running, exited, …), or ``absent``."""
    health: str
    """Docker's health status (starting, healthy, unhealthy), or ``none``."""


@dataclass(frozen=True, slots=True)
class DockerNetwork:
    """One compose project over one folder of generated consortium material."""

    engine: Engine
    directory: Path
    compose_file: Path
    project: str = DEFAULT_PROJECT
    image: str = DEFAULT_IMAGE

    def __post_init__(self) -> None:
        if not PROJECT_NAME.fullmatch(self.project):
            raise DockerNetworkError(
                f"compose project name {self.project!r}: use lowercase letters, digits, - and _"
            )

    # -- compose -------------------------------------------------------------------------

    def compose(self, *args: str, timeout: float | None = 600.0, check: bool = True) -> str:
        if not self.compose_file.is_file():
            raise MaterialMissing(
                f"no compose file at {self.compose_file}; run `python -m network.docker init`"
            )
        env = {"RXL_NETWORK_DIR": str(self.directory.resolve()), "RXL_IMAGE": self.image}
        command = [
            *self.engine.compose,
            "--file",
            str(self.compose_file),
            "--project-name",
            self.project,
            *args,
        ]
        return self.engine.shell.run(command, env=env, timeout=timeout, check=check).stdout

    @property
    def slots(self) -> list[NodeSlot]:
        return slots_from_genesis(self.directory / "genesis.json")

    def slot(self, service: str) -> NodeSlot:
        for slot in self.slots:
            if slot.service == service:
                return slot
        raise DockerNetworkError(f"no service {service!r} in this network")

    def service_of(self, node_id: int) -> str:
        for slot in self.slots:
            if slot.node_id == node_id:
                return slot.service
        raise DockerNetworkError(f"no node {node_id} in this network")

    def up(self) -> None:
        self.compose("up", "--detach")

    def down(self) -> None:
        """Stop and remove containers and networks; the data volumes stay."""
        self.compose("down", "--remove-orphans")

    def wipe(self) -> None:
        """Remove containers, networks and the data volumes: every block is gone."""
        self.compose("down", "--volumes", "--remove-orphans")

    def logs(self, *services: str, tail: int = 200) -> str:
        return self.compose("logs", "--no-color", "--tail", str(tail), *services, timeout=120)

    # -- health --------------------------------------------------------------------------

    def wait_healthy(self, timeout_s: float = 120.0) -> int:
        """Wait until every node is healthy and names one leader; that leader's node id.

        Both views must agree: the nodes' ``/health`` seen from the host, and docker's own
        health check inside each container.
        """
        deadline = time.monotonic() + timeout_s
        urls = {slot.service: slot.api_url for slot in self.slots}
        leader = wait_for_leader(urls, timeout_s=timeout_s)
        while True:
            statuses = self.status()
            if all(s.state == "running" and s.health == "healthy" for s in statuses):
                return leader
            if time.monotonic() >= deadline:
                lines = "\n".join(f"  {s.service}: {s.state}, {s.health}" for s in statuses)
                raise NetworkNotHealthy(
                    f"docker does not report every node healthy after {timeout_s:.0f} s:\n"
                    f"{lines}\nlook at `python -m network.docker logs`"
                )
            time.sleep(0.5)

    def status(self) -> list[ServiceStatus]:
        """Each node's container state and docker health, in node order (two docker calls)."""
        quiet = self.engine.quiet()
        ids = quiet.docker("ps", "--all", "--quiet", "--filter", self._label()).split()
        found: dict[str, ServiceStatus] = {}
        if ids:
            lines = quiet.docker("inspect", "--format", INSPECT_FORMAT, *ids).splitlines()
            for line in lines:
                service, state, health = [*line.split(), "none", "none"][:3]
                found[service] = ServiceStatus(service, state, health)
        return [
            found.get(slot.service, ServiceStatus(slot.service, "absent", "none"))
            for slot in self.slots
        ]

    # -- single containers (fault injection) ---------------------------------------------

    def container(self, service: str) -> str:
        """The container id of a service, running or stopped."""
        found = self.engine.docker(
            "ps",
            "--all",
            "--quiet",
            "--filter",
            self._label(),
            "--filter",
            f"label=com.docker.compose.service={service}",
        ).split()
        if len(found) != 1:
            raise DockerNetworkError(
                f"expected one container for {service} in project {self.project}, "
                f"found {len(found)}; is the network up (`python -m network.docker status`)?"
            )
        return found[0]

    def _label(self) -> str:
        return f"label=com.docker.compose.project={self.project}"

    def stop(self, service: str) -> None:
        self.compose("stop", service)

    def start(self, service: str) -> None:
        self.compose("start", service)

    @property
    def ledger_network(self) -> str:
        return f"{self.project}_{LEDGER_NETWORK}"

    def disconnect(self, service: str) -> None:
        """Cut a node off from its peers (a network partition); its API stays reachable."""
        self.engine.docker("network", "disconnect", self.ledger_network, self.container(service))

    def connect(self, service: str) -> None:
        """Heal :meth:`disconnect`: back on ``ledger`` under its host name."""
        self.engine.docker(
            "network",
            "connect",
            "--alias",
            service,
            self.ledger_network,
            self.container(service),
        )


__all__ = ["DockerNetwork", "NetworkNotHealthy", "ServiceStatus"]
