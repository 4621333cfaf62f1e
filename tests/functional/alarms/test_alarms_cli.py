"""``quirks alarms plan|apply`` against moto: the full cycle a user runs, and what it never touches."""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING, Any

import pytest

from quirks import aws
from quirks.alarms import MANAGED_BY_TAG, MANAGED_BY_VALUE
from quirks.testing import run_cli
from tests.support.cli import run_json

if TYPE_CHECKING:
    from pathlib import Path

    from tests.functional.alarms.conftest import Account

TOPIC = "arn:aws:sns:us-east-1:123456789012:ops-alarms"

SHOP_ALARMS = {
    "quirks-iterator-age-warning-orders-projector": ("IteratorAge", "orders-projector"),
    "quirks-iterator-age-critical-orders-projector": ("IteratorAge", "orders-projector"),
    "quirks-iterator-age-warning-audit-writer": ("IteratorAge", "audit-writer"),
    "quirks-iterator-age-critical-audit-writer": ("IteratorAge", "audit-writer"),
    "quirks-destination-delivery-failures-orders-projector": (
        "DestinationDeliveryFailures",
        "orders-projector",
    ),
    "quirks-failure-queue-depth-orders-failures": (
        "ApproximateNumberOfMessagesVisible",
        "orders-failures",
    ),
    "quirks-async-event-age-mailer": ("AsyncEventAge", "mailer"),
}


def names(entries: list[dict[str, Any]]) -> set[str]:
    return {entry["alarm"] for entry in entries}


def alarms_in_cloudwatch() -> dict[str, dict[str, Any]]:
    pages = aws.client("cloudwatch", "us-east-1").get_paginator("describe_alarms").paginate()
    return {a["AlarmName"]: a for page in pages for a in page["MetricAlarms"]}


def put_foreign_alarm(name: str, threshold: float = 1.0, tags: list[Any] | None = None) -> None:
    """An alarm someone else made (no managed-by tag unless given)."""
    aws.client("cloudwatch").put_metric_alarm(
        AlarmName=name,
        Namespace="AWS/Lambda",
        MetricName="Errors",
        Dimensions=[{"Name": "FunctionName", "Value": "orders-projector"}],
        Statistic="Sum",
        Period=300,
        EvaluationPeriods=1,
        Threshold=threshold,
        ComparisonOperator="GreaterThanThreshold",
        **({"Tags": tags} if tags else {}),
    )


def test_plan_on_an_empty_account_lists_nothing(account: Account) -> None:
    data = run_json("alarms", "plan", "--topic", TOPIC)
    assert data == {
        "create": [],
        "update": [],
        "unchanged": [],
        "orphaned": [],
        "conflicts": [],
        "findings": [],
    }


def test_plan_lists_the_full_set_with_metric_and_resource(shop: Account) -> None:
    data = run_json("alarms", "plan", "--topic", TOPIC)
    assert {e["alarm"]: (e["metric"], e["resource"]) for e in data["create"]} == SHOP_ALARMS
    assert data["update"] == data["unchanged"] == data["orphaned"] == data["conflicts"] == []
    # audit-writer has no on-failure destination: a risk no alarm can cover, so it is reported.
    assert len(data["findings"]) == 1
    assert "audit-writer" in data["findings"][0]
    assert "without an on-failure destination" in data["findings"][0]


