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

# The function and what surrounds it: handler, runtime and package hash, logging into the module's
# own log group (created first), Powertools environment; the buckets (versioned, encrypted, public
# access blocked, TLS only, expiring); the failure queue; the alarms of docs/alarms.md.

variables {
  package_file = "../../tests/fixtures/lambda.zip"
  name         = "orders"
  stream_arn   = "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000"
  targets = [
    { id = "billing", type = "sqs", destination = "arn:aws:sqs:us-east-1:123456789012:billing" },
    { id = "search", type = "sqs", destination = "arn:aws:sqs:us-east-1:123456789012:search", on_failure = { destination = "arn:aws:sqs:us-east-1:123456789012:search-failures" } },
    { id = "remote", type = "sqs", destination = "arn:aws:sqs:us-east-1:123456789012:remote", on_failure = { destination = "arn:aws:sqs:us-east-1:210987654321:remote-failures" } },
  ]
  tags = { team = "orders" }
}

run "function_defaults" {
  command = plan

  assert {
    condition = (
      aws_lambda_function.this.function_name == "orders-fanout" &&
      aws_lambda_function.this.handler == "quirks.fanout.handler.lambda_handler" &&
      aws_lambda_function.this.runtime == "python3.13" &&
      aws_lambda_function.this.architectures == tolist(["arm64"]) &&
      aws_lambda_function.this.timeout == 60 &&
      aws_lambda_function.this.memory_size == 512 &&
      aws_lambda_function.this.reserved_concurrent_executions == -1
    )
    error_message = "Function defaults: orders-fanout, the fan-out handler, python3.13 on arm64, 60 s, 512 MB, unreserved."
  }

  assert {
    condition     = aws_lambda_function.this.filename == var.package_file && aws_lambda_function.this.source_code_hash == filebase64sha256(var.package_file)
    error_message = "Without package_hash the code hash is filebase64sha256(package_file)."
  }

  assert {
    condition     = aws_lambda_function.this.logging_config[0] == { log_format = "JSON", log_group = "/aws/lambda/orders-fanout", application_log_level = "INFO", system_log_level = "WARN" }
    error_message = "JSON logs into the module's log group, application level log_level, system level WARN."
  }

  assert {
    condition     = aws_cloudwatch_log_group.this.name == "/aws/lambda/orders-fanout" && aws_cloudwatch_log_group.this.retention_in_days == 30 && output.log_group_name == "/aws/lambda/orders-fanout"
    error_message = "The log group is /aws/lambda/<function name> with 30 days of retention."
  }

  assert {
    condition     = aws_lambda_function.this.tracing_config[0].mode == "PassThrough"
    error_message = "Tracing defaults to PassThrough."
  }

  assert {
    condition = (
      aws_lambda_function.this.environment[0].variables["POWERTOOLS_SERVICE_NAME"] == "orders-fanout" &&
      aws_lambda_function.this.environment[0].variables["POWERTOOLS_LOG_LEVEL"] == "INFO" &&
      aws_lambda_function.this.environment[0].variables["POWERTOOLS_METRICS_NAMESPACE"] == "ServerlessQuirks"
    )
    error_message = "The Powertools environment is set."
  }

  assert {
    condition     = aws_lambda_function.this.tags == tomap({ team = "orders" }) && aws_lambda_event_source_mapping.this.tags == tomap({ team = "orders" }) && aws_iam_role.this.tags == tomap({ team = "orders" })
    error_message = "Tags reach the resources."
  }

  assert {
    condition     = length(regexall("depends_on = \\[\\n\\s+aws_cloudwatch_log_group\\.this,", file("${path.module}/main.tf"))) == 1
    error_message = "The function depends on its log group, so Lambda never creates an unmanaged one."
  }
}

run "function_settings" {
  command = plan

  variables {
    runtime                        = "python3.12"
    architecture                   = "x86_64"
    timeout                        = 30
    memory_size                    = 1024
    package_hash                   = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
    log_level                      = "DEBUG"
    log_retention_days             = 14
    layers                         = ["arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python313-arm64:7"]
    reserved_concurrent_executions = 4
  }

  assert {
    condition = (
      aws_lambda_function.this.runtime == "python3.12" &&
      aws_lambda_function.this.architectures == tolist(["x86_64"]) &&
      aws_lambda_function.this.timeout == 30 &&
      aws_lambda_function.this.memory_size == 1024 &&
      aws_lambda_function.this.source_code_hash == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" &&
      aws_lambda_function.this.layers == var.layers &&
      aws_lambda_function.this.reserved_concurrent_executions == 4
    )
    error_message = "The function takes the given settings (package_hash as source_code_hash)."
  }

  assert {
    condition     = aws_lambda_function.this.logging_config[0].application_log_level == "DEBUG" && aws_lambda_function.this.environment[0].variables["POWERTOOLS_LOG_LEVEL"] == "DEBUG" && aws_cloudwatch_log_group.this.retention_in_days == 14
    error_message = "log_level and log_retention_days are applied."
  }
}

