"""Redaction removes e-mails and bearer tokens by default, and any configured pattern."""

from __future__ import annotations

import pytest

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
