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

# Every validation rejects what would break a guarantee. Each run changes one input from a valid
# configuration and expects exactly that variable's validation to fail.

variables {
  package_file = "../../tests/fixtures/lambda.zip"
  name         = "orders"
  stream_arn   = "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000"
  targets = [
    { id = "billing", type = "sqs", destination = "arn:aws:sqs:us-east-1:123456789012:billing" },
  ]
}

run "valid_baseline" {
  command = plan

  assert {
    condition     = aws_lambda_function.this.function_name == "orders-fanout"
    error_message = "The baseline configuration must plan."
  }
}

run "unknown_target_type" {
  command = plan

  variables {
    targets = [{ id = "billing", type = "sqs-fifo", destination = "arn:aws:sqs:us-east-1:123456789012:billing" }]
  }

  expect_failures = [var.targets]
}

run "destination_arn_typo_service" {
  command = plan

  variables {
    targets = [{ id = "billing", type = "lambda", destination = "arn:aws:lamda:us-east-1:123456789012:function:billing" }]
  }

  expect_failures = [var.targets]
}

run "destination_arn_missing_name" {
  command = plan

  variables {
    targets = [{ id = "billing", type = "sqs", destination = "arn:aws:sqs:us-east-1:123456789012" }]
  }

  expect_failures = [var.targets]
}

run "destination_of_another_type" {
  command = plan

  variables {
    targets = [{ id = "billing", type = "sns", destination = "arn:aws:sqs:us-east-1:123456789012:billing" }]
  }

  expect_failures = [var.targets]
}

run "destination_queue_url_not_arn" {
  command = plan

  variables {
    targets = [{ id = "billing", type = "sqs", destination = "https://sqs.us-east-1.amazonaws.com/123456789012/billing" }]
  }

  expect_failures = [var.targets]
}

run "destination_function_name_not_arn" {
  command = plan

  variables {
    targets = [{ id = "billing", type = "lambda", destination = "billing-fn" }]
  }

  expect_failures = [var.targets]
}

run "destination_bus_name_not_arn" {
  command = plan

  variables {
    targets = [{ id = "bus", type = "eventbridge", destination = "default" }]
  }

  expect_failures = [var.targets]
}

run "destination_short_account" {
  command = plan

  variables {
    targets = [{ id = "s", type = "kinesis", destination = "arn:aws:kinesis:us-east-1:12345678901:stream/audit" }]
  }

  expect_failures = [var.targets]
}

run "duplicate_ids" {
  command = plan

  variables {
    targets = [{ id = "billing", type = "sqs", destination = "arn:aws:sqs:us-east-1:123456789012:a" }, { id = "billing", type = "sns", destination = "arn:aws:sns:us-east-1:123456789012:b" }]
  }

  expect_failures = [var.targets]
}

run "invalid_id" {
  command = plan

  variables {
    targets = [{ id = "billing/eu", type = "sqs", destination = "arn:aws:sqs:us-east-1:123456789012:billing" }]
  }

  expect_failures = [var.targets]
}

