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
  stream_arns = [
    "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2024-01-31T12:00:00.000",
    "arn:aws:dynamodb:us-east-1:123456789012:table/payments/stream/*",
  ]
}

run "function" {
  command = plan

  assert {
    condition     = aws_lambda_function.this.function_name == "orders-recovery"
    error_message = "the function is <name>-recovery"
  }
  assert {
    condition     = aws_lambda_function.this.handler == "quirks.recovery.handler.lambda_handler"
    error_message = "the handler is quirks.recovery.handler.lambda_handler"
  }
  assert {
    condition     = aws_lambda_function.this.runtime == "python3.13" && aws_lambda_function.this.architectures == tolist(["arm64"])
    error_message = "defaults: python3.13 on arm64"
  }
  assert {
    condition     = aws_lambda_function.this.timeout == 300 && aws_lambda_function.this.memory_size == 512
    error_message = "defaults: 300 s (docs/recovery.md: 5 minutes or more), 512 MB"
  }
  assert {
    condition     = aws_lambda_function.this.source_code_hash == filebase64sha256("../../tests/fixtures/lambda.zip")
    error_message = "without package_hash the code hash is filebase64sha256(package_file)"
  }
  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == -1
    error_message = "no reserved concurrency by default"
  }
  assert {
    condition     = aws_lambda_function.this.tracing_config[0].mode == "PassThrough"
    error_message = "tracing defaults to PassThrough"
  }
  assert {
    condition = (
      aws_lambda_function.this.logging_config[0].log_format == "JSON" &&
      aws_lambda_function.this.logging_config[0].log_group == "/aws/lambda/orders-recovery" &&
      aws_lambda_function.this.logging_config[0].application_log_level == "INFO" &&
      aws_lambda_function.this.logging_config[0].system_log_level == "WARN"
    )
    error_message = "JSON logs into the module's log group, INFO/WARN"
  }
  assert {
    condition = aws_lambda_function.this.environment[0].variables == tomap({
      QUIRKS_ARCHIVE               = "s3://orders-archive-123456789012/archive/"
      POWERTOOLS_SERVICE_NAME      = "orders-recovery"
      POWERTOOLS_LOG_LEVEL         = "INFO"
      POWERTOOLS_METRICS_NAMESPACE = "ServerlessQuirks"
    })
    error_message = "environment: QUIRKS_ARCHIVE and Powertools settings only (no QUIRKS_REPLAY_FUNCTION without replay_function_arn)"
  }
  assert {
    condition     = aws_cloudwatch_log_group.this.name == "/aws/lambda/orders-recovery" && aws_cloudwatch_log_group.this.retention_in_days == 30
    error_message = "an explicit log group /aws/lambda/<function> with 30 days retention"
  }
  assert {
    condition     = aws_cloudwatch_log_group.this.kms_key_id == null && aws_lambda_function.this.kms_key_arn == null
    error_message = "no KMS key unless kms_key_arn is given"
  }
  assert {
    condition     = output.archive_uri == "s3://orders-archive-123456789012/archive/"
    error_message = "archive_uri is s3://<bucket>/<prefix>"
  }
}

