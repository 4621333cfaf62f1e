"""Run a plan against AWS, step by step, reporting each step as it completes.

Every step is a single atomic AWS change (a Route53 change batch, one Cognito call) or a wait, so an
interruption leaves AWS in a state from which :func:`~quirks.cognito.plan.plan_setup` plans exactly
the remaining steps.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError

from quirks import aws
from quirks.cognito.names import normalize
from quirks.cognito.plan import (
    ACTIVE,
    CreateBranding,
    CreateDomain,
    CreatePlaceholder,
    DeleteAliases,
    DeleteDomain,
    RemovePlaceholder,
    Step,
    UpdateDomain,
    UpsertAliases,
    WaitForActive,
    changes_of,
    describe,
)
from quirks.errors import AwsError, QuirksError

if TYPE_CHECKING:
    from collections.abc import Callable

    from quirks.cognito.plan import Change

__all__ = ["DomainNotActive", "Executor", "StepFailed", "StepResult"]

ROOT_NOT_RESOLVED = "was not able to resolve the root domain"


class StepFailed(QuirksError):
    """A step could not be completed; the steps before it are done and a re-run resumes here."""

    def __init__(self, step: Step, reason: str) -> None:
        super().__init__(f"{describe(step)}: {reason} (re-run setup/teardown to resume)")
        self.step = step
        self.reason = reason


class DomainNotActive(StepFailed):
    """The domain did not become ACTIVE in time, or Cognito reported it FAILED."""


@dataclass(frozen=True)
class StepResult:
    """A completed step and what it produced (``detail``), for the report."""

    step: Step
    description: str
    detail: str = ""


def _batch(changes: list[Change], comment: str) -> Any:
    return {"Comment": comment, "Changes": [c.to_api() for c in changes]}


class Executor:
    """Carries out plan steps.

    ``timeout`` bounds each wait (the domain becoming ACTIVE, Cognito seeing a new placeholder);
    ``sleep`` and ``clock`` are injectable so tests never wait; ``on_wait(message)`` is called on
    every poll (the CLI shows it in a spinner).
    """

    def __init__(
        self,
        *,
        clients: aws.ClientFactory | None = None,
        timeout: float = 900.0,
        poll_interval: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        self._clients = clients or aws.current()
        self.timeout = timeout
        self.poll_interval = poll_interval
        self._sleep = sleep
        self._clock = clock
        self._on_wait = on_wait or (lambda _message: None)
        self.cloudfront_domain: str | None = None

    @property
    def clients(self) -> aws.ClientFactory:
        """The client factory the steps run through (observe with the same one)."""
        return self._clients

    def run(
        self, steps: list[Step], on_step: Callable[[StepResult], None] | None = None
    ) -> list[StepResult]:
        """Run ``steps`` in order; raises :class:`StepFailed` at the first one that fails."""
        results: list[StepResult] = []
        for step in steps:
            try:
                detail = self.run_step(step)
            except AwsError as exc:
                raise StepFailed(step, exc.brief()) from exc
            except BotoCoreError as exc:  # connection errors, timeouts after the retries
                raise StepFailed(step, str(exc)) from exc
            result = StepResult(step, describe(step), detail)
            results.append(result)
            if on_step is not None:
                on_step(result)
        return results

    def run_step(self, step: Step) -> str:
        """Carry out one step; returns a detail for the report."""
        match step:
            case CreatePlaceholder() | RemovePlaceholder() | DeleteAliases():
                return self._change(step.zone_id, changes_of(step), describe(step))
            case UpsertAliases():
                target = step.target or self.cloudfront_domain or self._describe_cloudfront(step)
                change = self._change(step.zone_id, step.changes(target), describe(step))
                return f"to {target}, {change}"
            case CreateDomain():
                return self._create_domain(step)
            case UpdateDomain():
                kwargs: dict[str, Any] = {
                    "Domain": step.domain,
                    "UserPoolId": step.pool_id,
                    "CustomDomainConfig": {"CertificateArn": step.certificate_arn},
                }
                if step.managed_login_version is not None:
                    kwargs["ManagedLoginVersion"] = step.managed_login_version
                response = self._clients.client("cognito-idp").update_user_pool_domain(**kwargs)
                self._remember(response.get("CloudFrontDomain"))
                return f"CloudFront domain {self.cloudfront_domain}"
            case CreateBranding():
                created = self._clients.client("cognito-idp").create_managed_login_branding(
                    UserPoolId=step.pool_id, ClientId=step.client_id, UseCognitoProvidedValues=True
                )
                return f"branding {created['ManagedLoginBranding'].get('ManagedLoginBrandingId')}"
            case WaitForActive():
                return self._wait_active(step)
            case DeleteDomain():
                self._clients.client("cognito-idp").delete_user_pool_domain(
                    Domain=step.domain, UserPoolId=step.pool_id
                )
                return "deleted"

    def _remember(self, cloudfront: str | None) -> None:
        if cloudfront:
            self.cloudfront_domain = normalize(cloudfront)

    def _change(self, zone_id: str, changes: list[Change], comment: str) -> str:
        response = self._clients.client("route53").change_resource_record_sets(
            HostedZoneId=zone_id, ChangeBatch=_batch(changes, f"serverless-quirks: {comment}"[:256])
        )
        return f"change {response['ChangeInfo']['Id'].rsplit('/', 1)[-1]}"

    def _deadline_passed(self, started: float) -> bool:
        return self._clock() - started >= self.timeout

    def _create_domain(self, step: CreateDomain) -> str:
        """Create the domain, retrying while Cognito cannot yet resolve a just-created parent record."""
        kwargs: dict[str, Any] = {
            "Domain": step.domain,
            "UserPoolId": step.pool_id,
            "CustomDomainConfig": {"CertificateArn": step.certificate_arn},
        }
        if step.managed_login_version is not None:
            kwargs["ManagedLoginVersion"] = step.managed_login_version
        started = self._clock()
        while True:
            try:
                response = self._clients.client("cognito-idp").create_user_pool_domain(**kwargs)
                break
            except AwsError as exc:
                message = exc.message.lower()
                if ROOT_NOT_RESOLVED not in message or self._deadline_passed(started):
                    raise
                self._on_wait(f"waiting for Cognito to resolve the parent of {step.domain}")
                self._sleep(self.poll_interval)
        self._remember(response.get("CloudFrontDomain"))
        return f"CloudFront domain {self.cloudfront_domain}"

    def _describe(self, domain: str) -> dict[str, Any]:
        described: Any = self._clients.client("cognito-idp").describe_user_pool_domain(
            Domain=domain
        )
        return dict(described.get("DomainDescription") or {})

    def _describe_cloudfront(self, step: UpsertAliases) -> str:
        cloudfront = self._describe(step.domain).get("CloudFrontDistribution")
        if not cloudfront:
            raise StepFailed(step, "the domain has no CloudFront domain yet")
        self._remember(cloudfront)
        return normalize(cloudfront)

    def _wait_active(self, step: WaitForActive) -> str:
        started = self._clock()
        while True:
            description = self._describe(step.domain)
            status = description.get("Status")
            self._remember(description.get("CloudFrontDistribution"))
            if status == ACTIVE:
                return f"ACTIVE after {self._clock() - started:.0f} s"
            if status == "FAILED":
                raise DomainNotActive(
                    step, "Cognito reports the domain FAILED: run teardown, fix it, then setup"
                )
            if self._deadline_passed(started):
                raise DomainNotActive(
                    step, f"still {status or 'missing'} after {self.timeout:.0f} s (--timeout)"
                )
            self._on_wait(f"{step.domain} is {status}, waiting for ACTIVE")
            self._sleep(self.poll_interval)
