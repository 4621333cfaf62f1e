"""``quirks.fields.closest``: the one "did you mean" every config and stack checker suggests."""

from __future__ import annotations

from quirks.fields import closest


def test_the_closest_known_name_or_none() -> None:
    assert closest("enviroment", ["environment", "timeout"]) == "environment"
    assert closest("VisibiltyTimeout", ("DelaySeconds", "VisibilityTimeout")) == "VisibilityTimeout"
    assert closest("zzz", ["environment"]) is None
    assert closest("x", []) is None
