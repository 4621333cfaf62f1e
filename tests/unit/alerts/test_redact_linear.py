"""Every default redaction pattern is linear by construction, checked on its parsed structure.

No wall clock: a regular expression is linear in the text when a match can only start where a run
of what it consumes starts, and its repeats are bounded. So each default must

1. start with a literal, or with a lookbehind that refuses the characters its first repeat eats
   (a match cannot restart inside a run, the quadratic case);
2. repeat only boundedly, except after a literal start (a match starts only at that literal);
3. never nest an unbounded repeat in another repeat.

The old e-mail pattern ``[A-Za-z0-9._%+-]+@...`` — a minute on one 256 KB line — breaks rules 1
and 2, and this test says so. Adversarial inputs then check the answers are still right.
"""

from __future__ import annotations

import re
import re._parser as sre  # type: ignore[import-not-found]
from typing import Any

import pytest

from quirks.alerts.redact import DEFAULT_PATTERNS, REDACTED, Redactor

OLD_EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
C = sre  # opcodes and constants are re-exported by the parser module
ZERO_WIDTH = (C.ASSERT, C.ASSERT_NOT, C.AT)


def _chars(items: Any) -> set[int]:
    """The ASCII code points a character set (``IN`` items, or one ``LITERAL``) matches."""
    chars: set[int] = set()
    negate = False
    for op, arg in items:
        if op is C.LITERAL:
            chars.add(arg)
        elif op is C.RANGE:
            chars.update(range(arg[0], arg[1] + 1))
        elif op is C.NEGATE:
            negate = True
        elif op is C.CATEGORY:
            probe = {C.CATEGORY_DIGIT: r"\d", C.CATEGORY_SPACE: r"\s", C.CATEGORY_WORD: r"\w"}
            pattern = re.compile(probe[arg])
            chars.update(c for c in range(128) if pattern.match(chr(c)))
        else:
            raise AssertionError(f"unexpected set item {op}")
    return set(range(128)) - chars if negate else chars


def _set_of(node: tuple[Any, Any]) -> set[int] | None:
    op, arg = node
    if op is C.IN:
        return _chars(arg)
    if op is C.LITERAL:
        return {arg}
    return None


def _repeats(nodes: Any, depth: int = 0) -> list[tuple[int, int]]:
    """(max, nesting depth) of every repeat in ``nodes``, recursively."""
    found: list[tuple[int, int]] = []
    for op, arg in nodes:
        if op in (C.MAX_REPEAT, C.MIN_REPEAT):
            found.append((arg[1], depth))
            found += _repeats(arg[2], depth + 1)
        elif op is C.SUBPATTERN:
            found += _repeats(arg[3], depth)
        elif op is C.BRANCH:
            for branch in arg[1]:
                found += _repeats(branch, depth)
        elif op in (C.ASSERT, C.ASSERT_NOT):
            found += _repeats(arg[1], depth)
    return found


def problems(pattern: str) -> list[str]:
    """Why ``pattern`` is not linear by construction (empty: it is)."""
    nodes = list(sre.parse(pattern))
    found: list[str] = []
    first = next(n for n in nodes if n[0] not in ZERO_WIDTH)
    literal_start = first[0] is C.LITERAL
    refused: set[int] | None = None
    if nodes[0][0] is C.ASSERT_NOT and nodes[0][1][0] == -1:  # (?<!...)
        inner = list(nodes[0][1][1])
        refused = _set_of(inner[0]) if len(inner) == 1 else None
    if nodes[0][0] is not C.LITERAL and refused is None:
        found.append("does not start with a literal or a one-character lookbehind")
    if refused is not None and first[0] in (C.MAX_REPEAT, C.MIN_REPEAT):
        eaten = _set_of(first[1][2][0]) if len(first[1][2]) == 1 else None
        if eaten is None or not eaten <= refused:
            found.append("its lookbehind lets a match restart inside a run")
    for maximum, depth in _repeats(nodes):
        if maximum == C.MAXREPEAT and not literal_start:
            found.append("repeats without a bound and without a literal start")
        if maximum == C.MAXREPEAT and depth > 0:
            found.append("nests an unbounded repeat")
    return found


@pytest.mark.parametrize("pattern", DEFAULT_PATTERNS)
def test_every_default_pattern_is_linear_by_construction(pattern: str) -> None:
    assert problems(pattern) == []


def test_the_old_quadratic_email_pattern_is_refused() -> None:
    assert "does not start with a literal or a one-character lookbehind" in problems(OLD_EMAIL)
    assert "repeats without a bound and without a literal start" in problems(OLD_EMAIL)


def test_a_lookbehind_that_does_not_refuse_the_run_is_refused() -> None:
    assert problems(r"(?<![0-9])[A-Za-z]{1,64}@x") == [
        "its lookbehind lets a match restart inside a run"
    ]


def test_adversarial_lines_are_redacted_correctly() -> None:
    redactor = Redactor()
    run = "a" * 65_536  # 64 KB without '@': the old pattern's worst case
    assert redactor.text(run) == run
    # The case: a 256 KB line of address characters, then real addresses.
    line = "x." * 131_072 + "@ jane.doe@example.com and x@example.org"
    redacted = redactor.text(line)
    assert redacted.endswith(f"@ {REDACTED} and {REDACTED}")
    assert redacted.startswith("x.x.")
