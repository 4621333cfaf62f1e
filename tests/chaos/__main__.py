"""``make chaos``: every chaos scenario, one summary line each; exit 0 only when nothing is lost.

``CHAOS_RECORDS`` sets the size (default 10,000 records; the drive-by scenario sends a fiftieth of
that many requests, at least 50); ``CHAOS_SEED`` the seed; ``CHAOS_REPORT=path.json`` also writes
the summaries as JSON (the figures in docs/reliability.md).
"""

from __future__ import annotations

import json
import os
import sys

from tests.chaos import driveby, fanout, poison, recovery
from tests.chaos.common import records_from_env


def main() -> int:
    records = records_from_env(10_000)
    seed = int(os.environ.get("CHAOS_SEED", "1"))
    summaries = []
    for name, scenario in (
        ("driveby", lambda: driveby.run(max(50, records // 50), seed)),
        ("poison", lambda: poison.run(records)),
        ("recovery", lambda: recovery.run(records, seed)),
        ("fanout", lambda: fanout.run(records, seed)),
    ):
        summary = scenario()
        summaries.append(summary)
        print(summary.line(), flush=True)
        if not summary.ok:
            print(f"chaos {name}: records were lost or a guarantee broke", file=sys.stderr)
    report = os.environ.get("CHAOS_REPORT")
    if report:
        with open(report, "w", encoding="utf-8") as handle:
            json.dump([s.to_json() for s in summaries], handle, indent=1)
    return 0 if all(s.ok for s in summaries) else 1


if __name__ == "__main__":
    raise SystemExit(main())
