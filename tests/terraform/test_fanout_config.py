"""The fan-out module's configuration, as Terraform plans it, is accepted by the handler's own parser.

Terraform builds the JSON with ``jsonencode``; the handler validates it with
:func:`quirks.fanout.config.parse_config` at cold start. A field the module writes that the parser
does not know (or a null it rejects) would fail every cold start in production, so the real plan
output goes through the real parser. The plan runs against moto (for ``aws_caller_identity``).
"""

from __future__ import annotations

import json
from pathlib import Path

from quirks.fanout.config import parse_config
from tests.terraform.conftest import initialised

ROOT_MODULE = Path(__file__).parent / "roots" / "fanout-config"


def test_planned_config_is_what_the_handler_accepts(
    aws_env: object, moto_endpoint: str, terraform_data: Path, tmp_path: Path
) -> None:
    tf = initialised(ROOT_MODULE, terraform_data)
    env = {
        "AWS_ENDPOINT_URL": moto_endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
    }
    plan = tmp_path / "plan"
    tf.run("plan", "-lock=false", "-refresh=false", "-out", str(plan), env=env)
    shown = json.loads(tf.run("show", "-json", str(plan), env=env).stdout)
    config = parse_config(json.loads(shown["planned_values"]["outputs"]["config_json"]["value"]))

    targets = {t.id: t for t in config.targets}
    assert list(targets) == ["billing", "search", "notify", "bus", "analytics"]
    assert targets["billing"].on_failure.mode == "block"
    assert targets["billing"].filter_source == {
        "eventName": ["INSERT"],
        "dynamodb": {"NewImage": {"status": {"S": ["paid"]}}},
    }
    assert targets["search"].destination == "arn:aws:sqs:us-east-1:123456789012:search"
    assert targets["search"].format == "record"
    assert targets["search"].on_failure.destination == "s3://orders-archive/search"
    assert targets["notify"].max_message_bytes == 1_048_576
    assert (targets["bus"].source, targets["bus"].detail_type) == ("orders.stream", "Order changed")
    assert targets["analytics"].max_attempts == 8
    assert config.checkpoint_table == "orders-fanout-checkpoints"  # a target blocks
    assert config.claim_check is not None
    assert config.claim_check.startswith("s3://")
    failure = targets["bus"].on_failure.destination
    assert failure == "arn:aws:sqs:us-east-1:123456789012:orders-fanout-failures"
