"""The context object Lambda's Python runtime passes a handler, for calling handlers in tests.

The attributes are the runtime's
(https://docs.aws.amazon.com/lambda/latest/dg/python-context.html), so Powertools'
``Logger.inject_lambda_context`` and the toolkit's own timeout checks read it as they read the real
one. The remaining time is fixed (``remaining_ms``), not a countdown: a test that needs the deadline
to come closer passes a smaller value.
"""

from __future__ import annotations

from dataclasses import dataclass

from quirks.arns import lambda_function_arn, lambda_log_group
from quirks.limits import DEFAULT_ACCOUNT

__all__ = ["LambdaContext", "lambda_context"]


@dataclass
class LambdaContext:
    """What a handler's ``context`` argument offers (see :func:`lambda_context`)."""

    function_name: str
    function_version: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    aws_request_id: str
    log_group_name: str
    log_stream_name: str
    remaining_ms: int

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the function times out (fixed: ``remaining_ms``)."""
        return self.remaining_ms


def lambda_context(
    function_name: str = "consumer",
    *,
    remaining_ms: int = 600_000,
    request_id: str = "req-1",
    memory_mb: int = 256,
    region: str = "us-east-1",
) -> LambdaContext:
    """A context for ``function_name`` with ``remaining_ms`` left, as the runtime would pass it."""
    return LambdaContext(
        function_name=function_name,
        function_version="$LATEST",
        invoked_function_arn=lambda_function_arn(region, DEFAULT_ACCOUNT, function_name),
        memory_limit_in_mb=memory_mb,
        aws_request_id=request_id,
        log_group_name=lambda_log_group(function_name),
        log_stream_name="2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef",
        remaining_ms=remaining_ms,
    )
