"""quirks.parameters: SSM and Secrets Manager through Powertools, cached per max_age, errors named."""

from __future__ import annotations

import pytest

from quirks import aws
from quirks.errors import ConfigurationError
from quirks.parameters import Parameters


def _counting(clients: aws.ClientFactory, service: str) -> list[str]:
    calls: list[str] = []
    clients.client(service).meta.events.register(  # type: ignore[call-overload]
        f"before-call.{clients.client(service).meta.service_model.service_name}",
        lambda model, **_: calls.append(model.name),
    )
    return calls


def test_a_value_is_reused_for_max_age_and_read_every_time_without_it(
    aws_env: aws.ClientFactory,
) -> None:
    aws_env.client("ssm").put_parameter(Name="/cfg", Value="v1", Type="SecureString")
    calls = _counting(aws_env, "ssm")
    cached = Parameters(aws_env)
    assert [cached.ssm("/cfg", what="x", fix="y", max_age=300) for _ in range(3)] == ["v1"] * 3
    assert calls == ["GetParameter"]
    aws_env.client("ssm").put_parameter(
        Name="/cfg", Value="v2", Type="SecureString", Overwrite=True
    )
    fresh = Parameters(aws_env)
    assert [fresh.ssm("/cfg", what="x", fix="y") for _ in range(2)] == ["v2", "v2"]
    assert calls == ["GetParameter", "PutParameter", "GetParameter", "GetParameter"]


def test_secrets_are_read_and_a_missing_one_names_itself_and_the_fix(
    aws_env: aws.ClientFactory,
) -> None:
    aws_env.client("secretsmanager").create_secret(Name="hook", SecretString="https://x")
    parameters = Parameters(aws_env)
    assert parameters.secret("hook", what="the webhook", fix="grant it") == "https://x"
    with pytest.raises(ConfigurationError) as raised:
        parameters.secret("gone", what="the webhook", fix="grant it")
    assert raised.value.message.startswith("cannot read the webhook from secret 'gone': ")
    assert raised.value.fix == "grant it"
    with pytest.raises(ConfigurationError, match="from SSM parameter '/none': "):
        parameters.ssm("/none", what="the config", fix="f")