def test_apply_creates_tagged_alarms_then_plan_shows_nothing_to_do(shop: Account) -> None:
    result = run_json("alarms", "apply", "--yes", "--topic", TOPIC)
    assert set(result["created"]) == set(SHOP_ALARMS)
    assert result["failed"] == {}
    assert list(result) == [  # the --json keys users script against
        "created",
        "updated",
        "deleted",
        "unchanged",
        "orphaned_kept",
        "conflicts",
        "failed",
        "findings",
    ]

    alarms = alarms_in_cloudwatch()
    assert set(alarms) == set(SHOP_ALARMS)
    warning = alarms["quirks-iterator-age-warning-orders-projector"]
    assert warning["Namespace"] == "AWS/Lambda"
    assert warning["Statistic"] == "Maximum"
    assert warning["Period"] == 60
    assert warning["Threshold"] == 300_000
    assert warning["TreatMissingData"] == "notBreaching"
    assert warning["AlarmActions"] == [TOPIC]
    assert warning["OKActions"] == [TOPIC]
    assert warning["Dimensions"] == [{"Name": "FunctionName", "Value": "orders-projector"}]
    assert alarms["quirks-iterator-age-critical-orders-projector"]["Threshold"] == 3_600_000
    queue = alarms["quirks-failure-queue-depth-orders-failures"]
    assert (queue["Namespace"], queue["Threshold"]) == ("AWS/SQS", 0)
    assert "lost within 24 h unless recovered" in queue["AlarmDescription"]
    cloudwatch = aws.client("cloudwatch")
    for alarm in alarms.values():
        tags = cloudwatch.list_tags_for_resource(ResourceARN=alarm["AlarmArn"])["Tags"]
        assert {"Key": MANAGED_BY_TAG, "Value": MANAGED_BY_VALUE} in tags

    data = run_json("alarms", "plan", "--topic", TOPIC)
    assert data["create"] == data["update"] == data["orphaned"] == []
    assert names(data["unchanged"]) == set(SHOP_ALARMS)

    again = run_json("alarms", "apply", "--yes", "--topic", TOPIC)
    assert again["created"] == again["updated"] == []
    assert set(again["unchanged"]) == set(SHOP_ALARMS)


def test_a_changed_threshold_shows_as_an_update_and_apply_makes_it_so(shop: Account) -> None:
    run_json("alarms", "apply", "--yes", "--topic", TOPIC)
    option = ("--threshold-iterator-age-warning", "15m")

    data = run_json("alarms", "plan", "--topic", TOPIC, *option)
    assert names(data["update"]) == {
        "quirks-iterator-age-warning-orders-projector",
        "quirks-iterator-age-warning-audit-writer",
    }
    changes = data["update"][0]["changes"]
    assert changes["Threshold"] == {"current": 300_000, "desired": 900_000}
    assert "AlarmDescription" in changes  # the description names the threshold
    assert len(data["unchanged"]) == len(SHOP_ALARMS) - 2

    run_json("alarms", "apply", "--yes", "--topic", TOPIC, *option)
    assert (
        alarms_in_cloudwatch()["quirks-iterator-age-warning-audit-writer"]["Threshold"] == 900_000
    )
    data = run_json("alarms", "plan", "--topic", TOPIC, *option)
    assert data["update"] == data["create"] == []


def test_a_changed_topic_is_an_update_of_every_alarm(shop: Account) -> None:
    run_json("alarms", "apply", "--yes", "--topic", TOPIC)
    other = "arn:aws:sns:us-east-1:123456789012:other"
    data = run_json("alarms", "plan", "--topic", other)
    assert names(data["update"]) == set(SHOP_ALARMS)
    assert set(data["update"][0]["changes"]) == {"AlarmActions", "OKActions"}


def test_alarms_not_managed_by_us_are_never_changed_or_deleted(shop: Account) -> None:
    taken = "quirks-iterator-age-warning-orders-projector"  # our name, someone else's alarm
    put_foreign_alarm(taken, threshold=42)
    put_foreign_alarm("quirks-hand-made", threshold=7)  # our prefix, not desired, not ours
    put_foreign_alarm("orders-errors", threshold=1, tags=[{"Key": "team", "Value": "orders"}])
    before = {n: a for n, a in alarms_in_cloudwatch().items() if n in (taken, "quirks-hand-made")}

    data = run_json("alarms", "plan", "--topic", TOPIC)
    assert names(data["conflicts"]) == {taken}
    assert taken not in names(data["create"]) | names(data["update"])
    assert data["orphaned"] == []

    code, out, err = run_cli("alarms", "apply", "--yes", "--topic", TOPIC, "--prune", "--json")
    assert code == 1, err  # a blocked alarm is a failure the user must see
    result = json.loads(out)
    assert result["conflicts"] == [taken]
    assert result["deleted"] == []
    after = alarms_in_cloudwatch()
    for name, alarm in before.items():
        assert after[name] == alarm  # same config, same timestamps: not even rewritten
    assert "orders-errors" in after
    assert set(after) == set(SHOP_ALARMS) | {"quirks-hand-made", "orders-errors"}


