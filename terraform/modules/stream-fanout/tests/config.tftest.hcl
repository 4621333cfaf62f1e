provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

override_data {
  target = data.aws_caller_identity.current
  values = { account_id = "123456789012", arn = "arn:aws:iam::123456789012:root", id = "123456789012", user_id = "AIDATEST" }
}

# The configuration JSON (QUIRKS_FANOUT_CONFIG) against the schema of docs/fanout.md and
# src/quirks/fanout/config.py: every field where it belongs, SQS queues as the ARNs given (the
# handler resolves each with GetQueueUrl and reads its MaximumMessageSize with GetQueueAttributes),
# null fields dropped (the validator rejects a present null), and the module's stores (failure
# queue, claim checks, checkpoint table) named exactly when they exist.

variables {
  package_file = "../../tests/fixtures/lambda.zip"
  name         = "orders"
  stream_arn   = "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000"
  targets = [
    {
      id          = "billing"
      type        = "lambda"
      destination = "arn:aws:lambda:us-east-1:123456789012:function:billing:live"
      filter      = jsonencode({ eventName = ["INSERT"], dynamodb = { NewImage = { status = { S = ["paid"] } } } })
      on_failure  = { mode = "divert", destination = "arn:aws:sqs:us-east-1:123456789012:billing-failures" }
    },
    {
      id          = "search"
      type        = "sqs"
      destination = "arn:aws:sqs:us-east-1:123456789012:search.fifo"
      format      = "record"
      on_failure  = { mode = "block" }
    },
    {
      id                = "notify"
      type              = "sns"
      destination       = "arn:aws:sns:us-east-1:123456789012:notify"
      filter            = jsonencode([{ eventName = ["INSERT"] }, { eventName = ["MODIFY"] }])
      max_message_bytes = 1048576
      max_attempts      = 6
      on_failure        = { destination = "s3://orders-archive/fanout/notify" }
    },
    {
      id          = "analytics"
      type        = "eventbridge"
      destination = "arn:aws:events:us-east-1:123456789012:event-bus/analytics"
      source      = "orders.stream"
      detail_type = "Order Changed"
    },
    {
      id          = "audit.log"
      type        = "kinesis"
      destination = "arn:aws:kinesis:us-east-1:123456789012:stream/audit"
      format      = "record"
    },
  ]
  concurrency = 16
}

