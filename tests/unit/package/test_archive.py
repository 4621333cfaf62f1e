"""The zip writer: the same files give the same bytes, and nothing of the build machine gets in."""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile

from hypothesis import given
from hypothesis import strategies as st

from quirks.package.archive import (
    ZIP_EPOCH,
    Entry,
    code_sha256,
    collect,
    content_sha256,
    is_excluded,
    write_zip,
)

RECORD = (
    "quirks/__init__.py,sha256=abc,10\n"
    "../../bin/quirks,sha256=def,20\n"
    "serverless_quirks-0.1.0.dist-info/direct_url.json,sha256=ghi,30\n"
    "quirks/__pycache__/__init__.cpython-313.pyc,,\n"
    "serverless_quirks-0.1.0.dist-info/RECORD,,\n"
)


def _files() -> dict[str, bytes]:
    return {
        "quirks/__init__.py": b"__version__ = '0.1.0'\n",
        "quirks/__pycache__/__init__.cpython-313.pyc": b"\x00compiled",
        "bin/quirks": b"#!/home/builder/.venv/bin/python\n",
        "serverless_quirks-0.1.0.dist-info/direct_url.json": b'{"url": "file:///home/builder"}',
        "serverless_quirks-0.1.0.dist-info/RECORD": RECORD.encode(),
        "serverless_quirks-0.1.0.dist-info/METADATA": b"Name: serverless-quirks\n",
    }


def test_machine_specific_files_are_left_out() -> None:
    names = [entry.name for entry in collect(_files())]
    assert names == [
        "quirks/__init__.py",
        "serverless_quirks-0.1.0.dist-info/METADATA",
        "serverless_quirks-0.1.0.dist-info/RECORD",
    ]


def test_record_keeps_only_rows_of_packaged_files() -> None:
    record = next(e for e in collect(_files()) if e.name.endswith("RECORD")).data.decode()
    assert record.splitlines() == [
        "quirks/__init__.py,sha256=abc,10",
        "serverless_quirks-0.1.0.dist-info/RECORD,,",
    ]


def test_exclusions() -> None:
    assert is_excluded("bin/quirks")
    assert is_excluded("pkg/__pycache__/x.cpython-312.pyc")
    assert is_excluded("x.dist-info/direct_url.json")
    assert not is_excluded("pkg/bin/tool.py")  # only the top-level scripts folder
    assert not is_excluded("x.dist-info/METADATA")
    assert not is_excluded("docs/direct_url.json")


def test_entries_have_fixed_metadata_and_no_directories() -> None:
    data = write_zip(collect(_files()), prefix="python/")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos] == sorted(i.filename for i in infos)
        for info in infos:
            assert info.filename.startswith("python/")
            assert not info.is_dir()
            assert info.date_time == ZIP_EPOCH
            assert info.external_attr >> 16 == 0o100644
            assert info.create_system == 3
            assert info.compress_type == zipfile.ZIP_DEFLATED
        assert archive.testzip() is None


@given(
    st.dictionaries(
        st.from_regex(r"[a-z]{1,8}(/[a-z]{1,8}){0,2}\.py", fullmatch=True),
        st.binary(max_size=200),
        min_size=1,
        max_size=12,
    )
)
def test_same_files_in_any_order_give_the_same_bytes(files: dict[str, bytes]) -> None:
    forward = write_zip(collect(files))
    backward = write_zip(collect(dict(reversed(list(files.items())))))
    assert forward == backward
    with zipfile.ZipFile(io.BytesIO(forward)) as archive:
        assert {name: archive.read(name) for name in archive.namelist()} == files


def test_code_sha256_is_what_lambda_and_terraform_compare() -> None:
    data = write_zip([Entry("a.py", b"x = 1\n")])
    assert code_sha256(data) == base64.b64encode(hashlib.sha256(data).digest()).decode()


def test_content_hash_ignores_compression_but_not_content_or_names() -> None:
    entries = [Entry("a.py", b"x = 1\n" * 100), Entry("b/c.py", b"y = 2\n")]
    stored = io.BytesIO()
    with zipfile.ZipFile(stored, "w", compression=zipfile.ZIP_STORED) as archive:
        for entry in entries:
            archive.writestr(entry.name, entry.data)
    assert stored.getvalue() != write_zip(entries)
    with zipfile.ZipFile(stored) as archive:
        reread = [Entry(n, archive.read(n)) for n in archive.namelist()]
    assert content_sha256(reread) == content_sha256(entries)
    assert content_sha256([Entry("a.py", b"x = 2\n"), entries[1]]) != content_sha256(entries)
    assert content_sha256([Entry("z.py", entries[0].data), entries[1]]) != content_sha256(entries)
    assert content_sha256(entries, "python/") != content_sha256(entries)
