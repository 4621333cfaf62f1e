"""What users see from the ``quirks`` command: output, exit codes, one-line errors."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest

from quirks import __version__
from quirks.streams import encode_archive
from quirks.testing import run_cli
from tests.support.events import load_event

if TYPE_CHECKING:
    from pathlib import Path


def test_version() -> None:
    assert run_cli("--version") == (0, f"quirks {__version__}\n", "")


def test_console_script_entry_point_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "quirks", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert result.stdout.strip() == f"quirks {__version__}"


def test_no_command_shows_help_and_unknown_command_exits_2() -> None:
    code, _, err = run_cli("no-such-command")
    assert code == 2
    assert "No such command" in err


def test_config_json_shows_resolved_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB_STREAMS", "http://127.0.0.1:9")
    code, out, err = run_cli("--region", "eu-west-1", "--max-attempts", "3", "config", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["region"] == "eu-west-1"
    assert data["max_attempts"] == 3
    assert data["endpoints"]["dynamodbstreams"] == "http://127.0.0.1:9"
    assert data["endpoints"]["sqs"] is None
    assert data["user_agent"] == f"serverless-quirks/{__version__}"


def test_config_shows_where_max_attempts_came_from() -> None:
    data = json.loads(run_cli("config", "--json")[1])
    assert (data["max_attempts"], data["sources"]["max_attempts"]) == (5, "default")
    data = json.loads(run_cli("config", "--json", "--max-attempts", "3")[1])
    assert (data["max_attempts"], data["sources"]["max_attempts"]) == (3, "--max-attempts")
    data = json.loads(run_cli("--max-attempts", "5", "config", "--json")[1])
    # given on the command line, even when equal to the default
    assert data["sources"]["max_attempts"] == "--max-attempts"
    table = run_cli("config", "--max-attempts", "3")[1]
    (row,) = [line for line in table.splitlines() if "max_attempts" in line]
    assert "--max-attempts" in row
    assert "or default" not in row
    (row,) = [line for line in run_cli("config")[1].splitlines() if "max_attempts" in line]
    assert "default" in row
    assert "--max-attempts" not in row


def test_config_table_for_humans() -> None:
    code, out, _ = run_cli("config")
    assert code == 0
    assert "us-east-1" in out
    assert "AWS default" in out


def test_global_options_after_the_command_as_the_aws_cli_takes_them() -> None:
    before = run_cli("--region", "eu-west-1", "--max-attempts", "3", "config", "--json")
    after = run_cli("config", "--json", "--region", "eu-west-1", "--max-attempts=3")
    assert before == after
    assert json.loads(after[1])["region"] == "eu-west-1"
    code, _, err = run_cli("streams", "parse-failure", "missing.json", "--debug")
    assert code == 2
    assert "No such option" not in err


def test_global_endpoint_option_reaches_aws(moto_endpoint: str) -> None:
    code, out, err = run_cli("--endpoint-url", moto_endpoint, "config", "--check", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["account"] == "123456789012"
    assert data["endpoints"]["sts"] == moto_endpoint


def test_config_works_with_nothing_set_and_shows_each_source(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    code, out, err = run_cli("config", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["region"], data["profile"], data["access_key"]) == (None, None, None)
    assert data["sources"]["region"] == data["sources"]["credentials"] == "not set"
    code, out, _ = run_cli("config")
    assert code == 0
    assert "not set" in out
    assert "(fix: pass --region" in out

    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEKEY1234")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret-never-shown")
    monkeypatch.setenv("AWS_ENDPOINT_URL_SQS", "http://127.0.0.1:9")
    code, out, _ = run_cli("config", "--json", "--profile", "p")
    data = json.loads(out)
    assert data["sources"]["profile"] == "--profile"
    code, out, _ = run_cli("config", "--json")
    data = json.loads(out)
    assert (data["region"], data["sources"]["region"]) == ("eu-west-2", "AWS_DEFAULT_REGION")
    assert (data["access_key"], data["sources"]["credentials"]) == ("****1234", "env")
    assert data["sources"]["endpoints"]["sqs"] == "AWS_ENDPOINT_URL_SQS"
    assert "secret-never-shown" not in out
    code, out, _ = run_cli("config", "--region", "ap-south-1", "--json")
    assert json.loads(out)["sources"]["region"] == "--region"


def test_missing_region_is_one_line_with_the_fix_and_exit_2(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    code, out, err = run_cli("config", "--check", "--json")
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "fix:" in err
    assert "--region" in err


def test_debug_adds_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    code, _, err = run_cli("--debug", "config", "--check")
    assert code == 2
    assert "Traceback" in err
    code, _, err = run_cli("config", "--check", "--debug")  # global options go anywhere
    assert code == 2
    assert "Traceback" in err


def test_unreachable_endpoint_is_a_user_error() -> None:
    code, out, err = run_cli(
        "--endpoint-url", "http://127.0.0.1:9", "--max-attempts", "1", "config", "--check"
    )
    assert code == 2
    assert out == ""
    assert err.startswith("quirks: error: ")
    assert "fix:" in err
    assert "Traceback" not in err


def _messages_file(tmp_path: Path, *extra: Any) -> Path:
    pointer = load_event("ddb-on-failure-sqs.json")
    sns = {"Type": "Notification", "MessageId": "m", "Message": json.dumps(pointer)}
    s3 = {**pointer, "payload": json.dumps(load_event("dynamodb-stream-event.json"))}
    asynchronous = load_event("async-on-failure.json")
    lines = [json.dumps(m) for m in (pointer, sns, s3, asynchronous, *extra)]
    path = tmp_path / "messages.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_parse_failure_json(tmp_path: Path) -> None:
    code, out, err = run_cli("streams", "parse-failure", str(_messages_file(tmp_path)), "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["parsed"] == 4
    assert data["rejected"] == 0
    kinds = [(m["kind"], m.get("via")) for m in data["messages"]]
    assert kinds == [
        ("stream-batch", "direct"),
        ("stream-batch", "sns"),
        ("stream-batch", "s3"),
        ("async-invocation", "direct"),
    ]
    first = data["messages"][0]
    assert first["start"] == "800000000003126276362"
    assert first["batch_size"] == 1
    assert first["expires_at"] == "2019-11-15T00:13:19+00:00"
    assert first["seconds_left"] < 0
    assert data["messages"][2]["records_included"] == 3


def test_parse_failure_reports_garbage_and_exits_1(tmp_path: Path) -> None:
    path = _messages_file(tmp_path, {"hello": 1})
    with path.open("a") as handle:
        handle.write("not json at all\n")
    code, out, _ = run_cli("streams", "parse-failure", str(path), "--json")
    assert code == 1
    data = json.loads(out)
    assert data["parsed"] == 4
    assert data["rejected"] == 2
    assert data["messages"][-1]["error"]["field"] == "body"
    code, out, _ = run_cli("streams", "parse-failure", str(path))
    assert code == 1
    assert "4 parsed, 2 rejected" in out


def test_parse_failure_missing_file_is_a_user_error(tmp_path: Path) -> None:
    code, out, err = run_cli("streams", "parse-failure", str(tmp_path / "nope.json"))
    assert code == 2
    assert out == ""
    assert "fix:" in err


def test_cat_prints_the_replay_event(tmp_path: Path) -> None:
    event = load_event("dynamodb-stream-event.json")
    path = tmp_path / "a.jsonl.gz"
    path.write_bytes(encode_archive(event["Records"]))
    code, out, _ = run_cli("streams", "cat", str(path), "--json")
    assert code == 0
    assert json.loads(out) == event
    code, out, _ = run_cli("streams", "cat", str(path))
    assert code == 0
    assert "4421584500000000017450439093" in out
    assert "3 records" in out


@pytest.mark.parametrize("content", [b"not gzip", gzip.compress(b'{"eventID": 1}\n')])
def test_cat_rejects_bad_archives_with_exit_2(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.jsonl.gz"
    path.write_bytes(content)
    code, out, err = run_cli("streams", "cat", str(path))
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "fix:" in err


@pytest.mark.parametrize("where", ["option", "env"])
def test_an_endpoint_that_is_not_a_url_is_a_user_error(
    monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    if where == "env":
        monkeypatch.setenv("AWS_ENDPOINT_URL", "notaurl")
        argv = ["config", "--check"]
    else:
        argv = ["--endpoint-url", "notaurl", "config", "--check"]
    code, out, err = run_cli(*argv)
    assert (code, out) == (2, "")
    source = "AWS_ENDPOINT_URL" if where == "env" else "--endpoint-url"
    assert err.startswith(f"quirks: error: {source} 'notaurl' is not an endpoint URL (fix:")


def test_parse_failure_reads_saved_receive_message_output_and_says_expired(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pointer = load_event("ddb-on-failure-sqs.json")
    saved = {
        "Messages": [
            {"MessageId": "a", "ReceiptHandle": "h", "Body": json.dumps(pointer)},
            {"MessageId": "b", "ReceiptHandle": "h2", "Body": json.dumps(pointer)},
        ]
    }
    path = tmp_path / "receive.json"
    path.write_text(json.dumps(saved))
    code, out, err = run_cli("streams", "parse-failure", str(path), "--json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["parsed"], data["rejected"]) == (2, 0)
    assert data["messages"][0]["start"] == "800000000003126276362"
    monkeypatch.setenv("COLUMNS", "250")
    code, out, err = run_cli("streams", "parse-failure", str(path))
    assert code == 0, err
    assert "EXPIRED" in out
    assert "ago" in out
