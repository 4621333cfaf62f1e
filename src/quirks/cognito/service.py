"""check, setup and teardown of a Cognito custom domain: observe, check, plan, then execute.

The same functions back the CLI (``quirks cognito-domain``) and library use::

    from quirks.cognito import Request, setup

    report = setup(Request("us-east-1_abc", "auth.example.com", cert_arn))
    assert report.ok, report.error
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from quirks.cognito.checks import (
    Check,
    failed,
    required_parent_record,
    run_checks,
    run_teardown_checks,
)
from quirks.cognito.execute import Executor, StepFailed, StepResult
from quirks.cognito.observe import Resolver, observe, resolves_to_ipv4
from quirks.cognito.plan import Step, changes_of, describe, plan_setup, plan_teardown

if TYPE_CHECKING:
    from collections.abc import Callable

    from quirks import aws
    from quirks.cognito.model import Observed, RecordSet, Request

__all__ = ["Report", "check", "setup", "step_to_json", "teardown"]

OK_STATUSES = frozenset({"ok", "done", "dry-run", "nothing-to-do"})


@dataclass
class Report:
    """What a command found, planned and did.

    ``status``: ``ok`` (check passed), ``failed-checks``, ``parent-record-required`` (the parent's
    zone is in another account: ``required_record`` says what to create there), ``dry-run``,
    ``nothing-to-do``, ``done``, or ``step-failed`` (``error`` says which; a re-run resumes).
    """

    action: str
    domain: str
    status: str
    checks: list[Check] = field(default_factory=list)
    plan: list[Step] = field(default_factory=list)
    done: list[StepResult] = field(default_factory=list)
    required_record: RecordSet | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status in OK_STATUSES

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready document of the report."""
        return {
            "action": self.action,
            "domain": self.domain,
            "status": self.status,
            "ok": self.ok,
            "checks": [
                {"name": c.name, "status": c.status.value, "detail": c.detail, "fix": c.fix}
                for c in self.checks
            ],
            "plan": [step_to_json(s) for s in self.plan],
            "done": [{"step": r.description, "detail": r.detail} for r in self.done],
            "required_record": self.required_record.to_api() if self.required_record else None,
            "error": self.error,
        }


def step_to_json(step: Step) -> dict[str, Any]:
    """A step as the dry run and ``--json`` show it: kind, description, Route53 changes."""
    data: dict[str, Any] = {"kind": type(step).__name__, "description": describe(step)}
    changes = changes_of(step)
    if changes:
        data["changes"] = [c.to_api() for c in changes]
    return data


def _checked(
    action: str, request: Request, clients: aws.ClientFactory | None, resolver: Resolver
) -> tuple[Observed, Report]:
    brandings = request.managed_login_version == 2
    observed = observe(request, resolver, clients=clients, brandings=brandings)
    checks = run_checks(observed)
    report = Report(action, request.domain, "ok", checks)
    failures = failed(checks)
    if failures:
        report.status = "failed-checks"
        if [c.name for c in failures] == ["parent_a_record"] and observed.parent.zone is None:
            report.status = "parent-record-required"
            report.required_record = required_parent_record(observed)
        report.error = "; ".join(f"{c.name}: {c.detail}" for c in failures)
    return observed, report


def check(
    request: Request,
    resolver: Resolver = resolves_to_ipv4,
    *,
    clients: aws.ClientFactory | None = None,
) -> Report:
    """Run every named precondition of ``setup``; nothing is changed."""
    _, report = _checked("check", request, clients, resolver)
    return report


def _execute(
    report: Report, executor: Executor, on_step: Callable[[StepResult], None] | None
) -> Report:
    if not report.plan:
        report.status = "nothing-to-do"
        return report

    def record(result: StepResult) -> None:
        report.done.append(result)
        if on_step is not None:
            on_step(result)

    try:
        executor.run(report.plan, record)
    except StepFailed as exc:
        report.status = "step-failed"
        report.error = str(exc)
        return report
    report.status = "done"
    return report


def setup(
    request: Request,
    resolver: Resolver = resolves_to_ipv4,
    *,
    clients: aws.ClientFactory | None = None,
    executor: Executor | None = None,
    dry_run: bool = False,
    on_step: Callable[[StepResult], None] | None = None,
) -> Report:
    """Check, plan and (unless ``dry_run``) carry out the setup; safe to re-run at any point."""
    observed, report = _checked("setup", request, clients, resolver)
    if not report.ok:
        return report
    report.plan = plan_setup(observed)
    if dry_run:
        report.status = "dry-run" if report.plan else "nothing-to-do"
        return report
    return _execute(report, executor or Executor(clients=clients), on_step)


def teardown(
    request: Request,
    *,
    clients: aws.ClientFactory | None = None,
    executor: Executor | None = None,
    dry_run: bool = False,
    on_step: Callable[[StepResult], None] | None = None,
) -> Report:
    """Delete the domain, its alias records and any placeholder of ours; nothing else."""
    observed = observe(request, lambda _name: False, clients=clients, certificate=False)
    checks = run_teardown_checks(observed)
    report = Report("teardown", request.domain, "ok", checks)
    if failed(checks):
        report.status = "failed-checks"
        report.error = "; ".join(f"{c.name}: {c.detail}" for c in failed(checks))
        return report
    report.plan = plan_teardown(observed)
    if dry_run:
        report.status = "dry-run" if report.plan else "nothing-to-do"
        return report
    return _execute(report, executor or Executor(clients=clients), on_step)