run "buckets_are_locked_down" {
  command = plan

  assert {
    condition     = toset(keys(aws_s3_bucket.this)) == toset(["on-failure", "claim-checks"])
    error_message = "Both buckets are created by default."
  }

  assert {
    condition     = alltrue([for k, b in aws_s3_bucket.this : b.force_destroy == false])
    error_message = "force_destroy defaults to false."
  }

  assert {
    condition     = alltrue([for k, v in aws_s3_bucket_versioning.this : v.versioning_configuration[0].status == "Enabled"])
    error_message = "The buckets are versioned."
  }

  assert {
    condition     = alltrue([for k, e in aws_s3_bucket_server_side_encryption_configuration.this : one(one(e.rule).apply_server_side_encryption_by_default).sse_algorithm == "AES256"])
    error_message = "Without kms_key_arn the buckets use SSE-S3."
  }

  assert {
    condition     = alltrue([for k, p in aws_s3_bucket_public_access_block.this : p.block_public_acls && p.block_public_policy && p.ignore_public_acls && p.restrict_public_buckets])
    error_message = "Public access is blocked on every bucket."
  }

  assert {
    condition     = alltrue([for k, o in aws_s3_bucket_ownership_controls.this : o.rule[0].object_ownership == "BucketOwnerEnforced"])
    error_message = "ACLs are disabled."
  }

  assert {
    condition = alltrue([for k, d in data.aws_iam_policy_document.bucket : jsondecode(d.json).Statement == [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Action    = "s3:*"
      Resource  = ["arn:aws:s3:::${aws_s3_bucket.this[k].bucket}/*", "arn:aws:s3:::${aws_s3_bucket.this[k].bucket}"]
      Principal = "*"
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]])
    error_message = "Each bucket policy denies every request without TLS."
  }

  assert {
    condition     = [for r in aws_s3_bucket_lifecycle_configuration.this["claim-checks"].rule : { id = r.id, prefix = r.filter[0].prefix, days = try(r.expiration[0].days, null) } if r.id == "expire"] == [{ id = "expire", prefix = "claims/", days = 15 }]
    error_message = "Claim checks expire after claim_check_expiration_days (15) below their prefix."
  }

  assert {
    condition     = [for r in aws_s3_bucket_lifecycle_configuration.this["on-failure"].rule : r.expiration[0].days if r.id == "expire"] == [90]
    error_message = "Abandoned batches expire after on_failure_bucket_expiration_days (90)."
  }

  assert {
    condition     = alltrue([for k, l in aws_s3_bucket_lifecycle_configuration.this : alltrue([for r in l.rule : r.status == "Enabled"]) && anytrue([for r in l.rule : try(r.noncurrent_version_expiration[0].noncurrent_days == 7, false)]) && anytrue([for r in l.rule : try(r.abort_incomplete_multipart_upload[0].days_after_initiation == 1 && r.expiration[0].expired_object_delete_marker, false)])])
    error_message = "Lifecycle also removes noncurrent versions and incomplete uploads."
  }
}

run "bucket_lifetimes_and_force_destroy" {
  command = plan

  variables {
    claim_check_expiration_days       = 3
    on_failure_bucket_expiration_days = 30
    force_destroy                     = true
  }

  assert {
    condition     = [for r in aws_s3_bucket_lifecycle_configuration.this["claim-checks"].rule : r.expiration[0].days if r.id == "expire"] == [3] && [for r in aws_s3_bucket_lifecycle_configuration.this["on-failure"].rule : r.expiration[0].days if r.id == "expire"] == [30]
    error_message = "Expiry variables are applied."
  }

  assert {
    condition     = alltrue([for k, b in aws_s3_bucket.this : b.force_destroy])
    error_message = "force_destroy is applied."
  }
}

