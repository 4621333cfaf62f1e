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

run "kms_key" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  assert {
    condition = (
      aws_sqs_queue.pointers[0].kms_master_key_id == "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" &&
      aws_sqs_queue.dlq[0].kms_master_key_id == "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    )
    error_message = "both queues are encrypted with the given key"
  }
  assert {
    condition = one([for r in aws_s3_bucket_server_side_encryption_configuration.archive[0].rule : {
      algorithm = one(r.apply_server_side_encryption_by_default).sse_algorithm
      key       = one(r.apply_server_side_encryption_by_default).kms_master_key_id
      bucket    = r.bucket_key_enabled
      }]) == {
      algorithm = "aws:kms"
      key       = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
      bucket    = true
    }
    error_message = "archives use SSE-KMS with the given key and a bucket key"
  }
  assert {
    condition = (
      aws_cloudwatch_log_group.this.kms_key_id == "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" &&
      aws_lambda_function.this.kms_key_arn == "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    )
    error_message = "the log group and the environment are encrypted with the given key"
  }
  assert {
    condition = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : {
      actions   = toset(flatten([s.Action]))
      resources = flatten([s.Resource])
      } if s.Sid == "UseKmsKey"] == [{
      actions   = toset(["kms:Decrypt", "kms:GenerateDataKey"])
      resources = ["arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
    }]
    error_message = "KMS: Decrypt and GenerateDataKey on the given key only"
  }
}

run "replay" {
  command = plan

  variables {
    replay_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:orders-projector"
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables["QUIRKS_REPLAY_FUNCTION"] == "arn:aws:lambda:us-east-1:123456789012:function:orders-projector"
    error_message = "QUIRKS_REPLAY_FUNCTION is the replay function"
  }
  assert {
    condition = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : {
      actions   = flatten([s.Action])
      resources = flatten([s.Resource])
      } if s.Sid == "ReplayRecords"] == [{
      actions   = ["lambda:InvokeFunction"]
      resources = ["arn:aws:lambda:us-east-1:123456789012:function:orders-projector"]
    }]
    error_message = "lambda:InvokeFunction on the replay function only"
  }
  assert {
    condition     = length(jsondecode(data.aws_iam_policy_document.this.json).Statement) == 5
    error_message = "replay adds exactly one statement"
  }
}

run "own_pointer_queue" {
  command = plan

  variables {
    create_pointer_queue = false
    pointer_queue_arn    = "arn:aws:sqs:us-east-1:123456789012:shared-failures"
  }

  assert {
    condition     = length(aws_sqs_queue.pointers) == 0 && length(aws_sqs_queue.dlq) == 0 && length(aws_sqs_queue_redrive_allow_policy.dlq) == 0
    error_message = "no queue is created when the caller brings one"
  }
  assert {
    condition     = aws_lambda_event_source_mapping.this.event_source_arn == "arn:aws:sqs:us-east-1:123456789012:shared-failures"
    error_message = "the trigger reads the given queue"
  }
  assert {
    condition     = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : flatten([s.Resource]) if s.Sid == "ConsumePointerQueue"][0] == ["arn:aws:sqs:us-east-1:123456789012:shared-failures"]
    error_message = "the SQS permissions name the given queue only"
  }
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.pointer_queue_depth.dimensions == tomap({ QueueName = "shared-failures" }) &&
      aws_cloudwatch_metric_alarm.pointer_age.dimensions == tomap({ QueueName = "shared-failures" }) &&
      length(aws_cloudwatch_metric_alarm.dlq_depth) == 0
    )
    error_message = "the queue alarms watch the given queue; no DLQ alarm"
  }
  assert {
    condition     = output.pointer_queue_arn == "arn:aws:sqs:us-east-1:123456789012:shared-failures" && output.pointer_queue_url == null && output.dlq_arn == null
    error_message = "outputs: the given ARN, no URL, no DLQ"
  }
}

run "own_bucket" {
  command = plan

  variables {
    create_archive_bucket = false
    archive_bucket_name   = "central-archives"
    archive_prefix        = "recovery/orders"
  }

  assert {
    condition = (
      length(aws_s3_bucket.archive) == 0 &&
      length(aws_s3_bucket_policy.archive) == 0 &&
      length(aws_s3_bucket_lifecycle_configuration.archive) == 0
    )
    error_message = "no bucket is created when the caller brings one"
  }
  assert {
    condition     = aws_lambda_function.this.environment[0].variables["QUIRKS_ARCHIVE"] == "s3://central-archives/recovery/orders/"
    error_message = "QUIRKS_ARCHIVE names the given bucket and prefix"
  }
  assert {
    condition     = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : flatten([s.Resource]) if s.Sid == "WriteArchives"][0] == ["arn:aws:s3:::central-archives/recovery/orders/*"]
    error_message = "PutObject only below the given prefix of the given bucket"
  }
  assert {
    condition = (
      output.archive_bucket_name == "central-archives" &&
      output.archive_bucket_arn == "arn:aws:s3:::central-archives" &&
      output.archive_uri == "s3://central-archives/recovery/orders/"
    )
    error_message = "outputs name the given bucket"
  }
}

