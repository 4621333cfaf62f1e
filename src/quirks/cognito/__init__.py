"""Cognito user pool custom domains that just work: check, setup (resumable), teardown.

A custom domain needs an A record on its parent, an issued us-east-1 certificate that covers it,
and alias A/AAAA records to Cognito's CloudFront domain once it is active (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-add-custom-domain.html).

* :mod:`~quirks.cognito.names`, :mod:`~quirks.cognito.model`, :mod:`~quirks.cognito.checks`,
  :mod:`~quirks.cognito.plan`: the pure core (names, snapshots, named checks, plans as data);
* :mod:`~quirks.cognito.observe` (reads AWS and DNS), :mod:`~quirks.cognito.execute` (runs steps),
  :mod:`~quirks.cognito.service` (check / setup / teardown): the adapters.
"""

from quirks.cognito.checks import Check, CheckStatus, run_checks
from quirks.cognito.execute import DomainNotActive, Executor, StepFailed, StepResult
from quirks.cognito.model import (
    CLOUDFRONT_HOSTED_ZONE_ID,
    DEFAULT_PLACEHOLDER_IP,
    Observed,
    RecordSet,
    Request,
)
from quirks.cognito.observe import Resolver, observe, resolves_to_ipv4
from quirks.cognito.plan import Step, describe, plan_setup, plan_teardown
from quirks.cognito.service import Report, check, setup, teardown

__all__ = [
    "CLOUDFRONT_HOSTED_ZONE_ID",
    "DEFAULT_PLACEHOLDER_IP",
    "Check",
    "CheckStatus",
    "DomainNotActive",
    "Executor",
    "Observed",
    "RecordSet",
    "Report",
    "Request",
    "Resolver",
    "Step",
    "StepFailed",
    "StepResult",
    "check",
    "describe",
    "observe",
    "plan_setup",
    "plan_teardown",
    "resolves_to_ipv4",
    "run_checks",
    "setup",
    "teardown",
]
