"""The chaos scenarios at a reduced size, in every ``make test`` (``make chaos`` runs them full size).

Each scenario counts from side effects and must lose nothing; the kill scenarios must really have
killed something, or they proved nothing.
"""

from __future__ import annotations

from tests.chaos import driveby, fanout, poison, recovery


def test_fanout_under_failing_consumers_and_kill_9_loses_nothing() -> None:
    summary = fanout.run(200, seed=7)
    assert summary.ok, summary.line()
    assert summary.kills >= 1, summary.line()
    assert all(c["seen"] + c["diverted"] == 200 for c in summary.detail["consumers"].values())


def test_recovery_killed_at_random_and_after_each_write_loses_nothing() -> None:
    summary = recovery.run(600, seed=7)
    assert summary.ok, summary.line()
    assert summary.kills >= 3, summary.line()


def test_poison_messages_fail_only_themselves() -> None:
    summary = poison.run(200)
    assert summary.ok, summary.line()


def test_a_drive_by_page_is_refused_everything() -> None:
    summary = driveby.run(60)
    assert summary.ok, summary.line()
    assert summary.detail["refused"] == 60
