"""Console links, Slack fallback text and the Chatbot custom notification schema."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

import pytest

from quirks.alerts.classify import ErrorRecord
from quirks.alerts.dedupe import Alert
from quirks.alerts.render import (
    Origin,
    chatbot_notification,
    insights_url,
    log_stream_url,
    slack_message,
)

RECORD = ErrorRecord(
    kind="python",
    function_name="orders-api",
    request_id="8f5f1e8a-2b7c-4d1e-9a3f-0c6b5d4e3f21",
    error_type="KeyError",
    message="'order_id' <script>",
    stack=('  File "/var/task/app.py", line 14, in handler',),
    top_frame='File "/var/task/app.py", line 14, in handler',
    timestamp=1714644672345,
    log_group="/aws/lambda/orders-api",
    log_stream="2024/05/02/[$LATEST]0123abcd",
    event_id="1",
)
ALERT = Alert("0123456789abcdef", RECORD, 3, RECORD.timestamp, RECORD.timestamp)


def test_log_stream_link_escaping_matches_the_console() -> None:
    # aws-facts §6: URL-encode, then write each % as $25 (so / becomes $252F).
    url = log_stream_url("eu-west-1", "/aws/lambda/orders-api", "2024/05/02/[$LATEST]0123abcd")
    assert url == (
        "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1"
        "#logsV2:log-groups/log-group/$252Faws$252Flambda$252Forders-api"
        "/log-events/2024$252F05$252F02$252F$255B$2524LATEST$255D0123abcd"
    )


@pytest.mark.parametrize(
    ("region", "host"),
    [
        ("us-east-1", "https://us-east-1.console.aws.amazon.com"),
        ("cn-north-1", "https://cn-north-1.console.amazonaws.cn"),
        ("us-gov-west-1", "https://console.amazonaws-us-gov.com"),
    ],
)
def test_links_follow_the_region_partition(region: str, host: str) -> None:
    assert log_stream_url(region, "g", "s").startswith(f"{host}/cloudwatch/home?region={region}#")


def _decode_jsurl_string(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text.startswith("**", i):
            out.append(chr(int(text[i + 2 : i + 6], 16)))
            i += 6
        elif text[i] == "*":
            out.append(chr(int(text[i + 1 : i + 3], 16)))
            i += 3
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def test_insights_link_queries_the_request_id_in_its_log_group() -> None:
    url = insights_url(
        "eu-west-1", "/aws/lambda/orders-api", RECORD.request_id or "", RECORD.timestamp
    )
    prefix = "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:logs-insights$3FqueryDetail$3D"
    assert url.startswith(prefix)
    detail = unquote(url[len(prefix) :].replace("$25", "%"))
    assert detail.startswith("~(end~'")
    assert detail.endswith("))")
    assert "~timeType~'ABSOLUTE~tz~'UTC~" in detail
    editor = detail.split("~editorString~'")[1].split("~source~")[0]
    assert _decode_jsurl_string(editor).startswith("fields @timestamp, @message")
    assert f'filter @requestId = "{RECORD.request_id}"' in _decode_jsurl_string(editor)
    assert detail.endswith("~source~(~'*2faws*2flambda*2forders-api))")
    assert "~start~'2024-05-02T09*3a56*3a12.000Z~" in detail


def test_slack_fallback_text_and_escaping() -> None:
    body = slack_message(ALERT, Origin("123456789012", "eu-west-1"))
    assert body["text"] == "KeyError in orders-api (x3): 'order_id' &lt;script&gt;"
    assert "&lt;script&gt;" in json.dumps(body["blocks"])
    buttons = body["blocks"][-1]["elements"]
    assert [b["text"]["text"] for b in buttons] == ["Log stream", "Logs Insights"]


def _check_schema(message: dict[str, Any]) -> None:
    """The custom notification shape documented for AWS Chatbot (aws-facts §7)."""
    assert set(message) <= {"version", "source", "id", "content", "metadata"}
    assert message["version"] == "1.0"
    assert message["source"] == "custom"
    assert isinstance(message.get("id", ""), str)
    content = message["content"]
    assert set(content) <= {"textType", "title", "description", "nextSteps", "keywords"}
    assert content["textType"] == "client-markdown"
    assert isinstance(content["description"], str)
    assert content["description"]
    assert isinstance(content["title"], str)
    assert content["title"]
    for key in ("nextSteps", "keywords"):
        assert isinstance(content[key], list)
        assert all(isinstance(item, str) for item in content[key])
    metadata = message["metadata"]
    assert set(metadata) <= {
        "threadId",
        "summary",
        "eventType",
        "relatedResources",
        "additionalContext",
    }
    for key in ("threadId", "summary", "eventType"):
        assert isinstance(metadata[key], str)
        assert metadata[key]
    assert all(isinstance(r, str) for r in metadata["relatedResources"])
    assert all(
        isinstance(k, str) and isinstance(v, str) for k, v in metadata["additionalContext"].items()
    )
    json.dumps(message)


def test_chatbot_notification_matches_the_custom_schema() -> None:
    message = chatbot_notification(ALERT, Origin("123456789012", "eu-west-1"))
    _check_schema(message)
    assert message["metadata"]["threadId"] == "0123456789abcdef"
    assert message["metadata"]["relatedResources"] == [
        "arn:aws:lambda:eu-west-1:123456789012:function:orders-api"
    ]
    assert message["content"]["title"] == "KeyError in orders-api"
    assert any("Logs Insights" in step for step in message["content"]["nextSteps"])


def test_follow_up_renders_the_suppressed_count() -> None:
    follow_up = Alert(
        "0123456789abcdef",
        RECORD,
        42,
        1714644672345,
        1714645572345,
        suppressed_since=1714644672345,
        follow_up=True,
    )
    body = slack_message(follow_up, Origin("123456789012", "eu-west-1"))
    assert body["text"].startswith(
        "42 more occurrence(s) of KeyError in orders-api since 2024-05-02 10:11:12 UTC"
    )
    assert body["blocks"][0]["text"]["text"] == "42 more: KeyError in orders-api"
    _check_schema(chatbot_notification(follow_up, Origin("123456789012", "eu-west-1")))


def test_chatbot_digest_matches_the_custom_schema() -> None:
    from quirks.alerts.render import chatbot_digest

    alerts = [ALERT, Alert("fedcba9876543210", RECORD, 1, 1, 1, follow_up=True)]
    message = chatbot_digest(alerts, Origin("123456789012", "eu-west-1"))
    _check_schema(message)
    assert message["content"]["title"] == "2 more errors in this delivery"
    assert "KeyError in orders-api (x3)" in message["content"]["description"]


def _all_text(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in (_all_text(v) if k != "url" else [])]
    if isinstance(value, list):
        return [t for v in value for t in _all_text(v)]
    return [value] if isinstance(value, str) else []


def test_slack_control_sequences_are_escaped_everywhere_the_fallback_included() -> None:
    from dataclasses import replace

    from quirks.alerts.render import slack_digest

    hostile = replace(
        RECORD,
        error_type="Err<!here>",
        message="<!channel> see <https://evil.example|the docs> & <@U123>",
        log_group="/aws/lambda/<!everyone>",
    )
    alert = Alert("0123456789abcdef", hostile, 1, RECORD.timestamp, RECORD.timestamp)
    for body in (
        slack_message(alert, Origin("1", "us-east-1")),
        slack_digest([alert] * 3, Origin("1", "us-east-1")),
    ):
        texts = _all_text(body)
        assert any("&lt;!channel&gt;" in t for t in texts)
        for text in texts:
            assert "<" not in text, text
            assert ">" not in text.replace("\n>", "\n").lstrip(">"), text  # only quote marks
        assert "&lt;!channel&gt;" in body["text"]
        assert "&amp;" in body["text"]


def test_clipping_never_cuts_an_entity_in_half() -> None:
    from dataclasses import replace

    alert = Alert("f", replace(RECORD, message="<" * 5000), 1, 1, 1)
    body = slack_message(alert, Origin("1", "us-east-1"))
    assert body["text"].endswith("&lt;…")


def test_chatbot_texts_escape_slack_control_sequences() -> None:
    from dataclasses import replace

    from quirks.alerts.render import chatbot_digest

    hostile = replace(
        RECORD,
        error_type="Err<!here>",
        message="<!channel> see <https://evil.example|the docs> & <@U123>",
        stack=("  File <!everyone>",),
        log_group="/aws/lambda/<!everyone>",
    )
    alert = Alert("0123456789abcdef", hostile, 2, RECORD.timestamp, RECORD.timestamp)
    for body in (
        chatbot_notification(alert, Origin("1", "us-east-1")),
        chatbot_digest([alert] * 3, Origin("1", "us-east-1")),
    ):
        _check_schema(body)
        # nextSteps are the notifier's own console links, written as <url|label> on purpose.
        texts = _all_text({k: v for k, v in body["content"].items() if k != "nextSteps"})
        texts += _all_text(body["metadata"])
        assert any("&lt;!channel&gt;" in t for t in texts)
        for text in texts:
            assert "<" not in text, text
            assert ">" not in text, text
        assert "&lt;!channel&gt;" in body["metadata"]["summary"]