run "every_type_and_field" {
  command = plan

  assert {
    condition = output.config_json == jsonencode({
      targets = [
        {
          id          = "billing"
          type        = "lambda"
          destination = "arn:aws:lambda:us-east-1:123456789012:function:billing:live"
          filter      = { eventName = ["INSERT"], dynamodb = { NewImage = { status = { S = ["paid"] } } } }
          format      = "lambda-event"
          on_failure  = { mode = "divert", destination = "arn:aws:sqs:us-east-1:123456789012:billing-failures" }
        },
        {
          id          = "search"
          type        = "sqs"
          destination = "arn:aws:sqs:us-east-1:123456789012:search.fifo"
          format      = "record"
          on_failure  = { mode = "block" }
        },
        {
          id                = "notify"
          type              = "sns"
          destination       = "arn:aws:sns:us-east-1:123456789012:notify"
          filter            = [{ eventName = ["INSERT"] }, { eventName = ["MODIFY"] }]
          format            = "lambda-event"
          max_message_bytes = 1048576
          max_attempts      = 6
          on_failure        = { mode = "divert", destination = "s3://orders-archive/fanout/notify" }
        },
        {
          id          = "analytics"
          type        = "eventbridge"
          destination = "arn:aws:events:us-east-1:123456789012:event-bus/analytics"
          format      = "lambda-event"
          source      = "orders.stream"
          detail_type = "Order Changed"
          on_failure  = { mode = "divert" }
        },
        {
          id          = "audit.log"
          type        = "kinesis"
          destination = "arn:aws:kinesis:us-east-1:123456789012:stream/audit"
          format      = "record"
          on_failure  = { mode = "divert" }
        },
      ]
      claim_check         = { s3 = "s3://orders-claims-123456789012-us-east-1/claims" }
      checkpoint_table    = "orders-fanout-checkpoints"
      concurrency         = 16
      failure_destination = "arn:aws:sqs:us-east-1:123456789012:orders-fanout-failures"
    })
    error_message = "The configuration JSON does not match the schema of docs/fanout.md: ${output.config_json}"
  }

  assert {
    condition     = !strcontains(output.config_json, "null")
    error_message = "No field may be null: the handler's validator rejects a present null."
  }

  assert {
    condition     = !strcontains(output.config_json, "https://")
    error_message = "No queue URL in the configuration: SQS queues are passed as their ARNs (the handler asks SQS for the URL)."
  }

  assert {
    condition     = toset(keys(jsondecode(output.config_json))) == toset(["targets", "claim_check", "checkpoint_table", "concurrency", "failure_destination"])
    error_message = "Only the config's top-level keys may appear."
  }

  assert {
    condition     = alltrue([for t in jsondecode(output.config_json).targets : length(setsubtract(keys(t), ["id", "type", "destination", "filter", "format", "on_failure", "source", "detail_type", "max_attempts", "max_message_bytes"])) == 0])
    error_message = "Targets may only carry the fields config.py knows."
  }

  assert {
    condition     = [for t in jsondecode(output.config_json).targets : t.id] == [for t in var.targets : t.id]
    error_message = "Targets keep their order and ids."
  }

  assert {
    condition     = jsondecode(output.config_json).targets[0].filter == jsondecode(var.targets[0].filter) && jsondecode(output.config_json).targets[2].filter == jsondecode(var.targets[2].filter)
    error_message = "Filters are embedded as JSON (a pattern or a list of patterns), not as strings."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables["QUIRKS_FANOUT_CONFIG"] == output.config_json && !contains(keys(aws_lambda_function.this.environment[0].variables), "QUIRKS_FANOUT_CONFIG_SSM")
    error_message = "A configuration that fits the environment is passed inline in QUIRKS_FANOUT_CONFIG."
  }

  assert {
    condition     = length(aws_dynamodb_table.checkpoints) == 1 && aws_dynamodb_table.checkpoints[0].name == "orders-fanout-checkpoints" && output.checkpoint_table_name == "orders-fanout-checkpoints"
    error_message = "A block target makes the module create the checkpoint table named in the config."
  }

  assert {
    condition = (
      aws_dynamodb_table.checkpoints[0].billing_mode == "PAY_PER_REQUEST" &&
      aws_dynamodb_table.checkpoints[0].hash_key == "target" &&
      aws_dynamodb_table.checkpoints[0].range_key == "position" &&
      aws_dynamodb_table.checkpoints[0].attribute == toset([{ name = "target", type = "S" }, { name = "position", type = "S" }])
    )
    error_message = "The checkpoint table has the schema of checkpoint.py: target (S) HASH, position (S) RANGE, on demand."
  }

  assert {
    condition     = aws_dynamodb_table.checkpoints[0].ttl[0].attribute_name == "expires_at" && aws_dynamodb_table.checkpoints[0].ttl[0].enabled
    error_message = "TTL must be enabled on expires_at."
  }

  assert {
    condition     = aws_dynamodb_table.checkpoints[0].point_in_time_recovery[0].enabled && aws_dynamodb_table.checkpoints[0].server_side_encryption[0].enabled
    error_message = "The checkpoint table has point-in-time recovery and server-side encryption."
  }

  assert {
    condition     = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : { a = toset(flatten([s.Action])), r = s.Resource } if s.Sid == "Checkpoints"] == [{ a = toset(["dynamodb:BatchGetItem", "dynamodb:PutItem"]), r = "arn:aws:dynamodb:us-east-1:123456789012:table/orders-fanout-checkpoints" }]
    error_message = "The role may BatchGetItem and PutItem (what checkpoint.py calls) on the checkpoint table only."
  }

  assert {
    condition     = length(aws_sqs_queue.failures) == 1 && aws_sqs_queue.failures[0].name == "orders-fanout-failures"
    error_message = "Targets without their own failure destination make the module create the failure queue."
  }

  assert {
    condition     = aws_sqs_queue.failures[0].message_retention_seconds == 1209600 && aws_sqs_queue.failures[0].sqs_managed_sse_enabled == true
    error_message = "The failure queue keeps messages 14 days, encrypted."
  }

  assert {
    condition     = aws_s3_bucket.this["claim-checks"].bucket == "orders-claims-123456789012-us-east-1" && output.claim_check_uri == "s3://orders-claims-123456789012-us-east-1/claims"
    error_message = "The claim-check bucket is created by default and named in the config."
  }
}