run "iam" {
  command = plan

  assert {
    condition     = jsondecode(data.aws_iam_policy_document.assume.json).Statement[0].Principal == { Service = "lambda.amazonaws.com" } && length(jsondecode(data.aws_iam_policy_document.assume.json).Statement) == 1
    error_message = "the role trusts lambda.amazonaws.com only"
  }
  assert {
    condition = toset([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s.Sid]) == toset([
      "WriteOwnLogs", "ReadStreams", "ConsumePointerQueue", "WriteArchives",
    ])
    error_message = "by default exactly four statements: logs, streams, queue, archive (no replay, KMS or X-Ray)"
  }
  assert {
    condition     = alltrue([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s.Effect == "Allow" && !contains(flatten([s.Resource]), "*")])
    error_message = "no statement uses a * resource by default"
  }
  assert {
    condition     = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : toset(flatten([s.Action])) if s.Sid == "WriteOwnLogs"][0] == toset(["logs:CreateLogStream", "logs:PutLogEvents"])
    error_message = "logs: only CreateLogStream and PutLogEvents"
  }
  assert {
    condition     = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : flatten([s.Resource]) if s.Sid == "WriteOwnLogs"][0] == ["arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/orders-recovery:*"]
    error_message = "logs: only the function's own log group"
  }
  assert {
    condition     = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : toset(flatten([s.Action])) if s.Sid == "ReadStreams"][0] == toset(["dynamodb:DescribeStream", "dynamodb:GetShardIterator", "dynamodb:GetRecords"])
    error_message = "streams: DescribeStream, GetShardIterator, GetRecords"
  }
  assert {
    condition = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : toset(flatten([s.Resource])) if s.Sid == "ReadStreams"][0] == toset([
      "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2024-01-31T12:00:00.000",
      "arn:aws:dynamodb:us-east-1:123456789012:table/payments/stream/*",
    ])
    error_message = "streams: exactly the ARNs in stream_arns"
  }
  assert {
    condition     = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : toset(flatten([s.Action])) if s.Sid == "ConsumePointerQueue"][0] == toset(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"])
    error_message = "queue: Receive, Delete, GetQueueAttributes, ChangeMessageVisibility"
  }
  assert {
    condition     = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : flatten([s.Resource]) if s.Sid == "ConsumePointerQueue"][0] == ["arn:aws:sqs:us-east-1:123456789012:orders-pointers"]
    error_message = "queue: only the pointer queue"
  }
  assert {
    condition     = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : flatten([s.Action]) if s.Sid == "WriteArchives"][0] == ["s3:PutObject"]
    error_message = "archive: PutObject only (storage.py's S3Store.put is the only S3 call of the handler)"
  }
  assert {
    condition     = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : flatten([s.Resource]) if s.Sid == "WriteArchives"][0] == ["arn:aws:s3:::orders-archive-123456789012/archive/*"]
    error_message = "archive: only below the archive prefix of the archive bucket"
  }
  assert {
    condition = jsondecode(output.consumer_policy_json).Statement == [{
      Sid      = "SendOnFailurePointers"
      Effect   = "Allow"
      Action   = "sqs:SendMessage"
      Resource = "arn:aws:sqs:us-east-1:123456789012:orders-pointers"
    }]
    error_message = "consumers get sqs:SendMessage on the pointer queue only"
  }
  assert {
    condition     = aws_iam_role_policy.this.name == "orders-recovery" && aws_iam_role.this.name == "orders-recovery"
    error_message = "one role and one inline policy per function"
  }
}

run "pointer_queue" {
  command = plan

  assert {
    condition     = aws_sqs_queue.pointers[0].name == "orders-pointers" && aws_sqs_queue.dlq[0].name == "orders-pointers-dlq"
    error_message = "the module creates <name>-pointers and <name>-pointers-dlq"
  }
  assert {
    condition     = aws_sqs_queue.pointers[0].visibility_timeout_seconds == 1800 && aws_sqs_queue.pointers[0].visibility_timeout_seconds >= 6 * aws_lambda_function.this.timeout
    error_message = "visibility timeout = 6 x the function timeout (300 s) + batching window (0)"
  }
  assert {
    condition     = aws_sqs_queue.pointers[0].message_retention_seconds == 1209600 && aws_sqs_queue.dlq[0].message_retention_seconds == 1209600
    error_message = "both queues keep messages 14 days"
  }
  assert {
    condition     = aws_sqs_queue.pointers[0].sqs_managed_sse_enabled == true && aws_sqs_queue.dlq[0].sqs_managed_sse_enabled == true
    error_message = "both queues are encrypted (SSE-SQS without a KMS key)"
  }
  assert {
    condition = jsondecode(aws_sqs_queue.pointers[0].redrive_policy) == {
      deadLetterTargetArn = "arn:aws:sqs:us-east-1:123456789012:orders-pointers-dlq"
      maxReceiveCount     = 5
    }
    error_message = "redrive to the module's DLQ after 5 receives by default"
  }
  assert {
    condition = jsondecode(aws_sqs_queue_redrive_allow_policy.dlq[0].redrive_allow_policy) == {
      redrivePermission = "byQueue"
      sourceQueueArns   = ["arn:aws:sqs:us-east-1:123456789012:orders-pointers"]
    }
    error_message = "only the pointer queue may use the DLQ"
  }
}

