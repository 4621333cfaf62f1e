"""Render alerts for Slack (Block Kit) and AWS Chatbot (custom notifications), with console links.

Pure: builds dictionaries, sends nothing. Limits (https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html): at most 50 blocks, header text at
most 150 characters, section text at most 3,000, and always a plain ``text`` fallback.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from quirks.timestamps import iso_millis

if TYPE_CHECKING:
    from quirks.alerts.dedupe import Alert

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "Origin",
    "chatbot_digest",
    "chatbot_notification",
    "insights_url",
    "log_stream_url",
    "slack_digest",
    "slack_message",
]

HEADER_MAX = 150
SECTION_MAX = 3000
FIELD_MAX = 2000
FALLBACK_MAX = 3000
INSIGHTS_WINDOW_MS = 15 * 60 * 1000


@dataclass(frozen=True, slots=True)
class Origin:
    """Where the error happened: the log group owner's account and the region."""

    account: str
    region: str

    @property
    def partition(self) -> str:
        if self.region.startswith("cn-"):
            return "aws-cn"
        if self.region.startswith("us-gov-"):
            return "aws-us-gov"
        return "aws"


def _console(region: str) -> str:
    if region.startswith("cn-"):
        return f"https://{region}.console.amazonaws.cn"
    if region.startswith("us-gov-"):
        return "https://console.amazonaws-us-gov.com"
    return f"https://{region}.console.aws.amazon.com"


def _console_escape(value: str) -> str:
    """URL-encode, then write each ``%`` as ``$25`` (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Subscriptions.html): ``/`` becomes ``$252F``."""
    return quote(value, safe="").replace("%", "$25")


def log_stream_url(region: str, log_group: str, log_stream: str) -> str:
    """The CloudWatch console page of one log stream."""
    return (
        f"{_console(region)}/cloudwatch/home?region={region}#logsV2:log-groups/log-group/"
        f"{_console_escape(log_group)}/log-events/{_console_escape(log_stream)}"
    )


def _jsurl_string(value: str) -> str:
    # The console's query state is "JSURL": strings start with ', and characters outside
    # [A-Za-z0-9_.-] are written as *XX (or **XXXX beyond Latin-1), lower-case hex.
    out = ["'"]
    for char in value:
        if char.isascii() and (char.isalnum() or char in "_.-"):
            out.append(char)
        elif ord(char) < 0x100:
            out.append(f"*{ord(char):02x}")
        else:
            out.append(f"**{ord(char):04x}")
    return "".join(out)


