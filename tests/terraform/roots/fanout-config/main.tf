# A root module for tests/terraform/test_fanout_config.py: the stream-fanout module with one target of
# every type, planned against moto, so its config JSON can be fed to the Python validator.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.70, < 6.0"
    }
  }
}

provider "aws" {
  region = "us-east-1"
}

module "fanout" {
  source = "../../../../terraform/modules/stream-fanout"

  name         = "orders"
  package_file = "${path.module}/../../../../terraform/tests/fixtures/lambda.zip"
  stream_arn   = "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000"

  targets = [
    {
      id          = "billing"
      type        = "lambda"
      destination = "arn:aws:lambda:us-east-1:123456789012:function:billing"
      filter      = jsonencode({ eventName = ["INSERT"], dynamodb = { NewImage = { status = { S = ["paid"] } } } })
      on_failure  = { mode = "block" }
    },
    {
      id          = "search"
      type        = "sqs"
      destination = "arn:aws:sqs:us-east-1:123456789012:search"
      format      = "record"
      on_failure  = { destination = "s3://orders-archive/search" }
    },
    {
      id                = "notify"
      type              = "sns"
      destination       = "arn:aws:sns:us-east-1:123456789012:notify"
      max_message_bytes = 1048576
    },
    {
      id          = "bus"
      type        = "eventbridge"
      destination = "arn:aws:events:us-east-1:123456789012:event-bus/orders"
      source      = "orders.stream"
      detail_type = "Order changed"
    },
    {
      id           = "analytics"
      type         = "kinesis"
      destination  = "arn:aws:kinesis:us-east-1:123456789012:stream/analytics"
      max_attempts = 8
    },
  ]
}

output "config_json" {
  value = module.fanout.config_json
}