run "id_too_long" {
  command = plan

  variables {
    targets = [{ id = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", type = "sqs", destination = "arn:aws:sqs:us-east-1:123456789012:billing" }]
  }

  expect_failures = [var.targets]
}

run "no_targets" {
  command = plan

  variables {
    targets = []
  }

  expect_failures = [var.targets]
}

run "too_many_targets" {
  command = plan

  variables {
    targets = [for i in range(51) : { id = "t${i}", type = "sqs", destination = "arn:aws:sqs:us-east-1:123456789012:q${i}" }]
  }

  expect_failures = [var.targets]
}

run "invalid_filter_json" {
  command = plan

  variables {
    targets = [{ id = "billing", type = "sqs", destination = "arn:aws:sqs:us-east-1:123456789012:billing", filter = "{eventName: [INSERT]" }]
  }

  expect_failures = [var.targets]
}

run "filter_not_a_pattern" {
  command = plan

  variables {
    targets = [{ id = "billing", type = "sqs", destination = "arn:aws:sqs:us-east-1:123456789012:billing", filter = jsonencode("INSERT") }]
  }

  expect_failures = [var.targets]
}

run "unknown_format" {
  command = plan

  variables {
    targets = [{ id = "billing", type = "sqs", destination = "arn:aws:sqs:us-east-1:123456789012:billing", format = "records" }]
  }

  expect_failures = [var.targets]
}

run "unknown_on_failure_mode" {
  command = plan

  variables {
    targets = [{ id = "billing", type = "sqs", destination = "arn:aws:sqs:us-east-1:123456789012:billing", on_failure = { mode = "retry" } }]
  }

  expect_failures = [var.targets]
}

run "on_failure_destination_url" {
  command = plan

  variables {
    targets = [{ id = "billing", type = "sqs", destination = "arn:aws:sqs:us-east-1:123456789012:billing", on_failure = { destination = "https://sqs.us-east-1.amazonaws.com/123456789012/dlq" } }]
  }

  expect_failures = [var.targets]
}

run "on_failure_destination_sns" {
  command = plan

  variables {
    targets = [{ id = "billing", type = "sqs", destination = "arn:aws:sqs:us-east-1:123456789012:billing", on_failure = { destination = "arn:aws:sns:us-east-1:123456789012:dlq" } }]
  }

  expect_failures = [var.targets]
}

run "on_failure_destination_bad_bucket" {
  command = plan

  variables {
    targets = [{ id = "billing", type = "sqs", destination = "arn:aws:sqs:us-east-1:123456789012:billing", on_failure = { destination = "s3://Bad_Bucket/prefix" } }]
  }

  expect_failures = [var.targets]
}

run "source_on_non_eventbridge" {
  command = plan

  variables {
    targets = [{ id = "billing", type = "sqs", destination = "arn:aws:sqs:us-east-1:123456789012:billing", source = "orders" }]
  }

  expect_failures = [var.targets]
}

run "max_attempts_too_high" {
  command = plan

  variables {
    targets = [{ id = "billing", type = "sqs", destination = "arn:aws:sqs:us-east-1:123456789012:billing", max_attempts = 21 }]
  }

  expect_failures = [var.targets]
}

run "max_attempts_zero" {
  command = plan

  variables {
    targets = [{ id = "billing", type = "sqs", destination = "arn:aws:sqs:us-east-1:123456789012:billing", max_attempts = 0 }]
  }

  expect_failures = [var.targets]
}

run "max_attempts_fraction" {
  command = plan

  variables {
    targets = [{ id = "billing", type = "sqs", destination = "arn:aws:sqs:us-east-1:123456789012:billing", max_attempts = 2.5 }]
  }

  expect_failures = [var.targets]
}

# SQS targets take max_message_bytes too (the queue's MaximumMessageSize, 1024..1048576 inclusive);
# without it the handler reads the queue's own limit (GetQueueAttributes), so the key is left out.
run "max_message_bytes_on_sqs" {
  command = plan

  variables {
    targets = [
      { id = "billing", type = "sqs", destination = "arn:aws:sqs:us-east-1:123456789012:billing", max_message_bytes = 262144 },
      { id = "smallest", type = "sqs", destination = "arn:aws:sqs:us-east-1:123456789012:smallest", max_message_bytes = 1024 },
      { id = "largest", type = "sqs", destination = "arn:aws:sqs:us-east-1:123456789012:largest", max_message_bytes = 1048576 },
      { id = "unset", type = "sqs", destination = "arn:aws:sqs:us-east-1:123456789012:unset" },
    ]
  }

  assert {
    condition     = [for t in jsondecode(output.config_json).targets : { id = t.id, max_message_bytes = t.max_message_bytes } if contains(keys(t), "max_message_bytes")] == [{ id = "billing", max_message_bytes = 262144 }, { id = "smallest", max_message_bytes = 1024 }, { id = "largest", max_message_bytes = 1048576 }]
    error_message = "An sqs target's max_message_bytes reaches the config as given: ${output.config_json}"
  }

  assert {
    condition     = jsondecode(output.config_json).targets[0] == { id = "billing", type = "sqs", destination = "arn:aws:sqs:us-east-1:123456789012:billing", format = "lambda-event", on_failure = { mode = "divert" }, max_message_bytes = 262144 }
    error_message = "The sqs target with max_message_bytes is exactly its ARN, defaults and the given size: ${output.config_json}"
  }

  assert {
    condition     = !contains(keys(jsondecode(output.config_json).targets[3]), "max_message_bytes")
    error_message = "Without max_message_bytes the key is left out (the handler reads the queue's MaximumMessageSize)."
  }
}

run "max_message_bytes_on_sqs_too_large" {
  command = plan

  variables {
    targets = [{ id = "billing", type = "sqs", destination = "arn:aws:sqs:us-east-1:123456789012:billing", max_message_bytes = 1048577 }]
  }

  expect_failures = [var.targets]
}

run "max_message_bytes_on_sqs_too_small" {
  command = plan

  variables {
    targets = [{ id = "billing", type = "sqs", destination = "arn:aws:sqs:us-east-1:123456789012:billing", max_message_bytes = 1023 }]
  }

  expect_failures = [var.targets]
}

run "max_message_bytes_on_sqs_fraction" {
  command = plan

  variables {
    targets = [{ id = "billing", type = "sqs", destination = "arn:aws:sqs:us-east-1:123456789012:billing", max_message_bytes = 262144.5 }]
  }

  expect_failures = [var.targets]
}

run "max_message_bytes_on_lambda" {
  command = plan

  variables {
    targets = [{ id = "billing", type = "lambda", destination = "arn:aws:lambda:us-east-1:123456789012:function:billing", max_message_bytes = 262144 }]
  }

  expect_failures = [var.targets]
}

run "max_message_bytes_on_kinesis" {
  command = plan

  variables {
    targets = [{ id = "audit", type = "kinesis", destination = "arn:aws:kinesis:us-east-1:123456789012:stream/audit", max_message_bytes = 262144 }]
  }

  expect_failures = [var.targets]
}

run "max_message_bytes_too_large" {
  command = plan

  variables {
    targets = [{ id = "n", type = "sns", destination = "arn:aws:sns:us-east-1:123456789012:n", max_message_bytes = 2097152 }]
  }

  expect_failures = [var.targets]
}

run "stream_arn_is_table_arn" {
  command = plan

  variables {
    stream_arn = "arn:aws:dynamodb:us-east-1:123456789012:table/orders"
  }

  expect_failures = [var.stream_arn]
}

run "stream_arn_is_kinesis" {
  command = plan

  variables {
    stream_arn = "arn:aws:kinesis:us-east-1:123456789012:stream/orders"
  }

  expect_failures = [var.stream_arn]
}

run "stream_arn_bad_label" {
  command = plan

  variables {
    stream_arn = "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/latest"
  }

  expect_failures = [var.stream_arn]
}

run "timeout_below_30" {
  command = plan

  variables {
    timeout = 29
  }

  expect_failures = [var.timeout]
}

run "timeout_above_900" {
  command = plan

  variables {
    timeout = 901
  }

  expect_failures = [var.timeout]
}

run "runtime_python311" {
  command = plan

  variables {
    runtime = "python3.11"
  }

  expect_failures = [var.runtime]
}

run "runtime_nodejs" {
  command = plan

  variables {
    runtime = "nodejs22.x"
  }

  expect_failures = [var.runtime]
}

run "architecture" {
  command = plan

  variables {
    architecture = "arm"
  }

  expect_failures = [var.architecture]
}

run "name_with_space" {
  command = plan

  variables {
    name = "orders prod"
  }

  expect_failures = [var.name]
}

run "name_too_long" {
  command = plan

  variables {
    name = "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
  }

  expect_failures = [var.name]
}

run "package_not_zip" {
  command = plan

  variables {
    package_file = "../../tests/fixtures/lambda.tar.gz"
  }

  expect_failures = [var.package_file]
}

run "package_hash_hex" {
  command = plan

  variables {
    package_hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
  }

  expect_failures = [var.package_hash]
}

run "memory_size" {
  command = plan

  variables {
    memory_size = 64
  }

  expect_failures = [var.memory_size]
}

run "log_retention_days" {
  command = plan

  variables {
    log_retention_days = 2
  }

  expect_failures = [var.log_retention_days]
}

run "log_level" {
  command = plan

  variables {
    log_level = "WARNING"
  }

  expect_failures = [var.log_level]
}

run "kms_key_alias" {
  command = plan

  variables {
    kms_key_arn = "alias/orders"
  }

  expect_failures = [var.kms_key_arn]
}

run "layers_not_arns" {
  command = plan

  variables {
    layers = ["powertools"]
  }

  expect_failures = [var.layers]
}

run "reserved_concurrency_zero" {
  command = plan

  variables {
    reserved_concurrent_executions = 0
  }

  expect_failures = [var.reserved_concurrent_executions]
}

run "alarm_actions_not_sns" {
  command = plan

  variables {
    alarm_actions = ["arn:aws:sqs:us-east-1:123456789012:ops"]
  }

  expect_failures = [var.alarm_actions]
}

run "ok_actions_not_sns" {
  command = plan

  variables {
    ok_actions = ["ops"]
  }

  expect_failures = [var.ok_actions]
}

run "tracing_mode" {
  command = plan

  variables {
    tracing_mode = "On"
  }

  expect_failures = [var.tracing_mode]
}

run "destination_kms_key_arns" {
  command = plan

  variables {
    destination_kms_key_arns = ["arn:aws:kms:us-east-1:123456789012:alias/x"]
  }

  expect_failures = [var.destination_kms_key_arns]
}

run "concurrency_too_high" {
  command = plan

  variables {
    concurrency = 65
  }

  expect_failures = [var.concurrency]
}

run "batch_size_zero" {
  command = plan

  variables {
    batch_size = 0
  }

  expect_failures = [var.batch_size]
}

run "batch_size_too_large" {
  command = plan

  variables {
    batch_size = 10001
  }

  expect_failures = [var.batch_size]
}

run "batching_window_too_long" {
  command = plan

  variables {
    maximum_batching_window_in_seconds = 301
  }

  expect_failures = [var.maximum_batching_window_in_seconds]
}

run "parallelization_factor" {
  command = plan

  variables {
    parallelization_factor = 11
  }

  expect_failures = [var.parallelization_factor]
}

run "starting_position" {
  command = plan

  variables {
    starting_position = "AT_TIMESTAMP"
  }

  expect_failures = [var.starting_position]
}

run "maximum_retry_attempts" {
  command = plan

  variables {
    maximum_retry_attempts = -2
  }

  expect_failures = [var.maximum_retry_attempts]
}

run "maximum_retry_attempts_too_high" {
  command = plan

  variables {
    maximum_retry_attempts = 10001
  }

  expect_failures = [var.maximum_retry_attempts]
}

run "record_age_below_60" {
  command = plan

  variables {
    maximum_record_age_in_seconds = 30
  }

  expect_failures = [var.maximum_record_age_in_seconds]
}

run "record_age_beyond_stream_retention" {
  command = plan

  variables {
    maximum_record_age_in_seconds = 86401
  }

  expect_failures = [var.maximum_record_age_in_seconds]
}

run "on_failure_destination_lambda" {
  command = plan

  variables {
    on_failure_destination_arn = "arn:aws:lambda:us-east-1:123456789012:function:x"
  }

  expect_failures = [var.on_failure_destination_arn]
}

run "on_failure_bucket_name" {
  command = plan

  variables {
    on_failure_bucket_name = "Orders_Failed"
  }

  expect_failures = [var.on_failure_bucket_name]
}

run "claim_check_bucket_name" {
  command = plan

  variables {
    claim_check_bucket_name = "-claims"
  }

  expect_failures = [var.claim_check_bucket_name]
}

run "claim_check_prefix_slash" {
  command = plan

  variables {
    claim_check_prefix = "/claims/"
  }

  expect_failures = [var.claim_check_prefix]
}

run "claim_check_expiration_days" {
  command = plan

  variables {
    claim_check_expiration_days = 0
  }

  expect_failures = [var.claim_check_expiration_days]
}

run "on_failure_bucket_expiration_days" {
  command = plan

  variables {
    on_failure_bucket_expiration_days = 0
  }

  expect_failures = [var.on_failure_bucket_expiration_days]
}

run "checkpoint_table_name" {
  command = plan

  variables {
    checkpoint_table_name = "ab"
  }

  expect_failures = [var.checkpoint_table_name]
}

run "iterator_age_warning" {
  command = plan

  variables {
    iterator_age_warning_threshold_ms = 0
  }

  expect_failures = [var.iterator_age_warning_threshold_ms]
}

run "iterator_age_critical_beyond_retention" {
  command = plan

  variables {
    iterator_age_critical_threshold_ms = 86400000
  }

  expect_failures = [var.iterator_age_critical_threshold_ms]
}

run "on_failure_destination_fifo" {
  command = plan

  # Lambda rejects FIFO queues and topics as a stream mapping's on-failure destination.
  variables {
    create_on_failure_bucket   = false
    on_failure_destination_arn = "arn:aws:sqs:us-east-1:123456789012:pointers.fifo"
  }

  expect_failures = [var.on_failure_destination_arn]
}

run "typo_in_a_target_attribute" {
  command = plan

  # `filtr` instead of `filter`: a typed object variable would drop it silently and deliver every
  # record to the target. Refused instead.
  variables {
    targets = [{ id = "billing", type = "lambda", destination = "arn:aws:lambda:us-east-1:123456789012:function:billing", filtr = "{\"eventName\":[\"INSERT\"]}" }]
  }

  expect_failures = [var.targets]
}

run "typo_in_on_failure" {
  command = plan

  variables {
    targets = [{ id = "billing", type = "lambda", destination = "arn:aws:lambda:us-east-1:123456789012:function:billing", on_failure = { mode = "divert", destinaton = "s3://orders-archive" } }]
  }

  expect_failures = [var.targets]
}

run "target_without_destination" {
  command = plan

  variables {
    targets = [{ id = "billing", type = "lambda" }]
  }

  expect_failures = [var.targets]
}
