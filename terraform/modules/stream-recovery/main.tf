data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name
  account_id = data.aws_caller_identity.current.account_id

  function_name  = "${var.name}-recovery"
  log_group_name = "/aws/lambda/${local.function_name}"
  log_group_arn  = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.log_group_name}"
  package_hash   = var.package_hash != null ? var.package_hash : filebase64sha256(var.package_file)

  # Pointer queue: ours or the caller's. ARNs are built from the names so that plans (and the IAM
  # policy) are complete before anything exists.
  pointer_queue_name = var.create_pointer_queue ? "${var.name}-pointers" : (var.pointer_queue_arn != null ? element(split(":", var.pointer_queue_arn), 5) : "")
  pointer_queue_arn  = var.create_pointer_queue ? "arn:${local.partition}:sqs:${local.region}:${local.account_id}:${local.pointer_queue_name}" : coalesce(var.pointer_queue_arn, "none: set create_pointer_queue or pointer_queue_arn")
  dlq_name           = "${var.name}-pointers-dlq"
  dlq_arn            = "arn:${local.partition}:sqs:${local.region}:${local.account_id}:${local.dlq_name}"
  # AWS: the visibility timeout of an SQS trigger's queue should be at least 6 x the function
  # timeout plus the batching window, so that a batch does not become visible again while Lambda
  # is still retrying a throttled or failed invocation of it.
  visibility_timeout_seconds = 6 * var.timeout + var.maximum_batching_window_in_seconds
  retention_seconds          = 1209600 # 14 days, the SQS maximum

  # Archive bucket and prefix.
  default_bucket_name = lower(replace("${var.name}-archive-${local.account_id}", "_", "-"))
  bucket_name         = var.archive_bucket_name != null ? var.archive_bucket_name : local.default_bucket_name
  bucket_arn          = "arn:${local.partition}:s3:::${local.bucket_name}"
  prefix              = trim(var.archive_prefix, "/")
  archive_uri         = "s3://${local.bucket_name}/${local.prefix == "" ? "" : "${local.prefix}/"}"
  archive_objects_arn = "${local.bucket_arn}/${local.prefix == "" ? "" : "${local.prefix}/"}*"

  # Powertools writes metrics as EMF with one dimension, `service` = POWERTOOLS_SERVICE_NAME. The
  # function name makes it unique per deployment, so RecordsLost alarms never mix deployments.
  service_name = local.function_name

  environment = merge(
    {
      QUIRKS_ARCHIVE               = local.archive_uri
      POWERTOOLS_SERVICE_NAME      = local.service_name
      POWERTOOLS_LOG_LEVEL         = var.log_level
      POWERTOOLS_METRICS_NAMESPACE = "ServerlessQuirks"
    },
    var.replay_function_arn != null ? { QUIRKS_REPLAY_FUNCTION = var.replay_function_arn } : {},
  )

  alarm_prefix = "${var.name}-recovery"
}

################################################################################
# Pointer queue and its DLQ
################################################################################

resource "aws_sqs_queue" "dlq" {
  count = var.create_pointer_queue ? 1 : 0

  name                              = local.dlq_name
  message_retention_seconds         = local.retention_seconds
  sqs_managed_sse_enabled           = var.kms_key_arn == null ? true : null
  kms_master_key_id                 = var.kms_key_arn
  kms_data_key_reuse_period_seconds = var.kms_key_arn == null ? null : 300
  tags                              = var.tags
}

resource "aws_sqs_queue" "pointers" {
  count = var.create_pointer_queue ? 1 : 0

  name                              = local.pointer_queue_name
  message_retention_seconds         = local.retention_seconds
  visibility_timeout_seconds        = local.visibility_timeout_seconds
  sqs_managed_sse_enabled           = var.kms_key_arn == null ? true : null
  kms_master_key_id                 = var.kms_key_arn
  kms_data_key_reuse_period_seconds = var.kms_key_arn == null ? null : 300
  redrive_policy = jsonencode({
    deadLetterTargetArn = local.dlq_arn
    maxReceiveCount     = var.max_receive_count
  })
  tags = var.tags

  depends_on = [aws_sqs_queue.dlq]

  lifecycle {
    precondition {
      condition     = local.visibility_timeout_seconds >= 6 * var.timeout && local.visibility_timeout_seconds <= 43200
      error_message = "The pointer queue's visibility timeout must be at least 6 x the function timeout (AWS's recommendation for SQS triggers) and at most 43200 s."
    }
  }
}

