"""lambda_context: the attributes Lambda's Python runtime gives, read by Powertools as the real one."""

from __future__ import annotations

import io
import json
from typing import Any

from aws_lambda_powertools import Logger

from quirks.testing import lambda_context


def test_powertools_reads_the_context_as_lambdas_own() -> None:
    stream = io.StringIO()
    logger = Logger(service="test-context", stream=stream)

    @logger.inject_lambda_context
    def handler(event: Any, context: Any) -> int:
        logger.info("hello")
        return int(context.get_remaining_time_in_millis())

    context = lambda_context("billing", remaining_ms=1_234, request_id="req-9", region="eu-west-1")
    assert handler({}, context) == 1_234
    logged = json.loads(stream.getvalue().splitlines()[-1])
    assert logged["function_name"] == "billing"
    assert logged["function_request_id"] == "req-9"
    assert logged["function_arn"] == "arn:aws:lambda:eu-west-1:123456789012:function:billing"
    assert logged["function_memory_size"] == 256
    assert context.log_group_name == "/aws/lambda/billing"