run "failure_queue" {
  command = plan

  assert {
    condition = (
      aws_sqs_queue.failures[0].name == "orders-fanout-failures" &&
      aws_sqs_queue.failures[0].max_message_size == 262144 &&
      aws_sqs_queue.failures[0].message_retention_seconds == 1209600 &&
      aws_sqs_queue.failures[0].sqs_managed_sse_enabled == true &&
      aws_sqs_queue.failures[0].kms_master_key_id == null
    )
    error_message = "The failure queue takes 256 KiB messages (the AWS provider 5.x maximum) and keeps diverted records 14 days, SSE-SQS encrypted."
  }

  assert {
    condition     = jsondecode(data.aws_iam_policy_document.failure_queue[0].json).Statement[0].Effect == "Deny" && jsondecode(data.aws_iam_policy_document.failure_queue[0].json).Statement[0].Condition == { Bool = { "aws:SecureTransport" = "false" } }
    error_message = "The failure queue denies requests without TLS."
  }

  assert {
    condition     = toset([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : flatten([s.Resource]) if s.Sid == "DivertToFailureQueues"][0]) == toset(["arn:aws:sqs:us-east-1:123456789012:orders-fanout-failures", "arn:aws:sqs:us-east-1:123456789012:search-failures", "arn:aws:sqs:us-east-1:210987654321:remote-failures"])
    error_message = "The role may send to the module's failure queue and to the targets' own failure queues, and only those."
  }

  assert {
    condition     = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : toset(flatten([s.Action])) if s.Sid == "DivertToFailureQueues"] == [toset(["sqs:SendMessage", "sqs:GetQueueUrl", "sqs:GetQueueAttributes"])]
    error_message = "On the failure queues: sqs:SendMessage, sqs:GetQueueUrl and sqs:GetQueueAttributes (the handler resolves each ARN and reads its MaximumMessageSize so diverted messages fit)."
  }

  assert {
    condition     = jsondecode(output.config_json).failure_destination == "arn:aws:sqs:us-east-1:123456789012:orders-fanout-failures" && [for t in jsondecode(output.config_json).targets : t.on_failure] == [{ mode = "divert" }, { mode = "divert", destination = "arn:aws:sqs:us-east-1:123456789012:search-failures" }, { mode = "divert", destination = "arn:aws:sqs:us-east-1:210987654321:remote-failures" }]
    error_message = "The config names the failure queues by ARN: the module's as failure_destination, the targets' own as given."
  }
}

