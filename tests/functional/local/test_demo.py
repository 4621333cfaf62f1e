"""``quirks demo`` runs inside the test suite and accounts for every record."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from quirks.local.demo import CONSUMERS, REJECTING, _counts
from quirks.local.demo_consumers import is_rejected
from quirks.testing import run_cli
from tests.conftest import reset_moto
from tests.support.cli import run_json

RECORDS = 100


def test_demo_accounts_for_every_record_in_both_phases(tmp_path: Path, moto_endpoint: str) -> None:
    reset_moto(moto_endpoint)  # the demo's cloud shares moto's in-process state with the tests
    report = run_json("demo", "--records", str(RECORDS), "--report", str(tmp_path))
    assert report["lost_total"] == 0
    assert report["records_written"] == 2 * RECORDS
    rejected = sum(1 for i in range(RECORDS) if is_rejected(3 * i + 1))
    direct, fanout = report["phases"]
    assert (direct["name"], fanout["name"]) == ("direct", "fan-out")
    assert direct["readers_per_shard"] >= 4  # the four mappings, and recovery's own reads
    assert direct["throttled_polls"] > 0
    assert fanout["readers_per_shard"] == 1
    assert fanout["throttled_polls"] == 0
    for phase in (direct, fanout):
        for name in CONSUMERS:
            counts = phase["consumers"][name]
            accounted = counts["processed"] + counts["recovered"]
            assert accounted == RECORDS, (phase["name"], name, counts)
            assert counts["lost"] == 0
            assert counts["failed"] == (rejected if name == REJECTING else 0)
    # Per-consumer IteratorAge is in the report (and the tables), not only in the chart.
    for phase in (direct, fanout):
        assert all(c["iterator_age_max_ms"] >= 0 for c in phase["consumers"].values())
    assert (
        max(c["iterator_age_max_ms"] for c in direct["consumers"].values())
        == (direct["iterator_age_max_ms"])
    )
    assert direct["consumers"][REJECTING]["recovered"] == rejected
    assert fanout["consumers"][REJECTING]["recovered"] == rejected  # archived, replayable
    assert report["alerts"]["delivered"] >= 1
    assert sorted(Path(p).name for p in report["files"]) == ["iterator-age.svg", "report.json"]
    assert json.loads((tmp_path / "report.json").read_text())["lost_total"] == 0
    svg = ET.fromstring((tmp_path / "iterator-age.svg").read_text())
    assert svg.tag.endswith("svg")
    assert len(svg.findall("{http://www.w3.org/2000/svg}polyline")) >= 2
    assert len(svg.findall("{http://www.w3.org/2000/svg}circle")) >= 2  # visible at any size


def test_a_record_that_was_neither_processed_nor_rescued_counts_as_lost() -> None:
    expected = {"a", "b", "c", "d"}
    counts = _counts(expected, processed={"a", "b"}, rejected={"c", "d"}, recovered={"c"})
    assert asdict(counts) == {
        "processed": 2,
        "failed": 2,
        "recovered": 1,
        "lost": 1,
        "iterator_age_max_ms": 0.0,
    }
    assert _counts(expected, {"a"}, set(), set()).lost == 3


def test_ctrl_c_during_the_demo_stops_the_cloud_and_says_interrupted(
    monkeypatch: pytest.MonkeyPatch, moto_endpoint: str
) -> None:
    reset_moto(moto_endpoint)

    def interrupted(demo: Any, orders: Any, timeout: float) -> Any:
        # What a SIGINT leaves behind: workers killed mid-line, empty log lines buffered.
        demo.cloud.telemetry.log("/aws/lambda/billing", "2026/12/01/[$LATEST]x", ["", "START"])
        raise KeyboardInterrupt

    monkeypatch.setattr("quirks.local.demo._direct_phase", interrupted)
    code, out, err = run_cli("demo", "--records", "10")
    assert (code, out) == (130, "")
    assert err.strip().splitlines()[-1] == "quirks: error: interrupted (nothing is left running)"
    assert "Parameter validation" not in err
    assert "Traceback" not in err