resource "aws_sqs_queue_redrive_allow_policy" "dlq" {
  count = var.create_pointer_queue ? 1 : 0

  queue_url = aws_sqs_queue.dlq[0].id
  # Only the pointer queue may redrive into the DLQ.
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [local.pointer_queue_arn]
  })

  depends_on = [aws_sqs_queue.pointers]
}

################################################################################
# Archive bucket
################################################################################

resource "aws_s3_bucket" "archive" {
  count = var.create_archive_bucket ? 1 : 0
  # checkov:skip=CKV_AWS_18: server access logging needs a separate log bucket, which is the deployer's choice; writes are recorded in the run manifests and CloudTrail data events can be enabled
  # checkov:skip=CKV_AWS_144: cross-region replication needs a second bucket and region, the deployer's choice; the bucket is versioned
  # checkov:skip=CKV2_AWS_62: nothing consumes event notifications of archive writes; the manifest of each run lists its archives

  bucket        = local.bucket_name
  force_destroy = var.force_destroy
  tags          = var.tags

  lifecycle {
    precondition {
      condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", local.bucket_name))
      error_message = "The archive bucket name derived from name (<name>-archive-<account id>, lower case) is not a valid S3 bucket name (names may not start with '-'): set archive_bucket_name."
    }
  }
}