run "alarms" {
  command = plan

  variables {
    alarm_actions = ["arn:aws:sns:us-east-1:123456789012:ops"]
    ok_actions    = ["arn:aws:sns:us-east-1:123456789012:ops-ok"]
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.iterator_age_warning[0].metric_name == "IteratorAge" &&
      aws_cloudwatch_metric_alarm.iterator_age_warning[0].namespace == "AWS/Lambda" &&
      aws_cloudwatch_metric_alarm.iterator_age_warning[0].statistic == "Maximum" &&
      aws_cloudwatch_metric_alarm.iterator_age_warning[0].threshold == 300000 &&
      aws_cloudwatch_metric_alarm.iterator_age_warning[0].period == 60 &&
      aws_cloudwatch_metric_alarm.iterator_age_warning[0].evaluation_periods == 5 &&
      aws_cloudwatch_metric_alarm.iterator_age_warning[0].datapoints_to_alarm == 5 &&
      aws_cloudwatch_metric_alarm.iterator_age_warning[0].dimensions == tomap({ FunctionName = "orders-fanout" })
    )
    error_message = "IteratorAge warning: Maximum above 5 min (300000 ms) in 5 of 5 minutes (docs/alarms.md)."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.iterator_age_critical[0].metric_name == "IteratorAge" &&
      aws_cloudwatch_metric_alarm.iterator_age_critical[0].statistic == "Maximum" &&
      aws_cloudwatch_metric_alarm.iterator_age_critical[0].threshold == 3600000 &&
      aws_cloudwatch_metric_alarm.iterator_age_critical[0].evaluation_periods == 1
    )
    error_message = "IteratorAge critical: Maximum above 1 h (3600000 ms) in 1 minute (docs/alarms.md)."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.destination_delivery_failures[0].metric_name == "DestinationDeliveryFailures" &&
      aws_cloudwatch_metric_alarm.destination_delivery_failures[0].statistic == "Sum" &&
      aws_cloudwatch_metric_alarm.destination_delivery_failures[0].threshold == 0 &&
      aws_cloudwatch_metric_alarm.destination_delivery_failures[0].dimensions == tomap({ FunctionName = "orders-fanout" })
    )
    error_message = "DestinationDeliveryFailures > 0."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.errors[0].metric_name == "Errors" && aws_cloudwatch_metric_alarm.errors[0].statistic == "Sum" && aws_cloudwatch_metric_alarm.errors[0].threshold == 0
    error_message = "The function's Errors > 0."
  }

  assert {
    condition     = { for k, a in aws_cloudwatch_metric_alarm.failure_queue_depth : k => a.dimensions.QueueName } == { orders-fanout-failures = "orders-fanout-failures", search-failures = "search-failures" }
    error_message = "Queue depth alarms for the failure queues of this account (not for the other account's queue, whose metrics live there)."
  }

  assert {
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.failure_queue_depth : a.metric_name == "ApproximateNumberOfMessagesVisible" && a.namespace == "AWS/SQS" && a.threshold == 0 && a.comparison_operator == "GreaterThanThreshold"])
    error_message = "Failure queue depth: ApproximateNumberOfMessagesVisible > 0."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.target["held-search"].namespace == "ServerlessQuirks" &&
      aws_cloudwatch_metric_alarm.target["held-search"].metric_name == "Held" &&
      aws_cloudwatch_metric_alarm.target["held-search"].dimensions == tomap({ service = "orders-fanout", target = "search" }) &&
      aws_cloudwatch_metric_alarm.target["diverted-billing"].metric_name == "Diverted" &&
      aws_cloudwatch_metric_alarm.target["diverted-billing"].dimensions == tomap({ service = "orders-fanout", target = "billing" }) &&
      alltrue([for a in aws_cloudwatch_metric_alarm.target : a.statistic == "Sum" && a.threshold == 0])
    )
    error_message = "Per target: the handler's Held and Diverted metrics (namespace ServerlessQuirks, dimensions service = fanout and target) > 0."
  }

  assert {
    condition = alltrue([for a in concat(
      aws_cloudwatch_metric_alarm.iterator_age_warning, aws_cloudwatch_metric_alarm.iterator_age_critical,
      aws_cloudwatch_metric_alarm.destination_delivery_failures, aws_cloudwatch_metric_alarm.errors,
      values(aws_cloudwatch_metric_alarm.failure_queue_depth), values(aws_cloudwatch_metric_alarm.target),
      ) : a.treat_missing_data == "notBreaching" && a.comparison_operator == "GreaterThanThreshold" &&
      a.alarm_actions == toset(["arn:aws:sns:us-east-1:123456789012:ops"]) && a.ok_actions == toset(["arn:aws:sns:us-east-1:123456789012:ops-ok"])
    ])
    error_message = "Every alarm treats missing data as not breaching and notifies alarm_actions / ok_actions."
  }

  assert {
    condition = toset(keys(output.alarm_arns)) == toset([
      "iterator-age-warning", "iterator-age-critical", "destination-delivery-failures", "errors",
      "failure-queue-depth-orders-fanout-failures", "failure-queue-depth-search-failures",
      "held-billing", "held-search", "held-remote", "diverted-billing", "diverted-search", "diverted-remote",
    ])
    error_message = "output.alarm_arns lists every alarm."
  }
}

run "alarm_thresholds" {
  command = plan

  variables {
    iterator_age_warning_threshold_ms  = 600000
    iterator_age_critical_threshold_ms = 7200000
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.iterator_age_warning[0].threshold == 600000 && aws_cloudwatch_metric_alarm.iterator_age_critical[0].threshold == 7200000
    error_message = "Thresholds are applied."
  }
}

run "no_alarms" {
  command = plan

  variables {
    create_alarms = false
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.iterator_age_warning) + length(aws_cloudwatch_metric_alarm.iterator_age_critical) + length(aws_cloudwatch_metric_alarm.destination_delivery_failures) + length(aws_cloudwatch_metric_alarm.errors) + length(aws_cloudwatch_metric_alarm.failure_queue_depth) + length(aws_cloudwatch_metric_alarm.target) == 0
    error_message = "create_alarms = false creates no alarm."
  }

  assert {
    condition     = output.alarm_arns == {}
    error_message = "output.alarm_arns is empty without alarms."
  }
}

run "destinations_of_another_region_are_rejected" {
  command = plan

  variables {
    targets = [
      { id = "billing", type = "sns", destination = "arn:aws:sns:eu-west-1:123456789012:billing" },
      { id = "search", type = "sqs", destination = "arn:aws:sqs:us-east-1:123456789012:search", on_failure = { destination = "arn:aws:sqs:eu-west-1:123456789012:search-failures" } },
    ]
  }

  expect_failures = [aws_lambda_function.this]
}

run "warning_above_critical_is_rejected" {
  command = plan

  variables {
    iterator_age_warning_threshold_ms  = 7200000
    iterator_age_critical_threshold_ms = 3600000
  }

  expect_failures = [aws_cloudwatch_metric_alarm.iterator_age_critical]
}
