"""The exception hierarchy: every error serverless-quirks raises on purpose, in one tree.

Shared bases live here; a capability's own class lives in its module (named on the right) and
hangs under one of them. ``tests/unit/test_code_shape.py`` fails when a class is missing from
this drawing or does not derive from :class:`QuirksError`.

::

    QuirksError
    ├── UserError                     bad input or settings: the CLI prints one line and exits 2
    │   ├── ConfigurationError        missing or invalid settings (region, endpoint, env vars)
    │   │   ├── AlarmsConfigError         alarms.config: the alarms config file
    │   │   └── StackFileError            local.stack_schema: a local stack file
    │   └── ConnectionRejectedError       appsync.handshake: AppSync refused the websocket
    ├── FormatError                   data without the documented shape (also a ValueError)
    │   ├── RecordFormatError         a stream record or attribute value
    │   ├── FailureMessageError       an on-failure destination / DLQ message
    │   ├── PayloadError                  alerts.decode: an awslogs subscription payload
    │   ├── PatternError                  alerts.patterns: a CloudWatch Logs filter pattern
    │   ├── FilterError                   fanout.filters: a Lambda event filter pattern
    │   ├── ClaimCheckError               fanout.claimcheck: a claim-check message or object
    │   └── RecordTooLargeError           recovery.replay: one record over the payload limit
    ├── AwsError                      an AWS service answered with an error (code, operation)
    ├── DeliveryError                     alerts.sinks.base: an alert could not be delivered
    ├── DivertError                       fanout.divert: the failure destination refused records
    ├── AlarmSyncError                    alarms.handler: some alarms could not be applied
    ├── StepFailed                        cognito.execute: a step failed; a re-run resumes there
    │   └── DomainNotActive               cognito.execute: the domain never became ACTIVE
    ├── GraphQLErrors                     appsync.client: the response carried GraphQL errors
    ├── HttpError                         appsync.client: AppSync answered with an HTTP error
    ├── SubscriptionError                 appsync.subscription: a subscription was rejected
    ├── PackageBuildError                 package.build: pip could not build the package
    ├── GiveUp (_GiveUp, private)         recovery.reader: a range cannot finish in this run
    ├── LambdaApiError                    local.errors: an error the local Lambda API returns
    ├── Throttled                         local.errors: every execution environment is busy
    ├── RuntimeClosed                     local.errors: the function went away mid-invoke
    └── DestinationDeliveryError          local.errors: a destination or DLQ refused a message

Every error carries a message a human can act on; :class:`UserError` also carries the fix.
:class:`AwsError` is never raised by hand: :mod:`quirks.aws_errors` maps botocore's
``ClientError`` into it at the client seam, so code catches ``AwsError`` and reads ``code``.
"""

from __future__ import annotations

from typing import Any


class QuirksError(Exception):
    """Root of every error raised on purpose by serverless-quirks."""


class UserError(QuirksError):
    """An error the user can fix: the CLI prints ``message`` and ``fix`` on one line and exits 2."""

    def __init__(self, message: str, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def one_line(self) -> str:
        """The message and its fix as the single line the CLI prints."""
        return f"{self.message} (fix: {self.fix})" if self.fix else self.message


class ConfigurationError(UserError):
    """Settings are missing or invalid."""


class FormatError(QuirksError, ValueError):
    """Data does not have the documented shape.

    ``field`` is a dotted path to the offending field (``DDBStreamBatchInfo.shardId``,
    ``Records[3].dynamodb.Keys.pk``) so that the error names exactly what is missing or wrong.
    """

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}" if field else problem)


class RecordFormatError(FormatError):
    """A DynamoDB stream record or attribute value is malformed."""


class FailureMessageError(FormatError):
    """A message from an on-failure destination or DLQ is not one of the known shapes."""


class AwsError(QuirksError):
    """An AWS service answered with an error: ``code``, ``operation`` and ``message``, typed.

    Every client from :mod:`quirks.aws` raises it: the factory maps botocore's ``ClientError`` once,
    at the client seam, into a class that derives from both this and the botocore class botocore
    would have raised, so ``except client.exceptions.NoSuchKey`` and ``except ClientError`` keep
    working while the toolkit's own code reads ``exc.code`` instead of sniffing ``exc.response``.
    """

    @property
    def _response(self) -> dict[str, Any]:
        response = getattr(self, "response", None)
        return response if isinstance(response, dict) else {}

    @property
    def code(self) -> str:
        """The AWS error code (``"TrimmedDataAccessException"``, ``"404"``)."""
        return str(self._response.get("Error", {}).get("Code", ""))

    @property
    def operation(self) -> str:
        """The API operation that failed (``"GetRecords"``)."""
        return str(getattr(self, "operation_name", ""))

    @property
    def message(self) -> str:
        """AWS's own message for the error (may be empty)."""
        return str(self._response.get("Error", {}).get("Message", ""))

    @property
    def status(self) -> int | None:
        """The HTTP status code of the answer, when botocore recorded one."""
        status = self._response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return int(status) if status is not None else None

    def brief(self) -> str:
        """``Code: message``: the error in a report that already says which call it was."""
        return f"{self.code or 'Error'}: {self.message}"

    def describe(self) -> str:
        """``GetRecords failed: Code: message``: the error on its own (the CLI's last line)."""
        return f"{self.operation or 'AWS call'} failed: {self.brief()}"

    @property
    def retry_attempts(self) -> int:
        """How many times botocore retried the call before this answer (its standard mode)."""
        return int(self._response.get("ResponseMetadata", {}).get("RetryAttempts", 0) or 0)

    @property
    def throttling(self) -> bool:
        """True for the codes botocore's standard retry mode treats as throttling."""
        from botocore.retries.standard import RetryContext, ThrottledRetryableChecker

        context = RetryContext(attempt_number=1, parsed_response=self._response)
        return bool(ThrottledRetryableChecker().is_retryable(context))
