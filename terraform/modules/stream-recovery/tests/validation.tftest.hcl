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

variables {
  package_file = "../../tests/fixtures/lambda.zip"
  name         = "orders"
  stream_arns  = ["arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2024-01-31T12:00:00.000"]
}

run "stream_arn_is_a_table" {
  command = plan

  variables {
    stream_arns = ["arn:aws:dynamodb:us-east-1:123456789012:table/orders"]
  }

  expect_failures = [var.stream_arns]
}

run "stream_arn_is_a_queue" {
  command = plan

  variables {
    stream_arns = ["arn:aws:sqs:us-east-1:123456789012:orders"]
  }

  expect_failures = [var.stream_arns]
}

run "stream_arn_is_kinesis" {
  command = plan

  variables {
    stream_arns = ["arn:aws:kinesis:us-east-1:123456789012:stream/orders"]
  }

  expect_failures = [var.stream_arns]
}

run "stream_arns_empty" {
  command = plan

  variables {
    stream_arns = []
  }

  expect_failures = [var.stream_arns]
}

run "stream_arns_repeated" {
  command = plan

  variables {
    stream_arns = ["arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2024-01-31T12:00:00.000", "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2024-01-31T12:00:00.000"]
  }

  expect_failures = [var.stream_arns]
}

run "timeout_below_60" {
  command = plan

  variables {
    timeout = 59
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
    runtime = "nodejs20.x"
  }

  expect_failures = [var.runtime]
}

run "architecture_invalid" {
  command = plan

  variables {
    architecture = "arm"
  }

  expect_failures = [var.architecture]
}

run "queue_created_and_given" {
  command = plan

  variables {
    pointer_queue_arn = "arn:aws:sqs:us-east-1:123456789012:shared-failures"
  }

  expect_failures = [data.aws_iam_policy_document.this]
}

run "queue_neither" {
  command = plan

  variables {
    create_pointer_queue = false
  }

  expect_failures = [data.aws_iam_policy_document.this]
}

run "queue_arn_invalid" {
  command = plan

  variables {
    create_pointer_queue = false
    pointer_queue_arn    = "arn:aws:sns:us-east-1:123456789012:failures"
  }

  expect_failures = [var.pointer_queue_arn]
}

run "queue_in_another_region" {
  command = plan

  variables {
    create_pointer_queue = false
    pointer_queue_arn    = "arn:aws:sqs:eu-west-1:123456789012:shared-failures"
  }

  expect_failures = [aws_lambda_event_source_mapping.this]
}

run "maximum_concurrency_below_2" {
  command = plan

  variables {
    maximum_concurrency = 1
  }

  expect_failures = [var.maximum_concurrency]
}

run "maximum_concurrency_above_1000" {
  command = plan

  variables {
    maximum_concurrency = 1001
  }

  expect_failures = [var.maximum_concurrency]
}

run "reserved_concurrency_zero" {
  command = plan

  variables {
    reserved_concurrent_executions = 0
  }

  expect_failures = [var.reserved_concurrent_executions]
}

run "reserved_below_maximum_concurrency" {
  command = plan

  variables {
    reserved_concurrent_executions = 3
    maximum_concurrency            = 5
  }

  expect_failures = [aws_lambda_function.this]
}

run "name_invalid" {
  command = plan

  variables {
    name = "orders.eu"
  }

  expect_failures = [var.name]
}

run "name_too_long" {
  command = plan

  variables {
    name = "a234567890123456789012345678901234567890x"
  }

  expect_failures = [var.name]
}

run "derived_bucket_name_invalid" {
  command = plan

  variables {
    name = "-orders"
  }

  expect_failures = [aws_s3_bucket.archive]
}

run "package_not_zip" {
  command = plan

  variables {
    package_file = "../../tests/fixtures/lambda.tar.gz"
  }

  expect_failures = [var.package_file]
}

run "package_hash_invalid" {
  command = plan

  variables {
    package_hash = "deadbeef"
  }

  expect_failures = [var.package_hash]
}

run "log_retention_invalid" {
  command = plan

  variables {
    log_retention_days = 31
  }

  expect_failures = [var.log_retention_days]
}

