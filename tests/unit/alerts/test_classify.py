"""Every recognized log shape gives the right error; noise gives none."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quirks.alerts.classify import classify, classify_batch, function_name_from_group
from quirks.alerts.decode import LogBatch, LogEvent
from tests.support.events import load_event

FIXTURES = load_event("alerts-log-events.json")
GROUP = "/aws/lambda/orders-api"
STREAM = "2024/05/02/[$LATEST]0123456789abcdef0123456789abcdef"


def _event(message: str, index: int = 0) -> LogEvent:
    return LogEvent(
        id=f"3800000000000000000000000000000000000000000000{index:04d}",
        timestamp=1714644672345,
        message=message,
    )


@pytest.mark.parametrize("case", FIXTURES["recognized"], ids=lambda c: c["name"])
def test_recognized_shapes(case: dict[str, Any]) -> None:
    record = classify(_event(case["message"]), GROUP, STREAM)
    assert record is not None, case["name"]
    expect = case["expect"]
    assert record.kind == expect["kind"]
    assert record.error_type == expect["error_type"]
    assert record.message == expect["message"]
    assert record.request_id == expect["request_id"]
    assert record.top_frame == expect["top_frame"]
    assert record.function_name == expect.get("function_name", "orders-api")
    assert record.xray_trace_id == expect.get("xray_trace_id")
    assert record.location == expect.get("location")
    assert record.timestamp == 1714644672345
    assert (record.log_group, record.log_stream) == (GROUP, STREAM)


@pytest.mark.parametrize("message", FIXTURES["noise"])
def test_noise_gives_nothing(message: str) -> None:
    assert classify(_event(message), GROUP, STREAM) is None


def test_every_event_of_a_batch_is_examined_not_only_the_first() -> None:
    messages = [*FIXTURES["noise"], *(c["message"] for c in FIXTURES["recognized"])]
    batch = LogBatch(
        "123456789012",
        GROUP,
        STREAM,
        ("quirks-errors",),
        "DATA_MESSAGE",
        tuple(_event(m, i) for i, m in enumerate(messages)),
    )
    records = classify_batch(batch)
    kinds = {r.kind for r in records}
    assert kinds == {"python", "timeout", "runtime-exit", "json", "powertools", "node"}
    # platform records whose request already produced an error are folded into it
    assert len(records) == len(FIXTURES["recognized"]) - 2


def test_platform_failure_alone_is_reported() -> None:
    case = next(c for c in FIXTURES["recognized"] if c["name"] == "platform-runtime-done-timeout")
    batch = LogBatch("1", GROUP, STREAM, (), "DATA_MESSAGE", (_event(case["message"]),))
    assert [r.kind for r in classify_batch(batch)] == ["platform"]


def test_python_traceback_stack_excerpt_keeps_the_innermost_frames() -> None:
    frames = "".join(
        f'  File "/var/task/m{i}.py", line {i}, in f{i}\n    call{i}()\n' for i in range(30)
    )
    message = f"[ERROR] RecursionError: too deep\nTraceback (most recent call last):\n{frames}"
    record = classify(_event(message), GROUP, STREAM)
    assert record is not None
    assert len(record.stack) == 12
    assert record.stack[-1] == "    call29()"
    assert record.top_frame == 'File "/var/task/m29.py", line 29, in f29: call29()'


@pytest.mark.parametrize(
    ("group", "name"),
    [("/aws/lambda/fn", "fn"), ("/aws/lambda/a-b_c", "a-b_c"), ("/custom/app/logs", "logs")],
)
def test_function_name_from_group(group: str, name: str) -> None:
    assert function_name_from_group(group) == name


@given(st.text(max_size=300))
def test_classify_never_raises_on_arbitrary_text(message: str) -> None:
    classify(_event(message), GROUP, STREAM)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "level",
                        "log_level",
                        "message",
                        "errorType",
                        "stackTrace",
                        "type",
                        "record",
                        "status",
                        "exception",
                        "error",
                        "requestId",
                    ]
                ),
                children,
                max_size=6,
            )
        ),
        max_leaves=20,
    )
)
def test_classify_never_raises_on_arbitrary_json(document: Any) -> None:
    import json

    classify(_event(json.dumps(document)), GROUP, STREAM)


def test_an_event_that_breaks_the_classifier_does_not_hide_the_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import quirks.alerts.classify as module

    real = module.classify

    def flaky(event: LogEvent, group: str, stream: str) -> Any:
        if event.message == "poison":
            raise RuntimeError("classifier bug")
        return real(event, group, stream)

    monkeypatch.setattr(module, "classify", flaky)
    messages = ["poison", FIXTURES["recognized"][0]["message"]]
    batch = LogBatch(
        "1", GROUP, STREAM, (), "DATA_MESSAGE", tuple(_event(m, i) for i, m in enumerate(messages))
    )
    failures: list[str] = []
    records = classify_batch(batch, lambda event, exc: failures.append(f"{event.message}: {exc}"))
    assert [r.error_type for r in records] == ["KeyError"]
    assert failures == ["poison: classifier bug"]
    with pytest.raises(RuntimeError):
        classify_batch(batch)
