"""The recovery composition root: what it wires from options and from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from quirks import aws
from quirks.errors import ConfigurationError, UserError
from quirks.recovery.factory import build_recovery, build_recovery_from_env, build_replayer
from quirks.recovery.replay import LambdaReplayer, QueueReplayer
from quirks.storage import DirectoryStore, S3Store


def test_a_directory_archive_and_no_replay(tmp_path: Path) -> None:
    recovery = build_recovery(str(tmp_path))
    assert isinstance(recovery.store, DirectoryStore)
    assert recovery.replayer is None
    assert recovery.clients is aws.current()


def test_an_s3_archive_uses_the_given_clients() -> None:
    clients = aws.ClientFactory(aws.AwsSettings(region="eu-west-1"))
    recovery = build_recovery("s3://bucket/p", clients=clients)
    assert isinstance(recovery.store, S3Store)
    assert recovery.store._clients is clients
    assert recovery.service().reader._clients is clients


def test_a_dry_run_writes_nowhere() -> None:
    recovery = build_recovery(None, dry_run=True)
    assert recovery.store is None
    assert recovery.service().dry_run


def test_no_archive_without_dry_run_is_a_user_error() -> None:
    with pytest.raises(UserError, match="no archive location"):
        build_recovery(None)


def test_each_run_gets_a_reader_with_fresh_counts(tmp_path: Path) -> None:
    recovery = build_recovery(str(tmp_path))
    first, second = recovery.service(), recovery.service()
    first.reader.api_calls["GetRecords"] += 3
    assert second.reader.api_calls == {}


def test_one_replay_target_at_most() -> None:
    assert isinstance(build_replayer("fn"), LambdaReplayer)
    assert isinstance(build_replayer(None, "https://sqs/q"), QueueReplayer)
    assert build_replayer() is None
    with pytest.raises(UserError, match="one replay target"):
        build_replayer("fn", "https://sqs/q", flag="--to-function")


def test_the_handler_environment(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="QUIRKS_ARCHIVE"):
        build_recovery_from_env({})
    recovery = build_recovery_from_env(
        {"QUIRKS_ARCHIVE": str(tmp_path), "QUIRKS_REPLAY_FUNCTION": "consumer"}
    )
    assert isinstance(recovery.store, DirectoryStore)
    assert isinstance(recovery.replayer, LambdaReplayer)
    assert recovery.replayer.function == "consumer"