def insights_url(region: str, log_group: str, request_id: str, around_ms: int) -> str:
    """A Logs Insights query for every line of ``request_id``, 15 minutes either side of it."""
    query = (
        "fields @timestamp, @message, @logStream\n"
        f'| filter @requestId = "{request_id}" or @message like "{request_id}"\n'
        "| sort @timestamp asc"
    )
    # Logs Insights links take milliseconds; the window's ends are whole seconds.
    start = iso_millis((around_ms - INSIGHTS_WINDOW_MS) // 1000)
    end = iso_millis((around_ms + INSIGHTS_WINDOW_MS) // 1000)
    detail = (
        f"~(end~{_jsurl_string(end)}~start~{_jsurl_string(start)}"
        f"~timeType~'ABSOLUTE~tz~'UTC~editorString~{_jsurl_string(query)}"
        f"~source~(~{_jsurl_string(log_group)}))"
    )
    # The fragment is URL-encoded once more with % written as $, the detail twice (hence $25).
    encoded = "".join(
        c if c.isascii() and (c.isalnum() or c in "_.-*") else f"%{ord(c):02X}" for c in detail
    ).replace("%", "$25")
    return f"{_console(region)}/cloudwatch/home?region={region}#logsV2:logs-insights$3FqueryDetail$3D{encoded}"


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    # Never cut an escape in half: "&am…" would show as text, or start another entity.
    amp = cut.rfind("&", max(0, len(cut) - 4))
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"


def _mrkdwn_escape(text: str) -> str:
    """Slack's three control characters as entities, so ``<!channel>`` or ``<url|label>`` in an
    error message is shown, not acted on (https://api.slack.com/reference/surfaces/formatting#escaping)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _when(epoch_ms: int) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _title(alert: Alert) -> str:
    record = alert.record
    if alert.follow_up:
        return f"{alert.count} more: {record.error_type} in {record.function_name}"
    return f"{record.error_type} in {record.function_name}"


def _summary_line(alert: Alert) -> str:
    record = alert.record
    if alert.follow_up:
        return (
            f"{alert.count} more occurrence(s) of {record.error_type} in {record.function_name} "
            f"since {_when(alert.suppressed_since or alert.first_seen)} (suppressed): {record.message}"
        )
    times = f" (x{alert.count})" if alert.count > 1 else ""
    return f"{record.error_type} in {record.function_name}{times}: {record.message}"


def slack_message(alert: Alert, origin: Origin) -> dict[str, Any]:
    """The webhook body: ``text`` fallback plus Block Kit ``blocks`` within Slack's limits."""
    record = alert.record
    title = _mrkdwn_escape(_title(alert))
    blocks: list[Block] = [HeaderBlock(text=PlainTextObject(text=_clip(title, HEADER_MAX)))]
    message = record.message or "(no message)"
    quoted = "\n".join(f">{line}" for line in _mrkdwn_escape(message).splitlines() or [""])
    blocks.append(SectionBlock(text=MarkdownTextObject(text=_clip(quoted, SECTION_MAX))))
    occurrences = str(alert.count)
    if alert.previously_suppressed:
        occurrences += (
            f" (+{alert.previously_suppressed} suppressed since "
            f"{_when(alert.suppressed_since or alert.first_seen)})"
        )
    fields = [
        ("Function", record.function_name),
        ("Error type", record.error_type),
        ("Request id", record.request_id or "unknown"),
        ("Account / region", f"{origin.account} / {origin.region}"),
        ("Occurrences", occurrences),
        ("First seen", _when(alert.first_seen or record.timestamp)),
    ]
    blocks.append(
        SectionBlock(
            fields=[
                MarkdownTextObject(text=_clip(f"*{name}*\n{_mrkdwn_escape(value)}", FIELD_MAX))
                for name, value in fields
            ]
        )
    )
    if record.stack:
        budget = SECTION_MAX - len("```\n\n```")
        excerpt = _clip(_mrkdwn_escape("\n".join(record.stack)), budget)
        blocks.append(SectionBlock(text=MarkdownTextObject(text=f"```\n{excerpt}\n```")))
    context = [
        f"fingerprint `{alert.fingerprint}`",
        f"log group `{_mrkdwn_escape(record.log_group)}`",
    ]
    if record.xray_trace_id:
        context.append(f"X-Ray `{_mrkdwn_escape(record.xray_trace_id)}`")
    blocks.append(
        ContextBlock(elements=[MarkdownTextObject(text=_clip(" · ".join(context), FIELD_MAX))])
    )
    buttons = []
    if record.log_group and record.log_stream:
        buttons.append(
            ButtonElement(
                text="Log stream",
                action_id="log-stream",
                url=log_stream_url(origin.region, record.log_group, record.log_stream),
            )
        )
    if record.request_id and record.log_group:
        url = insights_url(origin.region, record.log_group, record.request_id, record.timestamp)
        buttons.append(ButtonElement(text="Logs Insights", action_id="insights", url=url))
    if buttons:
        blocks.append(ActionsBlock(elements=buttons))
    return {
        "text": _clip(_mrkdwn_escape(_summary_line(alert)), FALLBACK_MAX),
        "blocks": [block.to_dict() for block in blocks],
    }


def _digest_line(alert: Alert) -> str:
    record = alert.record
    kind = "more: " if alert.follow_up else ""
    times = f" (x{alert.count})" if alert.count > 1 or alert.follow_up else ""
    return (
        f"{kind}{record.error_type} in {record.function_name}{times}: {_clip(record.message, 200)}"
    )


def slack_digest(alerts: Sequence[Alert], origin: Origin) -> dict[str, Any]:
    """One message for the alerts beyond a delivery's message budget: a line per fingerprint."""
    title = f"{len(alerts)} more errors in this delivery"
    lines = [f"• {_mrkdwn_escape(_digest_line(a))} `{a.fingerprint}`" for a in alerts]
    text, shown = "", 0
    for line in lines:
        if len(text) + len(line) + 1 > SECTION_MAX - 40:
            break
        text += line + "\n"
        shown += 1
    if shown < len(lines):
        text += f"…and {len(lines) - shown} more (see the notifier's log)"
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=_clip(title, HEADER_MAX))),
        SectionBlock(text=MarkdownTextObject(text=text.rstrip("\n"))),
        ContextBlock(elements=[MarkdownTextObject(text=f"{origin.account} / {origin.region}")]),
    ]
    fallback = f"{title}: " + "; ".join(_mrkdwn_escape(_digest_line(a)) for a in alerts)
    return {"text": _clip(fallback, FALLBACK_MAX), "blocks": [b.to_dict() for b in blocks]}


