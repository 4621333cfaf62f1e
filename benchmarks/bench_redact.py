"""Redaction of one 256 KB error line: the old default patterns vs. today's (linear) defaults.

Run: ``.venv/bin/python benchmarks/bench_redact.py`` (``--quick`` skips the old patterns' worst
case, which takes over a minute). Each adversarial line is 256 KiB (a Lambda log event's maximum)
built to make a pattern restart at every character: a long run of the characters a match consumes,
with no way to complete it. The old e-mail pattern ``[A-Za-z0-9._%+-]+@…`` scanned the whole rest of
the run from each starting position (quadratic); the new patterns can only start where a run starts.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from quirks.alerts.redact import Redactor  # noqa: E402

SIZE = 256 * 1024
OLD_DEFAULTS = (
    r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}",
    r"(?i)\bbearer\s+[A-Za-z0-9\-._~+/]+=*",
)


def line(unit: str) -> str:
    return (unit * (SIZE // len(unit) + 1))[:SIZE]


ADVERSARIAL = {
    "local-part run, no @": line("a"),
    "e-mail-ish with no TLD": line("a@b"),
    "JWT prefixes": line("eyJ"),
    "base64 run (secret keys)": line("Ab1/"),
    "access key prefixes": line("AKIA"),
    "password= pairs": line("password="),
    "bearer words": line("bearer "),
    "private key headers": line("-----BEGIN PRIVATE KEY-----"),
    "Slack token prefixes": line("xoxb-"),
}


def timed(redactor: Redactor, text: str) -> float:
    started = time.perf_counter()
    redactor.text(text)
    return time.perf_counter() - started


def main() -> int:
    quick = "--quick" in sys.argv
    new = Redactor()
    worst_new = 0.0
    print(f"{'line (256 KiB)':32} {'defaults now':>14}")
    for name, text in ADVERSARIAL.items():
        elapsed = min(timed(new, text) for _ in range(3))
        worst_new = max(worst_new, elapsed)
        print(f"{name:32} {elapsed * 1000:>11.1f} ms")
    if quick:
        return 0
    old = Redactor(OLD_DEFAULTS)
    before = timed(old, ADVERSARIAL["local-part run, no @"])
    after = min(timed(new, ADVERSARIAL["local-part run, no @"]) for _ in range(3))
    print(f"old defaults, local-part run: {before:.1f} s; now {after * 1000:.1f} ms")
    print(
        f"ratio old/new on that line: {before / after:,.0f}x; worst line now {worst_new * 1000:.1f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