run "log_level_invalid" {
  command = plan

  variables {
    log_level = "FATAL"
  }

  expect_failures = [var.log_level]
}

run "kms_alias_rejected" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:us-east-1:123456789012:alias/orders"
  }

  expect_failures = [var.kms_key_arn]
}

run "managed_by_tag_rejected" {
  command = plan

  variables {
    tags = { managed-by = "serverless-quirks" }
  }

  expect_failures = [var.tags]
}

run "tracing_mode_invalid" {
  command = plan

  variables {
    tracing_mode = "On"
  }

  expect_failures = [var.tracing_mode]
}

run "alarm_action_not_sns" {
  command = plan

  variables {
    alarm_actions = ["arn:aws:sqs:us-east-1:123456789012:ops"]
  }

  expect_failures = [var.alarm_actions]
}

run "ok_action_not_sns" {
  command = plan

  variables {
    ok_actions = ["ops"]
  }

  expect_failures = [var.ok_actions]
}

run "layers_invalid" {
  command = plan

  variables {
    layers = ["arn:aws:lambda:us-east-1:123456789012:layer:deps"]
  }

  expect_failures = [var.layers]
}

run "archive_prefix_absolute" {
  command = plan

  variables {
    archive_prefix = "/archive/"
  }

  expect_failures = [var.archive_prefix]
}

run "archive_prefix_dotdot" {
  command = plan

  variables {
    archive_prefix = "archive/../other/"
  }

  expect_failures = [var.archive_prefix]
}

run "archive_prefix_wildcard" {
  command = plan

  variables {
    archive_prefix = "archive/*"
  }

  expect_failures = [var.archive_prefix]
}

run "archive_bucket_name_invalid" {
  command = plan

  variables {
    archive_bucket_name = "Central_Archives"
  }

  expect_failures = [var.archive_bucket_name]
}

run "own_bucket_without_name" {
  command = plan

  variables {
    create_archive_bucket = false
  }

  expect_failures = [aws_lambda_function.this]
}

run "transition_too_early" {
  command = plan

  variables {
    archive_transition_days = 10
  }

  expect_failures = [var.archive_transition_days]
}

run "expiration_before_transition" {
  command = plan

  variables {
    archive_transition_days = 90
    archive_expiration_days = 60
  }

  expect_failures = [aws_s3_bucket_lifecycle_configuration.archive]
}

run "expiration_zero" {
  command = plan

  variables {
    archive_expiration_days = 0
  }

  expect_failures = [var.archive_expiration_days]
}

run "noncurrent_expiration_zero" {
  command = plan

  variables {
    archive_noncurrent_version_expiration_days = 0
  }

  expect_failures = [var.archive_noncurrent_version_expiration_days]
}

run "storage_class_invalid" {
  command = plan

  variables {
    archive_transition_storage_class = "COLD"
  }

  expect_failures = [var.archive_transition_storage_class]
}

run "replay_arn_invalid" {
  command = plan

  variables {
    replay_function_arn = "orders-projector"
  }

  expect_failures = [var.replay_function_arn]
}

run "batch_size_zero" {
  command = plan

  variables {
    batch_size = 0
  }

  expect_failures = [var.batch_size]
}

run "batch_size_above_10_without_window" {
  command = plan

  variables {
    batch_size = 11
  }

  expect_failures = [aws_lambda_event_source_mapping.this]
}

run "batching_window_above_300" {
  command = plan

  variables {
    maximum_batching_window_in_seconds = 301
  }

  expect_failures = [var.maximum_batching_window_in_seconds]
}

run "max_receive_count_zero" {
  command = plan

  variables {
    max_receive_count = 0
  }

  expect_failures = [var.max_receive_count]
}

run "memory_too_small" {
  command = plan

  variables {
    memory_size = 64
  }

  expect_failures = [var.memory_size]
}

run "pointer_age_threshold_24h" {
  command = plan

  variables {
    pointer_age_alarm_threshold_seconds = 86400
  }

  expect_failures = [var.pointer_age_alarm_threshold_seconds]
}

run "queue_depth_minutes_zero" {
  command = plan

  variables {
    pointer_queue_depth_alarm_minutes = 0
  }

  expect_failures = [var.pointer_queue_depth_alarm_minutes]
}
