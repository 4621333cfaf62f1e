"""``quirks recover`` that kills itself (``SIGKILL``) right after its N-th durable write.

``CHAOS_KILL_AFTER=archive:N`` dies after the N-th archive or manifest file is written (fsynced and
renamed); ``CHAOS_KILL_AFTER=delete:N`` after the N-th batch of up to 10 messages is deleted. The
chaos driver runs ``python -m tests.chaos.recover_hook recover ...`` instead of ``quirks recover``.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any


def _die_after(count: int, original: Any) -> Any:
    calls = {"n": 0}

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        calls["n"] += 1
        if calls["n"] >= count:
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    return wrapper


def install(spec: str) -> None:
    from quirks import storage
    from quirks.recovery import sources

    kind, _, count = spec.partition(":")
    if kind == "archive":
        storage.write_file_durably = _die_after(int(count), storage.write_file_durably)
    elif kind == "delete":
        original = sources.QueueSource.delete

        def delete_in_tens(self: Any, messages: Any) -> list[str]:
            deleted: list[str] = []
            for start in range(0, len(messages), 10):
                deleted += step(self, messages[start : start + 10])
            return deleted

        step = _die_after(int(count), original)
        sources.QueueSource.delete = delete_in_tens  # type: ignore[method-assign]


def main() -> int:
    spec = os.environ.get("CHAOS_KILL_AFTER")
    if spec:
        install(spec)
    from quirks.cli import main as cli

    return cli(sys.argv[1:])


if __name__ == "__main__":
    raise SystemExit(main())
