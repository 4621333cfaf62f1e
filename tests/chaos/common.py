"""Shared pieces of the chaos scenarios: the summary line, kill -9 of processes, waiting."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Summary:
    """What one scenario did, counted from side effects. ``lost`` must be 0 for exit code 0."""

    scenario: str
    written: int
    lost: int
    duplicated: int = 0
    diverted: int = 0
    kills: int = 0
    seconds: float = 0.0
    detail: dict[str, Any] = field(default_factory=dict)

    exactly_once: bool = False
    """The scenario promises no duplicates (recovery: every record in exactly one archive)."""

    @property
    def ok(self) -> bool:
        if self.exactly_once and self.duplicated:
            return False
        return self.lost == 0 and not self.detail.get("violations")

    def line(self) -> str:
        """The one summary line each scenario prints."""
        verdict = "OK" if self.ok else "FAILED"
        return (
            f"chaos {self.scenario}: {verdict} written={self.written} lost={self.lost} "
            f"duplicated={self.duplicated} diverted={self.diverted} kills={self.kills} "
            f"seconds={self.seconds:.1f} {json.dumps(self.detail, sort_keys=True)}"
        )

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


def children(pid: int) -> list[int]:
    """Every descendant of ``pid`` (from /proc, Linux)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def kill_random(rng: random.Random, match: str) -> bool:
    """``kill -9`` one random descendant of this process whose command line contains ``match``."""
    candidates = [pid for pid in children(os.getpid()) if match in cmdline(pid)]
    if not candidates:
        return False
    try:
        os.kill(rng.choice(candidates), signal.SIGKILL)
    except ProcessLookupError:
        return False
    return True


def wait_until(done: Callable[[], bool], timeout: float, step: float = 0.5) -> bool:
    """Poll ``done`` until it is true or ``timeout`` seconds have passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if done():
            return True
        time.sleep(step)
    return done()


def records_from_env(default: int) -> int:
    return int(os.environ.get("CHAOS_RECORDS", default))


def fresh_moto() -> None:
    """Forget every moto resource: moto's backends are per process, shared by every server in it."""
    from moto.moto_api._internal.models import moto_api_backend

    moto_api_backend.reset()


@contextlib.contextmanager
def scoped_environ(**values: str) -> Iterator[None]:
    """Set environment variables for a scenario, and put the whole environment back afterwards
    (scenarios also run inside pytest, where later tests must not inherit them)."""
    saved = dict(os.environ)
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
