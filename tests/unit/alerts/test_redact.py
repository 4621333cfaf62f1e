"""Redaction removes e-mails and bearer tokens by default, and any configured pattern."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quirks.alerts.config import AlertSettings
from quirks.alerts.redact import Redactor
from quirks.errors import ConfigurationError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("user jane.doe+x@example.co.uk failed", "user [redacted] failed"),
        (
            "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc-_~+/= sent",
            "Authorization: [redacted] sent",
        ),
        ("bearer abc123", "[redacted]"),
        ("nothing secret here", "nothing secret here"),
    ],
)
def test_default_patterns(text: str, expected: str) -> None:
    assert Redactor().text(text) == expected


def test_configured_patterns_extend_or_replace_the_defaults() -> None:
    settings = AlertSettings.from_env({"QUIRKS_ALERTS_REDACT": r'["card \\d{4}"]'})
    redactor = Redactor(settings.redact_patterns)
    assert redactor.text("card 4242 of a@b.io") == "[redacted] of [redacted]"
    only = AlertSettings.from_env(
        {"QUIRKS_ALERTS_REDACT": r'["card \\d{4}"]', "QUIRKS_ALERTS_REDACT_DEFAULTS": "false"}
    )
    assert Redactor(only.redact_patterns).text("card 4242 of a@b.io") == "[redacted] of a@b.io"


@pytest.mark.parametrize("value", ["not json", '{"a": 1}', '["(unclosed"]', "[1]"])
def test_bad_redaction_settings_are_configuration_errors(value: str) -> None:
    with pytest.raises(ConfigurationError):
        AlertSettings.from_env({"QUIRKS_ALERTS_REDACT": value})


SECRETS = [
    ("aws access key id", "key AKIAIOSFODNN7EXAMPLE used", "key [redacted] used"),
    ("temporary key id", "ASIAY34FZKBOKMUTVV7A denied", "[redacted] denied"),
    (
        "aws secret key",
        "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "aws_secret_access_key=[redacted]",
    ),
    ("bare secret key", "got wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY back", "got [redacted] back"),
    (
        "jwt",
        "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk!",
        "token [redacted]!",
    ),
    (
        "slack webhook",
        "posting to https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX failed",
        "posting to [redacted] failed",
    ),
    ("slack bot token", "auth xoxb-123456789012-1234567890123-AbCdEfGhIjKl", "auth [redacted]"),
    ("password pair", "connect password=hunter2 host=db", "connect password=[redacted] host=db"),
    ("secret in json", '{"secret": "s3cr3t", "n": 1}', '{"secret": [redacted], "n": 1}'),
    ("quoted password", "PASSWORD: 'a b c' end", "PASSWORD: [redacted] end"),
    (
        "private key block",
        "key -----BEGIN RSA PRIVATE KEY-----\\nMIIEowIBAAKCAQEA\\n-----END RSA PRIVATE KEY----- x",
        "key [redacted] x",
    ),
    ("truncated private key", "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg", "[redacted]"),
    ("e-mail", "user jane.doe+x@example.co.uk failed", "user [redacted] failed"),
    ("bearer", "Authorization: Bearer abc.def-ghi", "Authorization: [redacted]"),
]


@pytest.mark.parametrize(("kind", "text", "expected"), SECRETS, ids=[s[0] for s in SECRETS])
def test_the_defaults_cover_every_common_secret(kind: str, text: str, expected: str) -> None:
    assert Redactor().text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "commit 2fd4e1c67a2d28fced849ee1bb76e7391b93eb12 failed",  # a hex hash is not a key
        "KeyError: 'passwords_table'",
        "order 1234567890123456 not found",
    ],
)
def test_ordinary_error_text_is_kept(text: str) -> None:
    assert Redactor().text(text) == text


def test_a_group_named_redact_replaces_only_that_group() -> None:
    redactor = Redactor([r"card=(?P<redact>\d{4})"])
    assert redactor.text("card=4242 ok") == "card=[redacted] ok"


@given(st.text(alphabet="aA1/+=@.eyJ-_ :xob", max_size=300))
def test_redaction_is_idempotent_and_never_crashes(text: str) -> None:
    once = Redactor().text(text)
    assert Redactor().text(once) == once


def test_the_error_type_is_redacted_too() -> None:
    from quirks.alerts.classify import ErrorRecord

    record = ErrorRecord(
        kind="python",
        function_name="f",
        request_id=None,
        error_type="jane.doe@example.com",
        message="AKIAIOSFODNN7EXAMPLE failed",
        stack=(),
        top_frame=None,
        timestamp=1,
        log_group="/aws/lambda/f",
        log_stream="s",
        event_id="1",
    )
    redacted = Redactor().record(record)
    assert redacted.error_type == "[redacted]"
    assert redacted.message == "[redacted] failed"
