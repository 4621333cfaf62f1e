"""The bad-input table: every command, fed what new users really type, answers in one line.

Missing files, malformed JSON/TOML/YAML, unknown options, no region, an unreachable endpoint,
missing credentials: no traceback without ``--debug``, a ``quirks: error:`` line (or click's usage
message) with the fix, exit 2 for what the user can fix, and nothing on stdout.
"""

from __future__ import annotations

import gzip
import json
from typing import TYPE_CHECKING

import pytest

from quirks import aws
from quirks.testing import CliResult, run_cli
from tests.support.events import EVENTS, load_event

if TYPE_CHECKING:
    from pathlib import Path

CONFIG = str(EVENTS / "fanout-config.json")
POOL = ["--user-pool-id", "us-east-1_abc", "--domain", "auth.example.com"]
CERT = ["--certificate-arn", "arn:aws:acm:us-east-1:123456789012:certificate/x"]


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    """Bad (and one good) input files, by name."""
    made = {
        "bad.json": '{"targets": [',
        "bad.toml": "not toml ===",
        "notgzip.jsonl.gz": "plain text",
        "pointer.json": json.dumps(load_event("ddb-on-failure-sqs.json")),
        "log.txt": "[ERROR] boom\n",
    }
    for name, text in made.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "archive.jsonl.gz").write_bytes(gzip.compress(b"{not json}\n"))
    paths = {name: str(tmp_path / name) for name in (*made, "archive.jsonl.gz")}
    paths["missing"] = str(tmp_path / "missing.json")
    paths["dir"] = str(tmp_path)
    return paths


def _no_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)


def _no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def _unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")


ENVIRONMENTS = {"no-region": _no_region, "no-credentials": _no_credentials}
ENVIRONMENTS["unreachable"] = _unreachable

# Commands that call AWS, with arguments that are otherwise right.
AWS_COMMANDS: list[list[str]] = [
    ["config", "--check"],
    ["alarms", "plan"],
    ["alarms", "apply", "--yes", "--topic", "arn:aws:sns:us-east-1:123456789012:t"],
    ["recover", "--file", "<pointer.json>", "--dry-run"],
    ["recover", "--queue", "https://sqs.us-east-1.amazonaws.com/123456789012/q", "--dry-run"],
    ["cognito-domain", "check", *POOL, *CERT],
    ["cognito-domain", "teardown", *POOL, "--dry-run"],
    ["alerts", "attach", "--destination", "notifier", "--dry-run"],
    ["alerts", "detach", "--dry-run"],
    ["appsync", "query", "--url", "https://127.0.0.1:9/graphql", "-q", "{ a }", "--auth", "iam"],
]

# Bad files and values, whatever the environment.
FILE_INPUTS: list[list[str]] = [
    ["streams", "parse-failure", "<missing>"],
    ["streams", "cat", "<missing>"],
    ["streams", "cat", "<notgzip.jsonl.gz>"],
    ["streams", "cat", "<archive.jsonl.gz>"],
    ["fanout", "check", "<missing>"],
    ["fanout", "check", "<bad.json>"],
    ["fanout", "check", "<dir>"],
    ["fanout", "simulate", CONFIG, "--event", "<missing>"],
    ["fanout", "simulate", CONFIG, "--event", "<bad.json>"],
    ["local", "up", "--stack", "<missing>"],
    ["local", "up", "--stack", "<bad.toml>"],
    ["local", "up", "--port", "99999"],
    ["alarms", "plan", "--config", "<missing>"],
    ["alarms", "plan", "--config", "<bad.json>"],
    ["alarms", "plan", "--topic", "not-an-arn"],
    ["recover", "--file", "<missing>", "--dry-run"],
    ["recover", "--s3", "notans3", "--dry-run"],
    ["recover", "--queue", "notaurl", "--dry-run"],
    ["recover", "replay", "<missing>", "--to-queue", "q"],
    ["recover", "replay", "<notgzip.jsonl.gz>", "--to-queue", "q"],
    ["alerts", "test-pattern", "{ $.a = ", "--log", "<log.txt>"],
    ["alerts", "test-pattern", "ERROR", "--log", "<missing>"],
    ["alerts", "send-test"],
    ["appsync", "query", "--url", "notaurl", "-q", "{ a }"],
    ["appsync", "query", "--url", "https://x/graphql", "-q", "{ a", "--auth", "api-key"],
    [
        *("appsync", "subscribe", "--url", "https://x/graphql", "-q", "subscription { a }"),
        *("--auth", "api-key", "--api-key", "k", "--ca-bundle", "<missing>"),
    ],
    ["appsync", "login"],
    ["package", "--code", "<missing>"],
    ["demo", "--records", "5"],
    ["--endpoint-url", "notaurl", "config", "--check"],
    ["--profile", "nosuch", "config", "--check"],
]