run "bucket_root" {
  command = plan

  variables {
    archive_prefix = ""
  }

  assert {
    condition     = output.archive_uri == "s3://orders-archive-123456789012/"
    error_message = "an empty prefix archives at the bucket root"
  }
  assert {
    condition     = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : flatten([s.Resource]) if s.Sid == "WriteArchives"][0] == ["arn:aws:s3:::orders-archive-123456789012/*"]
    error_message = "PutObject on the whole bucket for an empty prefix"
  }
  assert {
    condition     = one([for r in aws_s3_bucket_lifecycle_configuration.archive[0].rule : r if r.id == "archives"]).filter[0].prefix == ""
    error_message = "the lifecycle rule covers the whole bucket"
  }
}

run "tracing" {
  command = plan

  variables {
    tracing_mode = "Active"
  }

  assert {
    condition     = aws_lambda_function.this.tracing_config[0].mode == "Active"
    error_message = "tracing Active"
  }
  assert {
    condition = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : {
      actions   = toset(flatten([s.Action]))
      resources = flatten([s.Resource])
      } if s.Sid == "WriteTraces"] == [{
      actions   = toset(["xray:PutTraceSegments", "xray:PutTelemetryRecords"])
      resources = ["*"]
    }]
    error_message = "X-Ray permissions only with Active tracing"
  }
}

run "tuning" {
  command = plan

  variables {
    name                                = "Orders_EU"
    package_hash                        = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
    runtime                             = "python3.12"
    architecture                        = "x86_64"
    timeout                             = 120
    memory_size                         = 1024
    maximum_batching_window_in_seconds  = 5
    batch_size                          = 100
    maximum_concurrency                 = 5
    reserved_concurrent_executions      = 5
    max_receive_count                   = 3
    log_retention_days                  = 365
    log_level                           = "DEBUG"
    archive_transition_days             = null
    archive_expiration_days             = 3650
    pointer_queue_depth_alarm_minutes   = 3
    pointer_age_alarm_threshold_seconds = 7200
    alarm_actions                       = ["arn:aws:sns:us-east-1:123456789012:ops"]
    ok_actions                          = ["arn:aws:sns:us-east-1:123456789012:ops"]
    event_source_mapping_enabled        = false
    tags                                = { team = "data" }
  }

  assert {
    condition     = aws_lambda_function.this.function_name == "Orders_EU-recovery" && aws_s3_bucket.archive[0].bucket == "orders-eu-archive-123456789012"
    error_message = "the default bucket name is lower case, '_' becomes '-'"
  }
  assert {
    condition     = aws_lambda_function.this.source_code_hash == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
    error_message = "package_hash is used as source_code_hash"
  }
  assert {
    condition     = aws_lambda_function.this.runtime == "python3.12" && aws_lambda_function.this.architectures == tolist(["x86_64"])
    error_message = "runtime and architecture are passed through"
  }
  assert {
    condition     = aws_sqs_queue.pointers[0].visibility_timeout_seconds == 6 * 120 + 5
    error_message = "visibility timeout = 6 x timeout + batching window"
  }
  assert {
    condition = (
      aws_lambda_event_source_mapping.this.batch_size == 100 &&
      aws_lambda_event_source_mapping.this.maximum_batching_window_in_seconds == 5 &&
      aws_lambda_event_source_mapping.this.scaling_config[0].maximum_concurrency == 5 &&
      aws_lambda_event_source_mapping.this.enabled == false
    )
    error_message = "trigger settings are passed through"
  }
  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == 5
    error_message = "reserved concurrency equal to the maximum concurrency is accepted"
  }
  assert {
    condition     = jsondecode(aws_sqs_queue.pointers[0].redrive_policy).maxReceiveCount == 3
    error_message = "max_receive_count is the redrive count"
  }
  assert {
    condition     = aws_lambda_function.this.logging_config[0].application_log_level == "DEBUG" && aws_lambda_function.this.environment[0].variables["POWERTOOLS_LOG_LEVEL"] == "DEBUG"
    error_message = "log_level sets both Lambda's and Powertools' level"
  }
  assert {
    condition = (
      length(one([for r in aws_s3_bucket_lifecycle_configuration.archive[0].rule : r if r.id == "archives"]).transition) == 0 &&
      one([for r in aws_s3_bucket_lifecycle_configuration.archive[0].rule : r if r.id == "archives"]).expiration[0].days == 3650
    )
    error_message = "transition off, expiration after the given days"
  }
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.pointer_queue_depth.evaluation_periods == 3 &&
      aws_cloudwatch_metric_alarm.pointer_age.threshold == 7200
    )
    error_message = "alarm thresholds are passed through"
  }
  assert {
    condition = alltrue([
      for a in [aws_cloudwatch_metric_alarm.pointer_queue_depth, aws_cloudwatch_metric_alarm.pointer_age, aws_cloudwatch_metric_alarm.dlq_depth[0], aws_cloudwatch_metric_alarm.errors, aws_cloudwatch_metric_alarm.records_lost] :
      a.alarm_actions == toset(["arn:aws:sns:us-east-1:123456789012:ops"]) && a.ok_actions == toset(["arn:aws:sns:us-east-1:123456789012:ops"]) && a.tags == tomap({ team = "data" })
    ])
    error_message = "every alarm notifies alarm_actions and ok_actions and carries the tags"
  }
}