def chatbot_digest(alerts: Sequence[Alert], origin: Origin) -> dict[str, Any]:
    """The digest as an AWS Chatbot custom notification."""
    title = f"{len(alerts)} more errors in this delivery"
    # Chatbot renders Slack markdown: the same control sequences are escaped as for Slack.
    description = _clip("\n".join(f"• {_mrkdwn_escape(_digest_line(a))}" for a in alerts), 4000)
    first = min((a.first_seen or a.record.timestamp) for a in alerts) if alerts else 0
    return {
        "version": "1.0",
        "source": "custom",
        "id": f"digest-{first}-{len(alerts)}",
        "content": {
            "textType": "client-markdown",
            "title": title,
            "description": description,
            "nextSteps": [],
            "keywords": sorted({_mrkdwn_escape(a.record.function_name) for a in alerts})[:10],
        },
        "metadata": {
            "threadId": f"digest-{origin.account}-{origin.region}",
            "summary": _clip(
                f"{title}: " + "; ".join(_mrkdwn_escape(_digest_line(a)) for a in alerts), 500
            ),
            "eventType": "LambdaErrorDigest",
            "relatedResources": [],
            "additionalContext": {
                "fingerprints": ",".join(a.fingerprint for a in alerts)[:1000],
                "account": origin.account,
                "region": origin.region,
            },
        },
    }


def chatbot_notification(alert: Alert, origin: Origin) -> dict[str, Any]:
    """An AWS Chatbot custom notification (https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html); the fingerprint is the thread id."""
    record = alert.record
    function_arn = (
        f"arn:{origin.partition}:lambda:{origin.region}:{origin.account}:function:"
        f"{record.function_name}"
    )
    # Chatbot renders Slack markdown (client-markdown): escape Slack's control sequences in every
    # text that comes from the log, so `<!channel>` is shown, not acted on. nextSteps are our links.
    description_parts = [_clip(_mrkdwn_escape(record.message or "(no message)"), 2000)]
    if record.stack:
        stack = _clip(_mrkdwn_escape("\n".join(record.stack)), 2000)
        description_parts.append("```\n" + stack + "\n```")
    if alert.previously_suppressed:
        description_parts.append(
            f"{alert.previously_suppressed} more were suppressed since "
            f"{_when(alert.suppressed_since or alert.first_seen)}."
        )
    next_steps = []
    if record.log_group and record.log_stream:
        url = log_stream_url(origin.region, record.log_group, record.log_stream)
        next_steps.append(f"<{url}|Open the log stream>")
    if record.request_id and record.log_group:
        url = insights_url(origin.region, record.log_group, record.request_id, record.timestamp)
        next_steps.append(f"<{url}|Query the request in Logs Insights>")
    additional = {
        "fingerprint": alert.fingerprint,
        "requestId": record.request_id or "unknown",
        "occurrences": str(alert.count),
        "account": origin.account,
        "region": origin.region,
        "logGroup": _mrkdwn_escape(record.log_group),
    }
    return {
        "version": "1.0",
        "source": "custom",
        "id": f"{alert.fingerprint}-{alert.first_seen or record.timestamp}",
        "content": {
            "textType": "client-markdown",
            "title": _clip(_mrkdwn_escape(_title(alert)), 250),
            "description": "\n".join(description_parts),
            "nextSteps": next_steps,
            "keywords": [
                _mrkdwn_escape(record.function_name),
                _mrkdwn_escape(record.error_type),
                origin.region,
            ],
        },
        "metadata": {
            "threadId": alert.fingerprint,
            "summary": _clip(_mrkdwn_escape(_summary_line(alert)), 500),
            "eventType": "LambdaFollowUp" if alert.follow_up else "LambdaError",
            "relatedResources": [function_arn],
            "additionalContext": additional,
        },
    }
