"""What users see from ``quirks cognito-domain``: reports, --json, exit codes."""

from __future__ import annotations

import json
import uuid

import pytest

from quirks import aws
from quirks.cli import cognito as cognito_cli
from quirks.cognito.checks import CHECK_NAMES
from quirks.testing import CliResult, run_cli
from tests.functional.cognito.conftest import DOMAIN, self_signed
from tests.support.clients import OverriddenClients


@pytest.fixture
def account(aws_env: aws.ClientFactory) -> dict[str, str]:
    pool = aws.client("cognito-idp").create_user_pool(PoolName="users")["UserPool"]["Id"]
    aws.client("route53").create_hosted_zone(Name="example.com", CallerReference=str(uuid.uuid4()))
    pem, key = self_signed(DOMAIN)
    cert = aws.client("acm", region="us-east-1").import_certificate(Certificate=pem, PrivateKey=key)
    return {"pool": pool, "cert": cert["CertificateArn"]}


def run(*argv: str, clients: aws.ClientFactory | None = None) -> CliResult:
    """``quirks`` with no DNS in tests (nothing resolves) and, optionally, injected clients."""
    return run_cli(*argv, clients=clients, resolver=lambda _name: False)


def args(account: dict[str, str], command: str, *extra: str) -> list[str]:
    base = ["cognito-domain", command, "--user-pool-id", account["pool"], "--domain", DOMAIN]
    if command != "teardown":
        base += ["--certificate-arn", account["cert"]]
    return [*base, *extra]


def test_check_json_passes(account: dict[str, str]) -> None:
    code, out, err = run(*args(account, "check", "--json"))
    assert code == 0, err
    data = json.loads(out)
    assert data["status"] == "ok"
    assert [c["name"] for c in data["checks"]] == list(CHECK_NAMES)


def test_check_fails_with_exit_2_and_the_fix(account: dict[str, str]) -> None:
    account["cert"] = account["cert"].replace("us-east-1", "eu-west-1")
    code, out, _ = run(*args(account, "check"))
    assert code == 2
    assert "certificate_region" in out
    assert "fix:" in out


def test_dry_run_prints_the_plan_and_changes_nothing(account: dict[str, str]) -> None:
    code, out, err = run(*args(account, "setup", "--dry-run"))
    assert code == 0, err
    assert "CREATE example.com 60 IN A 192.0.2.1" in out
    assert "UPSERT auth.example.com A alias" in out
    assert "run without --dry-run" in out
    domain = aws.client("cognito-idp").describe_user_pool_domain(Domain=DOMAIN)
    assert domain["DomainDescription"] == {}


def test_setup_then_setup_then_teardown(account: dict[str, str]) -> None:
    code, out, err = run(*args(account, "setup", "--json"))
    assert code == 0, err
    first = json.loads(out)
    assert first["status"] == "done"
    assert len(first["done"]) == len(first["plan"]) == 5
    code, out, _ = run(*args(account, "setup"))
    assert code == 0
    assert "nothing to do" in out
    code, out, err = run(*args(account, "teardown", "--json"))
    assert code == 0, err
    assert [s["kind"] for s in json.loads(out)["plan"]] == ["DeleteAliases", "DeleteDomain"]


def test_parent_in_another_account_prints_the_record_and_exits_2(account: dict[str, str]) -> None:
    zone = aws.client("route53").create_hosted_zone(
        Name="auth.example.org", CallerReference=str(uuid.uuid4())
    )["HostedZone"]["Id"]
    pem, key = self_signed("auth.example.org")
    cert = aws.client("acm").import_certificate(Certificate=pem, PrivateKey=key)["CertificateArn"]
    argv = [
        "cognito-domain", "setup", "--user-pool-id", account["pool"], "--domain",
        "auth.example.org", "--certificate-arn", cert, "--hosted-zone-id", zone,
    ]  # fmt: skip
    code, out, _ = run(*argv)
    assert code == 2
    assert "example.org 60 IN A 192.0.2.1" in out
    code, out, _ = run(*argv, "--json")
    assert code == 2
    assert json.loads(out)["required_record"] == {
        "Name": "example.org.",
        "Type": "A",
        "TTL": 60,
        "ResourceRecords": [{"Value": "192.0.2.1"}],
    }


def test_bad_placeholder_ip_is_a_usage_error(account: dict[str, str]) -> None:
    code, _, err = run(*args(account, "setup", "--placeholder-ip", "nope"))
    assert code == 2
    assert "is not an IPv4 address" in err


def test_waits_show_in_a_spinner_on_a_terminal_only(account: dict[str, str]) -> None:
    import io

    import typer
    from rich.console import Console

    from quirks.cli.app import app
    from quirks.cli.context import CliState
    from quirks.cognito.plan import CreateDomain, WaitForActive
    from tests.functional.cognito.test_teardown_and_waits import SlowDomains

    for terminal in (True, False):
        if not terminal:  # start again from no domain
            aws.client("cognito-idp").delete_user_pool_domain(
                Domain=DOMAIN, UserPoolId=account["pool"]
            )
        stderr = io.StringIO()
        ctx = typer.Context(typer.main.get_command(app))
        slow = SlowDomains(aws.client("cognito-idp"), creating=2)
        ctx.obj = CliState(
            err=Console(file=stderr, force_terminal=terminal, width=100),
            factory=OverriddenClients(aws.current(), {"cognito-idp": slow}),
        )
        with cognito_cli._live_executor(ctx, 60) as (executor, on_step):
            executor.poll_interval = 0
            executor.run(
                [
                    CreateDomain(account["pool"], DOMAIN, account["cert"], None),
                    WaitForActive(DOMAIN),
                ],
                on_step,
            )
        shown = stderr.getvalue()
        if terminal:
            assert f"{DOMAIN} is CREATING, waiting for ACTIVE" in shown
            assert f"wait until {DOMAIN} is ACTIVE" in shown
        else:
            assert shown == ""


def test_unknown_managed_login_version_is_a_usage_error(account: dict[str, str]) -> None:
    code, _, err = run(*args(account, "setup", "--managed-login-version", "3"))
    assert code == 2
    assert "--managed-login-version" in err


def test_a_failed_step_exits_1_and_names_the_step(account: dict[str, str]) -> None:
    from tests.functional.cognito.test_setup import FailingRoute53

    failing = FailingRoute53(aws.client("route53"), fail_at=1)
    clients = OverriddenClients(aws.current(), {"route53": failing})
    code, out, _ = run(*args(account, "setup", "--json"), clients=clients)
    assert code == 1
    data = json.loads(out)
    assert data["status"] == "step-failed"
    assert data["error"].startswith("upsert alias A and AAAA auth.example.com")
    assert len(data["done"]) == 3
    code, out, _ = run(*args(account, "setup", "--json"))
    assert code == 0
    assert [s["kind"] for s in json.loads(out)["plan"]] == ["UpsertAliases", "RemovePlaceholder"]