def test_a_removed_mapping_makes_orphans_and_only_prune_deletes_them(shop: Account) -> None:
    run_json("alarms", "apply", "--yes", "--topic", TOPIC)
    put_foreign_alarm("quirks-hand-made")
    aws.client("lambda").delete_event_source_mapping(UUID=shop.mappings["audit-writer"])
    gone = {
        "quirks-iterator-age-warning-audit-writer",
        "quirks-iterator-age-critical-audit-writer",
    }

    data = run_json("alarms", "plan", "--topic", TOPIC)
    assert names(data["orphaned"]) == gone
    assert {e["resource"] for e in data["orphaned"]} == {"audit-writer"}
    assert {e["metric"] for e in data["orphaned"]} == {"IteratorAge"}

    kept = run_json("alarms", "apply", "--yes", "--topic", TOPIC)
    assert set(kept["orphaned_kept"]) == gone
    assert kept["deleted"] == []
    assert gone <= set(alarms_in_cloudwatch())

    pruned = run_json("alarms", "apply", "--yes", "--topic", TOPIC, "--prune")
    assert set(pruned["deleted"]) == gone
    assert set(alarms_in_cloudwatch()) == (set(SHOP_ALARMS) - gone) | {"quirks-hand-made"}
    data = run_json("alarms", "plan", "--topic", TOPIC)
    assert data["orphaned"] == data["create"] == data["update"] == []


def test_config_file_overrides_per_function_and_queue(shop: Account, tmp_path: Path) -> None:
    config = tmp_path / "alarms.json"
    config.write_text(
        json.dumps(
            {
                "topic": TOPIC,
                "defaults": {"iterator_age_critical": "2h"},
                "functions": {
                    "orders-projector": {"iterator_age_warning": "30m"},
                    "audit-writer": {"skip": True},
                    "mailer": {"async_event_age": 120},
                },
                "queues": {"orders-failures": {"queue_depth": 5}},
            }
        )
    )
    run_json("alarms", "apply", "--yes", "--config", str(config))
    alarms = alarms_in_cloudwatch()
    assert not any("audit-writer" in name for name in alarms)
    assert alarms["quirks-iterator-age-warning-orders-projector"]["Threshold"] == 1_800_000
    assert alarms["quirks-iterator-age-critical-orders-projector"]["Threshold"] == 7_200_000
    assert alarms["quirks-async-event-age-mailer"]["Threshold"] == 120_000
    assert alarms["quirks-failure-queue-depth-orders-failures"]["Threshold"] == 5
    assert alarms["quirks-async-event-age-mailer"]["AlarmActions"] == [TOPIC]

    # A command-line threshold beats the file's defaults but not a per-function entry.
    data = run_json(
        "alarms",
        "plan",
        "--config",
        str(config),
        "--threshold-iterator-age-warning",
        "20m",
        "--threshold-iterator-age-critical",
        "3h",
    )
    assert names(data["update"]) == {"quirks-iterator-age-critical-orders-projector"}


def test_bad_config_is_one_line_with_the_fix_and_exit_2(shop: Account, tmp_path: Path) -> None:
    config = tmp_path / "alarms.json"
    config.write_text(json.dumps({"functions": {"mailer": {"iterator_age_warnign": "5m"}}}))
    code, out, err = run_cli("alarms", "plan", "--config", str(config), "--json")
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert "functions.mailer.iterator_age_warnign" in err
    assert "fix:" in err

    code, out, err = run_cli("alarms", "plan", "--threshold-iterator-age-warning", "soon")
    assert (code, out) == (2, "")
    assert "--threshold-iterator-age-warning" in err

    code, _, err = run_cli("alarms", "plan", "--topic", "arn:aws:sqs:us-east-1:1:q")
    assert code == 2
    assert "not an SNS topic ARN" in err


def test_plan_table_for_humans_and_a_warning_without_topic(shop: Account) -> None:
    code, out, err = run_cli("alarms", "plan")
    assert code == 0, err
    assert "notify no one" in err
    assert "quirks-failure-queue-depth-orders-failures" in out
    assert "7 to create" in out
    assert "finding:" in out


