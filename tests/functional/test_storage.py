"""Durable object stores: a local directory and S3 (moto)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from quirks import aws
from quirks.errors import UserError
from quirks.storage import DirectoryStore, S3Store, open_store


def test_directory_store(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "archive"))
    assert isinstance(store, DirectoryStore)
    assert list(store.names()) == []
    path = store.put("a/b.jsonl.gz", b"data")
    assert path == str(tmp_path / "archive" / "a" / "b.jsonl.gz")
    assert store.get("a/b.jsonl.gz") == b"data"
    assert store.exists("a/b.jsonl.gz")
    assert not store.exists("a/c")
    store.put("a/b.jsonl.gz", b"new")
    assert store.get("a/b.jsonl.gz") == b"new"
    assert list(store.names()) == ["a/b.jsonl.gz"]
    assert os.listdir(tmp_path / "archive" / "a") == ["b.jsonl.gz"], "no temp files left behind"
    with pytest.raises(FileNotFoundError):
        store.get("missing")


@pytest.mark.parametrize("bad", ["", "/abs", "../escape", "a/../../b"])
def test_object_names_cannot_escape(tmp_path: Path, bad: str) -> None:
    with pytest.raises(UserError):
        DirectoryStore(tmp_path).put(bad, b"x")


def test_s3_store(aws_env: aws.ClientFactory) -> None:
    aws.client("s3").create_bucket(Bucket="archive")
    store = open_store("s3://archive/recovered/")
    assert isinstance(store, S3Store)
    assert store.put("x/1.jsonl.gz", b"one") == "s3://archive/recovered/x/1.jsonl.gz"
    store.put("x/2.jsonl.gz", b"two")
    assert store.get("x/1.jsonl.gz") == b"one"
    assert store.exists("x/2.jsonl.gz")
    assert not store.exists("x/3.jsonl.gz")
    assert list(store.names("x/")) == ["x/1.jsonl.gz", "x/2.jsonl.gz"]
    with pytest.raises(FileNotFoundError):
        store.get("x/3.jsonl.gz")
    head = aws.client("s3").head_object(Bucket="archive", Key="recovered/x/1.jsonl.gz")
    assert head["ContentLength"] == 3


def test_s3_store_fails_loudly_for_a_missing_bucket(aws_env: aws.ClientFactory) -> None:
    with pytest.raises(Exception, match="NoSuchBucket"):
        S3Store("s3://missing/p").put("a", b"x")