resource "aws_s3_bucket_ownership_controls" "archive" {
  count = var.create_archive_bucket ? 1 : 0

  bucket = aws_s3_bucket.archive[0].id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "archive" {
  count = var.create_archive_bucket ? 1 : 0

  bucket                  = aws_s3_bucket.archive[0].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "archive" {
  count = var.create_archive_bucket ? 1 : 0

  bucket = aws_s3_bucket.archive[0].id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "archive" {
  count = var.create_archive_bucket ? 1 : 0

  bucket = aws_s3_bucket.archive[0].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.kms_key_arn != null ? "aws:kms" : "AES256"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = var.kms_key_arn != null
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "archive" {
  count = var.create_archive_bucket ? 1 : 0

  bucket = aws_s3_bucket.archive[0].id

  # The whole bucket: incomplete multipart uploads are never archives (the handler uses PutObject).
  rule {
    id     = "abort-incomplete-uploads"
    status = "Enabled"

    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  rule {
    id     = "archives"
    status = "Enabled"

    filter {
      prefix = local.prefix == "" ? "" : "${local.prefix}/"
    }

    noncurrent_version_expiration {
      noncurrent_days = var.archive_noncurrent_version_expiration_days
    }

    dynamic "transition" {
      for_each = var.archive_transition_days != null ? [var.archive_transition_days] : []
      content {
        days          = transition.value
        storage_class = var.archive_transition_storage_class
      }
    }

    dynamic "expiration" {
      for_each = var.archive_expiration_days != null ? [var.archive_expiration_days] : []
      content {
        days = expiration.value
      }
    }
  }

  depends_on = [aws_s3_bucket_versioning.archive]

  lifecycle {
    precondition {
      condition     = var.archive_expiration_days == null || var.archive_transition_days == null || try(var.archive_expiration_days > var.archive_transition_days, false)
      error_message = "archive_expiration_days must be greater than archive_transition_days (S3 rejects an expiration before the transition)."
    }
  }
}

data "aws_iam_policy_document" "archive_bucket" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [local.bucket_arn, "${local.bucket_arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "archive" {
  count = var.create_archive_bucket ? 1 : 0

  bucket = aws_s3_bucket.archive[0].id
  policy = data.aws_iam_policy_document.archive_bucket.json

  depends_on = [aws_s3_bucket_public_access_block.archive]
}

################################################################################
# IAM
################################################################################

data "aws_iam_policy_document" "assume" {
  statement {
    sid     = "LambdaAssumeRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = local.function_name
  description        = "Execution role of the serverless-quirks recovery function ${local.function_name}"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "this" {
  # Logs: only the function's own log group (never AWSLambdaBasicExecutionRole, which grants every group).
  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group_arn}:*"]
  }

  # Read the pointed-to ranges: exactly the named streams. (sts:GetCallerIdentity, used to tell a
  # deleted stream from one of another account, needs no permission.)
  statement {
    sid       = "ReadStreams"
    actions   = ["dynamodb:DescribeStream", "dynamodb:GetShardIterator", "dynamodb:GetRecords"]
    resources = var.stream_arns
  }

  # The SQS trigger polls the pointer queue with the function's role.
  statement {
    sid       = "ConsumePointerQueue"
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
    resources = [local.pointer_queue_arn]
  }

  # Archives and manifests: the handler only calls PutObject (storage.S3Store.put); it never reads,
  # lists or deletes.
  statement {
    sid       = "WriteArchives"
    actions   = ["s3:PutObject"]
    resources = [local.archive_objects_arn]
  }

  dynamic "statement" {
    for_each = var.replay_function_arn != null ? [var.replay_function_arn] : []
    content {
      sid       = "ReplayRecords"
      actions   = ["lambda:InvokeFunction"]
      resources = [statement.value]
    }
  }

  # The queue's messages (Decrypt), archive objects (GenerateDataKey) and the environment (Decrypt).
  dynamic "statement" {
    for_each = var.kms_key_arn != null ? [var.kms_key_arn] : []
    content {
      sid       = "UseKmsKey"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [statement.value]
    }
  }

  # X-Ray has no resource-level permissions: "*" is the only possible resource.
  dynamic "statement" {
    for_each = var.tracing_mode == "Active" ? [1] : []
    content {
      sid       = "WriteTraces"
      actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
      resources = ["*"]
    }
  }

  lifecycle {
    precondition {
      condition     = var.create_pointer_queue != (var.pointer_queue_arn != null)
      error_message = "Set exactly one of create_pointer_queue = true (the module creates the pointer queue and its DLQ) and pointer_queue_arn (your own queue, with create_pointer_queue = false)."
    }
  }
}

# For the consumers: Lambda sends a stream mapping's on-failure pointer with the consuming
# function's execution role, which therefore needs this (output consumer_policy_json).
data "aws_iam_policy_document" "consumer" {
  statement {
    sid       = "SendOnFailurePointers"
    actions   = ["sqs:SendMessage"]
    resources = [local.pointer_queue_arn]
  }

  dynamic "statement" {
    for_each = var.kms_key_arn != null ? [var.kms_key_arn] : []
    content {
      sid       = "EncryptOnFailurePointers"
      actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
      resources = [statement.value]
    }
  }
}

resource "aws_iam_role_policy" "this" {
  name   = local.function_name
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}

################################################################################
# Function
################################################################################

resource "aws_cloudwatch_log_group" "this" {
  # checkov:skip=CKV_AWS_338: retention is the caller's choice (log_retention_days, default 30): these are operational logs, the durable record of every run is its manifest in the archive bucket

  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_lambda_function" "this" {
  # checkov:skip=CKV_AWS_116: a DLQ never fires for a function invoked by an event source mapping: it is invoked synchronously; unsettled pointers go to the pointer queue's own DLQ
  # checkov:skip=CKV_AWS_117: no VPC: the function only calls AWS APIs (DynamoDB Streams, S3, Lambda)
  # checkov:skip=CKV_AWS_272: code signing is the deployer's choice (the package is a deterministic zip whose hash is pinned in source_code_hash)

  function_name                  = local.function_name
  description                    = "serverless-quirks: archive the records behind DynamoDB stream on-failure pointers"
  role                           = aws_iam_role.this.arn
  handler                        = "quirks.recovery.handler.lambda_handler"
  runtime                        = var.runtime
  architectures                  = [var.architecture]
  filename                       = var.package_file
  source_code_hash               = local.package_hash
  timeout                        = var.timeout
  memory_size                    = var.memory_size
  layers                         = var.layers
  reserved_concurrent_executions = var.reserved_concurrent_executions
  kms_key_arn                    = var.kms_key_arn

  environment {
    variables = local.environment
  }

  logging_config {
    log_format            = "JSON"
    log_group             = aws_cloudwatch_log_group.this.name
    application_log_level = var.log_level
    system_log_level      = "WARN"
  }

  tracing_config {
    mode = var.tracing_mode
  }

  tags = var.tags

  depends_on = [aws_cloudwatch_log_group.this, aws_iam_role_policy.this]

  lifecycle {
    precondition {
      condition     = var.create_archive_bucket || var.archive_bucket_name != null
      error_message = "With create_archive_bucket = false, archive_bucket_name must name the existing bucket to archive into."
    }
    precondition {
      condition     = var.reserved_concurrent_executions == -1 || var.reserved_concurrent_executions >= var.maximum_concurrency
      error_message = "reserved_concurrent_executions must be -1 or at least maximum_concurrency: otherwise the SQS trigger is throttled and every throttled receive counts towards max_receive_count (pointers reach the DLQ unprocessed)."
    }
  }
}

resource "aws_lambda_event_source_mapping" "this" {
  event_source_arn                   = var.create_pointer_queue ? aws_sqs_queue.pointers[0].arn : local.pointer_queue_arn
  function_name                      = aws_lambda_function.this.arn
  enabled                            = var.event_source_mapping_enabled
  batch_size                         = var.batch_size
  maximum_batching_window_in_seconds = var.maximum_batching_window_in_seconds
  # The handler returns an SQS partial batch response: only unsettled pointers are retried.
  function_response_types = ["ReportBatchItemFailures"]

  scaling_config {
    maximum_concurrency = var.maximum_concurrency
  }

  tags = var.tags

  depends_on = [aws_iam_role_policy.this]

  lifecycle {
    precondition {
      condition     = var.create_pointer_queue || element(split(":", local.pointer_queue_arn), 3) == local.region
      error_message = "pointer_queue_arn must be a queue in the function's region: an SQS event source mapping cannot read a queue of another region."
    }
    precondition {
      condition     = var.batch_size <= 10 || var.maximum_batching_window_in_seconds >= 1
      error_message = "A batch_size above 10 needs maximum_batching_window_in_seconds of at least 1 (an SQS event source mapping rule)."
    }
  }
}

################################################################################
# Alarms
################################################################################

resource "aws_cloudwatch_metric_alarm" "pointer_queue_depth" {
  alarm_name          = "${local.alarm_prefix}-pointer-queue-depth"
  alarm_description   = "On-failure pointers have waited in ${local.pointer_queue_name} for ${var.pointer_queue_depth_alarm_minutes} minutes: the recovery function ${local.function_name} is not consuming them (trigger disabled, function failing or throttled). The records they point to leave the stream 24 h after they were written: check the function's logs, or run quirks recover --queue."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = local.pointer_queue_name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = var.pointer_queue_depth_alarm_minutes
  datapoints_to_alarm = var.pointer_queue_depth_alarm_minutes
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.ok_actions
  treat_missing_data  = "notBreaching"
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "pointer_age" {
  alarm_name          = "${local.alarm_prefix}-pointer-age"
  alarm_description   = "The oldest pointer in ${local.pointer_queue_name} is older than ${var.pointer_age_alarm_threshold_seconds} s. Its records are trimmed from the stream 24 h after they were written (before the pointer was sent): recover them now (quirks recover --queue) and check why ${local.function_name} keeps them (its ERROR log lines say which range and why)."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateAgeOfOldestMessage"
  dimensions          = { QueueName = local.pointer_queue_name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.pointer_age_alarm_threshold_seconds
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.ok_actions
  treat_missing_data  = "notBreaching"
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "dlq_depth" {
  count = var.create_pointer_queue ? 1 : 0

  alarm_name          = "${local.alarm_prefix}-dlq-depth"
  alarm_description   = "Pointers reached ${local.dlq_name} after ${var.max_receive_count} receives without being settled (not a DynamoDB stream pointer, or a range that kept failing). Inspect them with quirks streams parse-failure, recover with quirks recover --queue <DLQ URL>, or redrive them."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = local.dlq_name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.ok_actions
  treat_missing_data  = "notBreaching"
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "errors" {
  alarm_name          = "${local.alarm_prefix}-errors"
  alarm_description   = "The recovery function ${local.function_name} failed (configuration, permissions, timeout): its pointers stay in the queue until they reach the DLQ. See its log group ${local.log_group_name}."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = local.function_name }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.ok_actions
  treat_missing_data  = "notBreaching"
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "records_lost" {
  alarm_name          = "${local.alarm_prefix}-records-lost"
  alarm_description   = "Stream records could not be recovered and are lost (trimmed after 24 h, stream or shard deleted). The run's manifest and the ERROR log line 'stream records lost' name the ranges and the reason."
  namespace           = "ServerlessQuirks"
  metric_name         = "RecordsLost"
  dimensions          = { service = local.service_name }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.ok_actions
  treat_missing_data  = "notBreaching"
  tags                = var.tags
}
