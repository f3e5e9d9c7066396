"""Node processes of a local network: start detached, record, recognise, stop.

A node runs as ``python -m cli.main node start --config DIR/<org>/node.toml`` in a session
of its own (so it outlives the terminal that ran ``rxl network up``), with stdout and stderr
appended to ``DIR/<org>/node.log``. Its pid file names the pid and the config, and a pid
counts as our node only while that process's command line still names the config: a pid
reused by an unrelated process after a reboot is never signalled.

Waiting for a process to exit uses a pidfd (Linux ≥ 5.3): the wait returns the moment the
process ends, with no polling.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, Literal

POLL_S: Final = 0.05
"""Fallback poll interval where pidfd is unavailable."""


@dataclass(frozen=True, slots=True)
class PidRecord:
    pid: int
    config: Path


def node_command(config: Path) -> list[str]:
    return [sys.executable, "-m", "cli.main", "node", "start", "--config", str(config)]


def spawn_node(config: Path, log: Path) -> int:
    """Start one node detached from us; its output is appended to ``log``. Returns its pid."""
    argv = node_command(config)
    environment = dict(os.environ, PYTHONUNBUFFERED="1")
    with log.open("ab") as out:
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        out.write(f"--- {stamp} rxl network up: {' '.join(argv)}\n".encode())
        out.flush()
        return os.posix_spawn(
            sys.executable,
            argv,
            environment,
            file_actions=[
                (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                (os.POSIX_SPAWN_DUP2, out.fileno(), 1),
                (os.POSIX_SPAWN_DUP2, out.fileno(), 2),
            ],
            setsid=True,
        )


def write_pid(path: Path, record: PidRecord) -> None:
    document = {"pid": record.pid, "config": str(record.config)}
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(document) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def read_pid(path: Path) -> PidRecord | None:
    """The pid file's record; None when there is none or it is unreadable (treated as stale)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return PidRecord(int(document["pid"]), Path(str(document["config"])))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def running_node(path: Path) -> PidRecord | None:
    """The node recorded in the pid file at ``path`` if it is still running, else None."""
    record = read_pid(path)
    if record is None or not is_alive(record.pid):
        return None
    return record if runs_config(record.pid, record.config) else None


def is_alive(pid: int) -> bool:
    """True while ``pid`` exists and has not exited (a zombie child of ours is reaped)."""
    _reap(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return _proc_state(pid) not in {"Z", "X"}


def runs_config(pid: int, config: Path) -> bool:
    """Does ``pid``'s command line name ``config``? (True where /proc cannot tell.)"""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return not Path("/proc/self").exists() and is_alive(pid)
    except OSError:
        return True
    return str(config).encode() in cmdline.split(b"\0")


StopOutcome = Literal["stopped", "killed", "not running", "still running"]


def stop_all(
    pids: Sequence[int], *, grace_s: float, kill_wait_s: float = 5.0
) -> dict[int, StopOutcome]:
    """SIGTERM every pid at once, SIGKILL those still running ``grace_s`` later.

    'still running' means even SIGKILL did not end it within ``kill_wait_s`` (a process stuck
    in the kernel, e.g. on a dead disk).
    """
    outcome: dict[int, StopOutcome] = {}
    for pid in pids:
        outcome[pid] = "stopped" if send_signal(pid, signal.SIGTERM) else "not running"
    _wait_all([p for p in pids if outcome[p] == "stopped"], time.monotonic() + grace_s)
    stubborn = [p for p in pids if outcome[p] == "stopped" and is_alive(p)]
    for pid in stubborn:
        send_signal(pid, signal.SIGKILL)
        outcome[pid] = "killed"
    _wait_all(stubborn, time.monotonic() + kill_wait_s)
    for pid in stubborn:
        if is_alive(pid):
            outcome[pid] = "still running"
    return outcome


def _wait_all(pids: Sequence[int], deadline: float) -> None:
    for pid in pids:
        wait_exit(pid, deadline - time.monotonic())


def wait_exit(pid: int, timeout_s: float) -> bool:
    """Wait up to ``timeout_s`` for ``pid`` to exit; True if it did."""
    try:
        descriptor = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    except OSError:
        return _poll_exit(pid, timeout_s)
    try:
        readable, _, _ = select.select([descriptor], [], [], max(timeout_s, 0.0))
    finally:
        os.close(descriptor)
    return bool(readable) and not is_alive(pid)


def _poll_exit(pid: int, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while is_alive(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL_S)
    return True


def send_signal(pid: int, signum: signal.Signals) -> bool:
    """Signal ``pid``; False when it no longer exists."""
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        return False
    return True


def _reap(pid: int) -> None:
    """Collect ``pid``'s exit status if it is our child, so it does not linger as a zombie."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def _proc_state(pid: int) -> str:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return "?"
    # The command name in parentheses may hold spaces; the state follows the last ')'.
    return stat.rpartition(")")[2].split()[0] if ")" in stat else "?"