def test_the_global_region_scopes_discovery_and_alarms(shop: Account) -> None:
    run_json("alarms", "apply", "--yes", "--topic", TOPIC)
    data = run_json("--region", "eu-west-1", "alarms", "plan", "--topic", TOPIC)
    assert data["create"] == data["unchanged"] == data["orphaned"] == []
    pruned = run_json("--region", "eu-west-1", "alarms", "apply", "--yes", "--prune")
    assert pruned["deleted"] == []
    assert set(alarms_in_cloudwatch()) == set(SHOP_ALARMS)


def test_apply_summary_for_humans(shop: Account) -> None:
    code, out, err = run_cli("alarms", "apply", "--yes", "--topic", TOPIC)
    assert code == 0, err
    assert "created 7, updated 0, deleted 0, unchanged 0" in out
    assert "finding:" in err  # findings go to stderr on apply
    aws.client("lambda").delete_event_source_mapping(UUID=shop.mappings["audit-writer"])
    code, out, _ = run_cli("alarms", "apply", "--yes", "--topic", TOPIC)
    assert code == 0
    assert (
        "orphaned quirks-iterator-age-warning-audit-writer (kept; delete with apply --prune)" in out
    )


class Terminal(io.StringIO):
    """stdin as a terminal, whose lines are the answers typed."""

    def isatty(self) -> bool:
        return True


def test_apply_without_topic_refuses_to_strip_the_actions_of_existing_alarms(shop: Account) -> None:
    run_json("alarms", "apply", "--yes", "--topic", TOPIC)
    code, out, err = run_cli("alarms", "apply", "--yes")
    assert (code, out) == (2, ""), err
    assert "would remove the actions of 7 existing alarm(s)" in err
    assert f"(fix: pass --topic {TOPIC} to keep them, or --allow-removing-actions)" in err
    assert all(a["AlarmActions"] == [TOPIC] for a in alarms_in_cloudwatch().values())

    other = "arn:aws:sns:us-east-1:123456789012:other"
    code, _, err = run_cli("alarms", "apply", "--yes", "--topic", other)
    assert code == 2
    assert "--allow-removing-actions" in err
    moved = run_json("alarms", "apply", "--yes", "--topic", other, "--allow-removing-actions")
    assert len(moved["updated"]) == 7
    assert all(a["AlarmActions"] == [other] for a in alarms_in_cloudwatch().values())


def test_apply_shows_the_plan_and_asks_and_no_changes_nothing(
    shop: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run_cli("alarms", "apply", "--topic", TOPIC, stdin=Terminal("n\n"))
    assert (code, out) == (1, ""), err
    assert "7 to create" in err
    assert "Apply these changes to 7 alarm(s)?" in err
    assert "nothing was changed" in err
    assert alarms_in_cloudwatch() == {}

    code, out, err = run_cli("alarms", "apply", "--topic", TOPIC, stdin=Terminal("y\n"))
    assert code == 0, err
    assert "created 7" in out
    assert set(alarms_in_cloudwatch()) == set(SHOP_ALARMS)


def test_apply_without_a_terminal_needs_yes(shop: Account) -> None:
    code, out, err = run_cli("alarms", "apply", "--topic", TOPIC, "--json")
    assert (code, out) == (2, "")
    assert "(fix: pass --yes" in err
    assert alarms_in_cloudwatch() == {}
    # Nothing to do: no question, so no --yes needed.
    run_json("alarms", "apply", "--yes", "--topic", TOPIC)
    again = run_json("alarms", "apply", "--topic", TOPIC)
    assert again["created"] == again["updated"] == []


def test_plan_detailed_exitcode_tells_ci_about_drift(shop: Account) -> None:
    plan = ("alarms", "plan", "--topic", TOPIC, "--detailed-exitcode")
    assert run_json(*plan, code=2)["create"]
    run_json("alarms", "apply", "--yes", "--topic", TOPIC)
    assert run_json(*plan, code=0)["create"] == []
    assert run_cli("alarms", "plan", "--topic", TOPIC)[0] == 0  # without the flag: always 0
    # Errors exit 1 with the flag, so that 2 always means "changes".
    code, _, err = run_cli(*plan, "--threshold-iterator-age-warning", "5x")
    assert code == 1
    assert "is not a duration" in err