run "event_source_mapping" {
  command = plan

  assert {
    condition     = aws_lambda_event_source_mapping.this.function_response_types == toset(["ReportBatchItemFailures"])
    error_message = "the handler returns partial batch responses: ReportBatchItemFailures"
  }
  assert {
    condition     = aws_lambda_event_source_mapping.this.scaling_config[0].maximum_concurrency == 2
    error_message = "maximum concurrency 2 by default (one stream reader slot per invocation)"
  }
  assert {
    condition     = aws_lambda_event_source_mapping.this.batch_size == 10 && aws_lambda_event_source_mapping.this.maximum_batching_window_in_seconds == 0
    error_message = "batch size 10, no batching window by default"
  }
  assert {
    condition     = aws_lambda_event_source_mapping.this.enabled == true
    error_message = "the trigger is enabled by default"
  }
}

run "archive_bucket" {
  command = plan

  assert {
    condition     = aws_s3_bucket.archive[0].bucket == "orders-archive-123456789012" && aws_s3_bucket.archive[0].force_destroy == false
    error_message = "the bucket is <name>-archive-<account id>, not force-destroyed"
  }
  assert {
    condition     = aws_s3_bucket_versioning.archive[0].versioning_configuration[0].status == "Enabled"
    error_message = "the archive bucket is versioned"
  }
  assert {
    condition     = one([for r in aws_s3_bucket_server_side_encryption_configuration.archive[0].rule : one(r.apply_server_side_encryption_by_default).sse_algorithm]) == "AES256"
    error_message = "SSE-S3 without a KMS key"
  }
  assert {
    condition = (
      aws_s3_bucket_public_access_block.archive[0].block_public_acls &&
      aws_s3_bucket_public_access_block.archive[0].block_public_policy &&
      aws_s3_bucket_public_access_block.archive[0].ignore_public_acls &&
      aws_s3_bucket_public_access_block.archive[0].restrict_public_buckets
    )
    error_message = "all public access is blocked"
  }
  assert {
    condition     = aws_s3_bucket_ownership_controls.archive[0].rule[0].object_ownership == "BucketOwnerEnforced"
    error_message = "ACLs are disabled"
  }
  assert {
    condition = (
      jsondecode(data.aws_iam_policy_document.archive_bucket.json).Statement[0].Effect == "Deny" &&
      jsondecode(data.aws_iam_policy_document.archive_bucket.json).Statement[0].Condition == { Bool = { "aws:SecureTransport" = "false" } } &&
      toset(jsondecode(data.aws_iam_policy_document.archive_bucket.json).Statement[0].Resource) == toset(["arn:aws:s3:::orders-archive-123456789012", "arn:aws:s3:::orders-archive-123456789012/*"])
    )
    error_message = "the bucket policy denies every request without TLS"
  }
  assert {
    condition     = one([for r in aws_s3_bucket_lifecycle_configuration.archive[0].rule : r if r.id == "archives"]).filter[0].prefix == "archive/"
    error_message = "the lifecycle rule applies to the archive prefix"
  }
  assert {
    condition     = one([for r in aws_s3_bucket_lifecycle_configuration.archive[0].rule : r if r.id == "archives"]).noncurrent_version_expiration[0].noncurrent_days == 30
    error_message = "noncurrent versions expire after 30 days"
  }
  assert {
    condition     = [for t in one([for r in aws_s3_bucket_lifecycle_configuration.archive[0].rule : r if r.id == "archives"]).transition : { days = t.days, storage_class = t.storage_class }] == [{ days = 90, storage_class = "STANDARD_IA" }]
    error_message = "archives move to STANDARD_IA after 90 days"
  }
  assert {
    condition     = length(one([for r in aws_s3_bucket_lifecycle_configuration.archive[0].rule : r if r.id == "archives"]).expiration) == 0
    error_message = "current archives are never deleted by default"
  }
  assert {
    condition     = [for r in aws_s3_bucket_lifecycle_configuration.archive[0].rule : r.abort_incomplete_multipart_upload[0].days_after_initiation if r.id == "abort-incomplete-uploads"] == [7]
    error_message = "incomplete multipart uploads are cleaned up"
  }
}

