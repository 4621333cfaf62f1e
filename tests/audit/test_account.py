"""``--account`` on the local cloud finds what the plan of the same stack shows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from quirks import aws
from quirks.audit.service import audit, read_inventory
from quirks.audit.sources.account import inventory_from_account
from quirks.aws_errors import mapped_class
from quirks.errors import UserError
from quirks.local.cloud import LocalCloud
from quirks.testing import run_cli
from tests.audit.provision import provision
from tests.audit.support import STACKS, audit_stack, keys, plan_document
from tests.support.cli import run_json
from tests.support.clients import OverriddenClients


@pytest.fixture(scope="module")
def _cloud() -> Iterator[LocalCloud]:
    with LocalCloud(time_factor=0.001) as cloud:
        yield cloud


@pytest.fixture
def cloud(_cloud: LocalCloud, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalCloud]:
    _cloud.reset()
    for name, value in _cloud.environment().items():
        monkeypatch.setenv(name, value)
    aws.configure(aws.AwsSettings(endpoint_url=_cloud.url, region=_cloud.region))
    yield _cloud
    aws.configure(aws.AwsSettings())


def _unsuppressed(stack: str) -> list[dict[str, object]]:
    """The plan's findings; inline suppressions are Terraform comments, so the account has none."""
    return [
        {k: v for k, v in f.items() if k != "suppressed"} for f in keys(audit_stack(stack, "plan"))
    ]


# moto stores a table's replicas but DescribeTable returns no `Replicas` and ListGlobalTables is not
# implemented, so on the local cloud a global table looks single-Region: its 1-reader limit cannot
# be checked there (on AWS, DescribeTable lists the replicas).
MOTO_GAPS = {"global_tables": [{"rule": "QRK001", "kind": "table", "name": "events"}]}


@pytest.mark.parametrize("stack", STACKS)
def test_account_finds_what_the_plan_shows(stack: str, cloud: LocalCloud) -> None:
    provision(aws.current(), plan_document(stack))
    report = audit(read_inventory(account=True))
    missing = MOTO_GAPS.get(stack, [])
    assert keys(report) == [f for f in _unsuppressed(stack) if f not in missing]
    assert report.notes == []  # every service the rules read was readable there


class _WithoutPipes(OverriddenClients):
    """A client factory whose EventBridge Pipes endpoint is unreachable, like an emulator without it."""

    def __init__(self, factory: aws.ClientFactory) -> None:
        super().__init__(factory)

    def client(self, service: str, region: str | None = None) -> Any:
        if service == "pipes":
            raise EndpointConnectionError(endpoint_url="http://127.0.0.1:1/pipes")
        return super().client(service, region)


def test_an_unreadable_service_is_a_note_and_the_rest_is_audited(cloud: LocalCloud) -> None:
    provision(aws.current(), plan_document("streams_wrong"))
    inventory = inventory_from_account(clients=_WithoutPipes(aws.current()))
    assert inventory.notes == ["EventBridge Pipes could not be read (EndpointConnectionError)"]
    # No rule's finding can be wrong for want of pipes: none is skipped, all are found.
    report = audit(inventory)
    assert keys(report) == _unsuppressed("streams_wrong")
    assert report.notes == inventory.notes


class _WithoutPolicies(_WithoutPipes):
    """Lambda answers, but resource policies are denied: async invokers cannot be seen."""

    def client(self, service: str, region: str | None = None) -> Any:
        real = super().client(service, region)
        if service != "lambda":
            return real

        class Denied:
            def __getattr__(self, name: str) -> object:
                if name == "get_policy":

                    def deny(**_kwargs: object) -> object:
                        # What a client from quirks.aws raises: ClientError mapped to AwsError.
                        raise mapped_class(ClientError)(
                            {"Error": {"Code": "AccessDeniedException", "Message": "no"}},
                            "GetPolicy",
                        )

                    return deny
                return getattr(real, name)

        return Denied()


def test_without_resource_policies_dead_configuration_is_not_guessed(cloud: LocalCloud) -> None:
    provision(aws.current(), plan_document("async_invokers"))
    report = audit(inventory_from_account(clients=_WithoutPolicies(aws.current())))
    assert not [f for f in report.findings if f.rule == "QRK005"]
    assert "QRK005 skipped: it needs policies, not read" in report.notes
    assert "Lambda resource policies could not be read (AccessDeniedException)" in report.notes


class _Unreachable(_WithoutPipes):
    def client(self, service: str, region: str | None = None) -> Any:
        raise EndpointConnectionError(endpoint_url="http://127.0.0.1:1/")


def test_an_account_nothing_could_be_read_from_is_an_error_not_a_clean_report(
    cloud: LocalCloud,
) -> None:
    with pytest.raises(UserError, match="could not read the account"):
        inventory_from_account(clients=_Unreachable(aws.current()))


def test_cli_audits_the_account_by_default(cloud: LocalCloud) -> None:
    provision(aws.current(), plan_document("timeouts"))
    document = run_json("--endpoint-url", cloud.url, "audit", code=1)
    assert document["source"].startswith("account")
    assert sorted(f["name"] for f in document["findings"]) == ["fanout", "recovery"]


def test_cli_reads_the_account_through_the_injected_client_factory(
    cloud: LocalCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    provision(aws.current(), plan_document("timeouts"))
    injected = aws.ClientFactory(aws.AwsSettings(endpoint_url=cloud.url, region=cloud.region))
    # Nothing listens on port 9: reading through the process-wide factory would find nothing.
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    aws.configure(aws.AwsSettings(endpoint_url="http://127.0.0.1:9", region=cloud.region))
    result = run_cli("audit", "--account", "--json", clients=injected)
    assert result.exit_code == 1, result.stderr
    assert sorted(f["name"] for f in result.json["findings"]) == ["fanout", "recovery"]