run "only_own_failure_destinations_no_block" {
  command = plan

  variables {
    targets = [
      { id = "billing", type = "sqs", destination = "arn:aws:sqs:us-east-1:123456789012:billing", on_failure = { destination = "arn:aws:sqs:us-east-1:123456789012:billing-dlq" } },
      { id = "notify", type = "sns", destination = "arn:aws:sns:us-east-1:123456789012:notify", on_failure = { destination = "s3://orders-archive" } },
    ]
    concurrency = null
  }

  assert {
    condition     = length(aws_sqs_queue.failures) == 0 && output.failure_queue_arn == null && output.failure_queue_url == null
    error_message = "No failure queue when every target has its own failure destination."
  }

  assert {
    condition     = !contains(keys(jsondecode(output.config_json)), "failure_destination")
    error_message = "No top-level failure_destination without the failure queue."
  }

  assert {
    condition     = length(aws_dynamodb_table.checkpoints) == 0 && output.checkpoint_table_name == null && !contains(keys(jsondecode(output.config_json)), "checkpoint_table")
    error_message = "No checkpoint table (and none in the config) when no target blocks."
  }

  assert {
    condition     = length([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s if s.Sid == "Checkpoints"]) == 0
    error_message = "No DynamoDB checkpoint permissions without a checkpoint table."
  }

  assert {
    condition     = !contains(keys(jsondecode(output.config_json)), "concurrency")
    error_message = "concurrency = null leaves the handler's default (the key is dropped)."
  }

  assert {
    condition     = jsondecode(output.config_json).targets[0].on_failure == { mode = "divert", destination = "arn:aws:sqs:us-east-1:123456789012:billing-dlq" } && jsondecode(output.config_json).targets[1].on_failure == { mode = "divert", destination = "s3://orders-archive" }
    error_message = "A target's own failure destination as given: the SQS queue ARN, the s3:// URI."
  }

  assert {
    condition     = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s.Resource if s.Sid == "DivertToFailureQueues"] == ["arn:aws:sqs:us-east-1:123456789012:billing-dlq"] && [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s.Resource if s.Sid == "DivertToFailurePrefixes"] == ["arn:aws:s3:::orders-archive/*"]
    error_message = "Diversion permissions on exactly the targets' own failure destinations."
  }

  assert {
    condition     = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : toset(flatten([s.Action])) if s.Sid == "DivertToFailureQueues"] == [toset(["sqs:SendMessage", "sqs:GetQueueUrl", "sqs:GetQueueAttributes"])]
    error_message = "A target's own SQS failure queue: sqs:SendMessage, sqs:GetQueueUrl and sqs:GetQueueAttributes (the handler resolves the ARN and reads the queue's MaximumMessageSize)."
  }
}

