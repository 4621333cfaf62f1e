"""The CLI's parsers isolate one poison message: it is reported in its place, its neighbours parse."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from tests.support.cli import run_json
from tests.support.events import load_event

if TYPE_CHECKING:
    from pathlib import Path

POISON = "[" * 1500 + "]" * 1500


def test_parse_failure_reports_the_poison_line_and_parses_its_neighbours(tmp_path: Path) -> None:
    valid = json.dumps(load_event("ddb-on-failure-sqs.json"))
    messages = tmp_path / "messages.jsonl"
    messages.write_text(f"{valid}\n{POISON}\n{valid}\n")
    data = run_json("streams", "parse-failure", str(messages), code=1)
    assert (data["parsed"], data["rejected"]) == (2, 1)
    [bad] = [m for m in data["messages"] if m["kind"] == "invalid"]
    assert bad["index"] == 1
    assert "nested deeper than" in bad["error"]["problem"]


def test_test_pattern_survives_a_deeply_nested_json_log_line(tmp_path: Path) -> None:
    lines = tmp_path / "events.txt"
    lines.write_text('{"level": "ERROR", "x": ' + POISON + "}\n" + '{"level": "ERROR"}\n')
    data = run_json("alerts", "test-pattern", '{ $.level = "ERROR" }', "--log", str(lines))
    # the nested line is not JSON to the engine (too deep): not matched, and not a crash
    assert (data["events"], data["matched"]) == (2, 1)
    assert data["matches"][0]["index"] == 1