# Unknown options and commands, at every level.
USAGE: list[list[str]] = [
    ["nosuchcmd"],
    ["alarms", "plna"],
    ["alarms", "plan", "--nope"],
    ["streams", "cat", "--nope"],
    ["recover", "--nope"],
    ["local", "up", "--nope"],
    ["fanout", "check"],
    ["--region"],
]


def _run(argv: list[str], files: dict[str, str]) -> CliResult:
    filled = [files.get(arg[1:-1], arg) if arg.startswith("<") else arg for arg in argv]
    aws.current().clear()
    return run_cli("--max-attempts", "1", *filled)


def _assert_one_line_error(code: int, out: str, err: str, *, usage: bool = False) -> None:
    assert code in (1, 2), (code, err)
    assert "Traceback" not in err, err
    assert out.strip() == "" or out.lstrip().startswith(("{", "┏", "file")), out
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines, "nothing said"
    if usage:
        assert code == 2
        assert any("Error" in line for line in lines), err
    else:
        errors = [line for line in lines if line.startswith("quirks: error:")]
        assert len(errors) <= 1, err
        if errors:
            assert "(fix:" in errors[0] or code == 1, errors[0]


@pytest.mark.parametrize("environment", sorted(ENVIRONMENTS))
@pytest.mark.parametrize("argv", AWS_COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_aws_commands_in_a_bad_environment(
    monkeypatch: pytest.MonkeyPatch,
    files: dict[str, str],
    argv: list[str],
    environment: str,
) -> None:
    ENVIRONMENTS[environment](monkeypatch)
    code, out, err = _run(argv, files)
    _assert_one_line_error(code, out, err)
    assert code == 2, err


@pytest.mark.parametrize("argv", FILE_INPUTS, ids=lambda a: " ".join(a)[:60])
def test_bad_files_and_values(files: dict[str, str], argv: list[str]) -> None:
    code, out, err = _run(argv, files)
    _assert_one_line_error(code, out, err, usage=err.startswith("Usage"))
    assert code == 2, err
    assert err.startswith("Usage") or "(fix:" in err, err


@pytest.mark.parametrize("argv", USAGE, ids=lambda a: " ".join(a))
def test_unknown_options_and_commands(files: dict[str, str], argv: list[str]) -> None:
    code, out, err = _run(argv, files)
    _assert_one_line_error(code, out, err, usage=True)


# ``alarms plan --detailed-exitcode`` gives exit 2 the meaning "changes" (as terraform plan
# -detailed-exitcode), so every error, whether the user's or the environment's, exits 1.
DETAILED = ["alarms", "plan", "--detailed-exitcode"]
DETAILED_BAD_INPUTS: list[list[str]] = [
    [*DETAILED, "--nope"],
    ["alarms", "plan", "--nope", "--detailed-exitcode"],
    [*DETAILED, "--config", "<missing>"],
    [*DETAILED, "--config", "<bad.json>"],
    [*DETAILED, "--topic", "not-an-arn"],
    [*DETAILED, "--threshold-queue-depth", "many"],
]


@pytest.mark.parametrize("environment", sorted(ENVIRONMENTS))
def test_detailed_exitcode_in_a_bad_environment_exits_1(
    monkeypatch: pytest.MonkeyPatch,
    files: dict[str, str],
    environment: str,
) -> None:
    ENVIRONMENTS[environment](monkeypatch)
    code, out, err = _run(DETAILED, files)
    assert code == 1, err
    assert "Traceback" not in err, err
    assert out == ""
    assert [line for line in err.splitlines() if line.startswith("quirks: error:")], err
    assert "(fix:" in err, err


@pytest.mark.parametrize("argv", DETAILED_BAD_INPUTS, ids=lambda a: " ".join(a[2:]))
def test_detailed_exitcode_bad_inputs_exit_1(files: dict[str, str], argv: list[str]) -> None:
    code, out, err = _run(argv, files)
    assert code == 1, err
    assert "Traceback" not in err, err
    assert out == ""
    assert err.strip(), "nothing said"