run "block_without_own_destination_uses_failure_queue" {
  command = plan

  variables {
    targets = [
      { id = "billing", type = "sqs", destination = "arn:aws:sqs:us-east-1:123456789012:billing", on_failure = { mode = "block" } },
    ]
  }

  assert {
    condition     = length(aws_sqs_queue.failures) == 1 && jsondecode(output.config_json).failure_destination == "arn:aws:sqs:us-east-1:123456789012:orders-fanout-failures"
    error_message = "A block target without a destination of its own gets the failure queue (poison records are diverted instead of holding the target for 24 h)."
  }

  assert {
    condition     = length(aws_dynamodb_table.checkpoints) == 1 && jsondecode(output.config_json).checkpoint_table == "orders-fanout-checkpoints"
    error_message = "A block target needs the checkpoint table."
  }
}

run "checkpoint_table_name_is_configurable" {
  command = plan

  variables {
    targets = [
      { id = "billing", type = "sqs", destination = "arn:aws:sqs:us-east-1:123456789012:billing", on_failure = { mode = "block" } },
    ]
    checkpoint_table_name = "shared.fanout-checkpoints"
  }

  assert {
    condition     = aws_dynamodb_table.checkpoints[0].name == "shared.fanout-checkpoints" && jsondecode(output.config_json).checkpoint_table == "shared.fanout-checkpoints"
    error_message = "checkpoint_table_name names the created table and the config's checkpoint_table."
  }
}

run "claim_checks_off" {
  command = plan

  variables {
    create_claim_check_bucket = false
  }

  assert {
    condition     = !contains(keys(jsondecode(output.config_json)), "claim_check") && output.claim_check_uri == null && output.claim_check_bucket_name == null
    error_message = "Without a claim-check bucket the config has no claim_check."
  }

  assert {
    condition     = !contains(keys(aws_s3_bucket.this), "claim-checks")
    error_message = "No claim-check bucket is created."
  }

  assert {
    condition     = length([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s if s.Sid == "WriteClaimChecks"]) == 0
    error_message = "No claim-check permission without claim checks."
  }
}

run "existing_claim_check_bucket" {
  command = plan

  variables {
    create_claim_check_bucket = false
    claim_check_bucket_name   = "shared-claims"
    claim_check_prefix        = "fanout/orders"
  }

  assert {
    condition     = jsondecode(output.config_json).claim_check == { s3 = "s3://shared-claims/fanout/orders" }
    error_message = "An existing bucket is used with the given prefix."
  }

  assert {
    condition     = !contains(keys(aws_s3_bucket.this), "claim-checks")
    error_message = "An existing claim-check bucket is not created."
  }

  assert {
    condition     = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : { a = s.Action, r = s.Resource } if s.Sid == "WriteClaimChecks"] == [{ a = "s3:PutObject", r = "arn:aws:s3:::shared-claims/fanout/orders/*" }]
    error_message = "s3:PutObject below the claim-check prefix only."
  }
}

run "bucket_names_are_valid_for_any_name" {
  command = plan

  variables {
    name = "_Orders_Service-Prod_"
  }

  assert {
    condition     = aws_s3_bucket.this["claim-checks"].bucket == "orders-service-prod-claims-123456789012-us-east-1" && aws_s3_bucket.this["on-failure"].bucket == "orders-service-prod-failed-123456789012-us-east-1"
    error_message = "Bucket names derived from name are lower case, without '_', starting with a letter or digit."
  }

  assert {
    condition     = aws_lambda_function.this.function_name == "_Orders_Service-Prod_-fanout"
    error_message = "The function keeps name as given."
  }
}

run "explicit_bucket_names" {
  command = plan

  variables {
    claim_check_bucket_name = "orders-claims"
    on_failure_bucket_name  = "orders-abandoned"
  }

  assert {
    condition     = aws_s3_bucket.this["claim-checks"].bucket == "orders-claims" && aws_s3_bucket.this["on-failure"].bucket == "orders-abandoned"
    error_message = "Given bucket names are used."
  }

  assert {
    condition     = jsondecode(output.config_json).claim_check.s3 == "s3://orders-claims/claims" && aws_lambda_event_source_mapping.this.destination_config[0].on_failure[0].destination_arn == "arn:aws:s3:::orders-abandoned"
    error_message = "The config and the mapping use the given bucket names."
  }
}