run "alarms" {
  command = plan

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.pointer_queue_depth.namespace == "AWS/SQS" &&
      aws_cloudwatch_metric_alarm.pointer_queue_depth.metric_name == "ApproximateNumberOfMessagesVisible" &&
      aws_cloudwatch_metric_alarm.pointer_queue_depth.dimensions == tomap({ QueueName = "orders-pointers" }) &&
      aws_cloudwatch_metric_alarm.pointer_queue_depth.threshold == 0 &&
      aws_cloudwatch_metric_alarm.pointer_queue_depth.comparison_operator == "GreaterThanThreshold" &&
      aws_cloudwatch_metric_alarm.pointer_queue_depth.period == 60 &&
      aws_cloudwatch_metric_alarm.pointer_queue_depth.evaluation_periods == 10 &&
      aws_cloudwatch_metric_alarm.pointer_queue_depth.datapoints_to_alarm == 10
    )
    error_message = "pointer queue: visible messages > 0 for 10 consecutive minutes"
  }
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.pointer_age.metric_name == "ApproximateAgeOfOldestMessage" &&
      aws_cloudwatch_metric_alarm.pointer_age.dimensions == tomap({ QueueName = "orders-pointers" }) &&
      aws_cloudwatch_metric_alarm.pointer_age.threshold == 21600 &&
      aws_cloudwatch_metric_alarm.pointer_age.threshold < 86400 &&
      aws_cloudwatch_metric_alarm.pointer_age.comparison_operator == "GreaterThanThreshold"
    )
    error_message = "pointer age: oldest message older than 6 h (well below the 24 h stream retention)"
  }
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.dlq_depth[0].metric_name == "ApproximateNumberOfMessagesVisible" &&
      aws_cloudwatch_metric_alarm.dlq_depth[0].dimensions == tomap({ QueueName = "orders-pointers-dlq" }) &&
      aws_cloudwatch_metric_alarm.dlq_depth[0].threshold == 0 &&
      aws_cloudwatch_metric_alarm.dlq_depth[0].comparison_operator == "GreaterThanThreshold"
    )
    error_message = "DLQ: any visible message"
  }
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.errors.namespace == "AWS/Lambda" &&
      aws_cloudwatch_metric_alarm.errors.metric_name == "Errors" &&
      aws_cloudwatch_metric_alarm.errors.dimensions == tomap({ FunctionName = "orders-recovery" }) &&
      aws_cloudwatch_metric_alarm.errors.statistic == "Sum" &&
      aws_cloudwatch_metric_alarm.errors.threshold == 0
    )
    error_message = "function errors > 0"
  }
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.records_lost.namespace == "ServerlessQuirks" &&
      aws_cloudwatch_metric_alarm.records_lost.metric_name == "RecordsLost" &&
      aws_cloudwatch_metric_alarm.records_lost.dimensions == tomap({ service = "orders-recovery" }) &&
      aws_cloudwatch_metric_alarm.records_lost.dimensions["service"] == aws_lambda_function.this.environment[0].variables["POWERTOOLS_SERVICE_NAME"] &&
      aws_cloudwatch_metric_alarm.records_lost.statistic == "Sum" &&
      aws_cloudwatch_metric_alarm.records_lost.threshold == 0 &&
      aws_cloudwatch_metric_alarm.records_lost.comparison_operator == "GreaterThanThreshold"
    )
    error_message = "RecordsLost (EMF, dimension service = POWERTOOLS_SERVICE_NAME) > 0"
  }
  assert {
    condition = alltrue([
      for a in [aws_cloudwatch_metric_alarm.pointer_queue_depth, aws_cloudwatch_metric_alarm.pointer_age, aws_cloudwatch_metric_alarm.dlq_depth[0], aws_cloudwatch_metric_alarm.errors, aws_cloudwatch_metric_alarm.records_lost] :
      a.treat_missing_data == "notBreaching" && try(length(a.alarm_actions), 0) == 0 && try(length(a.ok_actions), 0) == 0
    ])
    error_message = "missing data is not breaching; no actions unless alarm_actions/ok_actions are given"
  }
}
