"""Running the host's programs (docker, compose, debootstrap, pip) with each step echoed.

Every command is printed to stderr as ``+ docker …`` before it runs, so a CI log shows each
step; output is captured and shown only when the command fails.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Protocol

from network.docker.errors import CommandFailed, ToolMissing


@dataclass(frozen=True, slots=True)
class Completed:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


class Runner(Protocol):
    """Runs one command to completion; tests pass a fake that records the calls."""

    def __call__(
        self,
        args: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        stdin: bytes | None = None,
        timeout: float | None = None,
    ) -> Completed: ...


def subprocess_runner(
    args: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
    timeout: float | None = None,
) -> Completed:
    merged = None if env is None else {**os.environ, **env}
    try:
        done = subprocess.run(
            list(args), env=merged, input=stdin, capture_output=True, timeout=timeout, check=False
        )
    except FileNotFoundError as exc:
        raise ToolMissing(args[0], "see docs/operations.md for what to install") from exc
    except subprocess.TimeoutExpired as exc:
        out = _text(exc.stdout) + _text(exc.stderr)
        raise CommandFailed(args, -1, f"timed out after {timeout} s\n{out}") from exc
    return Completed(tuple(args), done.returncode, _text(done.stdout), _text(done.stderr))


def _text(data: bytes | str | None) -> str:
    if data is None:
        return ""
    return data if isinstance(data, str) else data.decode("utf-8", errors="replace")


@dataclass(slots=True)
class Shell:
    """Echoing front of a :class:`Runner`."""

    runner: Runner = subprocess_runner
    echo: IO[str] | None = field(default_factory=lambda: sys.stderr)

    def quiet(self) -> Shell:
        """The same runner without echo, for polling loops."""
        return Shell(self.runner, None)

    def run(
        self,
        args: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        stdin: bytes | None = None,
        timeout: float | None = None,
        check: bool = True,
    ) -> Completed:
        if self.echo is not None:
            print(f"+ {shlex.join(args)}", file=self.echo, flush=True)
        done = self.runner(args, env=env, stdin=stdin, timeout=timeout)
        if check and done.returncode != 0:
            raise CommandFailed(args, done.returncode, done.stdout + done.stderr)
        return done

    def output(self, args: Sequence[str], *, timeout: float | None = 120.0) -> str:
        """The command's stdout, stripped; raises :class:`CommandFailed` on a non-zero exit."""
        return self.run(args, timeout=timeout).stdout.strip()

    def succeeds(self, args: Sequence[str], *, timeout: float | None = 60.0) -> bool:
        """Whether the command ran and exited 0 (a missing program counts as failure)."""
        try:
            return self.run(args, timeout=timeout, check=False).returncode == 0
        except ToolMissing:
            return False


def require(tool: str, install_hint: str) -> str:
    """The absolute path of ``tool``, or :class:`ToolMissing` naming how to install it."""
    path = shutil.which(tool)
    if path is None:
        raise ToolMissing(tool, install_hint)
    return path
