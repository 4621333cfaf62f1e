################################################################################
# stream-fanout: quirks.fanout.handler.lambda_handler as a DynamoDB stream's ONLY reader.
# See README.md and docs/fanout.md.
################################################################################

data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  dns_suffix = data.aws_partition.current.dns_suffix
  region     = data.aws_region.current.name
  account_id = data.aws_caller_identity.current.account_id

  function_name  = "${var.name}-fanout"
  log_group_name = "/aws/lambda/${local.function_name}"
  # Built from its parts (not the resource attribute) so the policy is known at plan time.
  log_group_arn = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.log_group_name}"

  # ---------------------------------------------------------------- targets
  # local.targets with every optional attribute filled in (its type is `any`: see variables.tf).
  targets = [for t in var.targets : {
    id          = t.id
    type        = t.type
    destination = t.destination
    filter      = try(t.filter, null)
    format      = try(t.format, "lambda-event")
    on_failure = {
      mode        = try(t.on_failure.mode, "divert")
      destination = try(t.on_failure.destination, null)
    }
    source            = try(t.source, null)
    detail_type       = try(t.detail_type, null)
    max_attempts      = try(t.max_attempts, null)
    max_message_bytes = try(t.max_message_bytes, null)
  }]

  # SQS destinations are given as ARNs (what IAM needs) and passed on as ARNs: the handler asks SQS
  # for the URL (GetQueueUrl) and the size limit (GetQueueAttributes), right on any endpoint.

  target_arns = { for type in ["lambda", "sqs", "sns", "eventbridge", "kinesis"] :
    type => distinct([for t in local.targets : t.destination if t.type == type])
  }

  blocking = anytrue([for t in local.targets : t.on_failure.mode == "block"])

  # --------------------------------------------------- failure destinations
  # The module's failure queue is the config's top-level failure_destination: created when any target
  # has no destination of its own (divert needs one; block uses it for poison records).
  create_failure_queue = anytrue([for t in local.targets : try(t.on_failure.destination, null) == null])
  failure_queue_name   = "${var.name}-fanout-failures"
  failure_queue_arn    = "arn:${local.partition}:sqs:${local.region}:${local.account_id}:${local.failure_queue_name}"

  failure_queue_arns = distinct(concat(
    local.create_failure_queue ? [local.failure_queue_arn] : [],
    [for t in local.targets : t.on_failure.destination if try(startswith(t.on_failure.destination, "arn:"), false)],
  ))
  # s3://bucket/prefix -> arn:...:s3:::bucket/prefix/* (what divert writes: <prefix>/<target id>/...)
  failure_s3 = [for t in local.targets : regex("^s3://([^/]+)/?(.*)$", t.on_failure.destination)
  if try(startswith(t.on_failure.destination, "s3://"), false)]
  failure_s3_object_arns = distinct([for parts in local.failure_s3 :
    "arn:${local.partition}:s3:::${join("/", compact([parts[0], trim(parts[1], "/")]))}/*"
  ])

  # ------------------------------------------------------------ bucket names
  # Bucket names are lower-case, without "_", start and end with a letter or digit; the account and
  # region make the default globally unique. Deterministic names keep the configuration (and with it
  # the inline-or-SSM decision) known at plan time.
  bucket_stem = coalesce(trim(substr(replace(lower(var.name), "_", "-"), 0, 28), "-"), "quirks")

  create_on_failure_bucket = var.create_on_failure_bucket
  on_failure_bucket_name   = local.create_on_failure_bucket ? coalesce(var.on_failure_bucket_name, "${local.bucket_stem}-failed-${local.account_id}-${local.region}") : null
  on_failure_destination_arn = (local.create_on_failure_bucket
    ? "arn:${local.partition}:s3:::${local.on_failure_bucket_name}"
  : var.on_failure_destination_arn)
  on_failure_destination_type = try(split(":", local.on_failure_destination_arn)[2], "none") # s3 | sqs | sns

  claim_check_bucket_name = (var.create_claim_check_bucket
    ? coalesce(var.claim_check_bucket_name, "${local.bucket_stem}-claims-${local.account_id}-${local.region}")
  : var.claim_check_bucket_name)
  claim_check_uri        = local.claim_check_bucket_name == null ? null : "s3://${local.claim_check_bucket_name}/${var.claim_check_prefix}"
  claim_check_object_arn = local.claim_check_bucket_name == null ? null : "arn:${local.partition}:s3:::${local.claim_check_bucket_name}/${var.claim_check_prefix}/*"

  checkpoint_table_name = local.blocking ? coalesce(var.checkpoint_table_name, "${var.name}-fanout-checkpoints") : null
  checkpoint_table_arn  = local.blocking ? "arn:${local.partition}:dynamodb:${local.region}:${local.account_id}:table/${local.checkpoint_table_name}" : null

  # -------------------------------------------------------- the configuration
  # Exactly the schema of src/quirks/fanout/config.py: null fields are dropped (the validator treats a
  # present null as a wrong value for format, max_attempts, concurrency ... and rejects unknown keys).
  config_targets = [for t in local.targets : { for k, v in {
    id          = t.id
    type        = t.type
    destination = t.destination
    filter      = t.filter == null ? null : jsondecode(t.filter)
    format      = t.format
    on_failure = { for k2, v2 in {
      mode        = t.on_failure.mode
      destination = t.on_failure.destination
    } : k2 => v2 if v2 != null }
    source            = t.source
    detail_type       = t.detail_type
    max_attempts      = t.max_attempts
    max_message_bytes = t.max_message_bytes
  } : k => v if v != null }]

  config = { for k, v in {
    targets             = local.config_targets
    claim_check         = local.claim_check_uri == null ? null : { s3 = local.claim_check_uri }
    checkpoint_table    = local.checkpoint_table_name
    concurrency         = var.concurrency
    failure_destination = local.create_failure_queue ? local.failure_queue_arn : null
  } : k => v if v != null }

  config_json = jsonencode(local.config)
  # UTF-8 bytes, rounded up to whole base64 groups (at most 2 bytes over).
  config_bytes = ceil(length(base64encode(local.config_json)) * 3 / 4)

  base_environment = {
    POWERTOOLS_SERVICE_NAME      = local.function_name
    POWERTOOLS_LOG_LEVEL         = var.log_level
    POWERTOOLS_METRICS_NAMESPACE = "ServerlessQuirks"
  }
  inline_environment = merge(local.base_environment, { QUIRKS_FANOUT_CONFIG = local.config_json })
  # Lambda limits the environment to 4 KB, measured on its JSON form (jsonencode escapes <, >, & as
  # \u003c..., so this over-counts, never under-counts).
  inline_environment_bytes = ceil(length(base64encode(jsonencode(local.inline_environment))) * 3 / 4)
  environment_limit_bytes  = 4096

  config_in_ssm      = var.config_in_ssm
  ssm_parameter_name = "/${var.name}/quirks-fanout/config"
  ssm_parameter_arn  = "arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter${local.ssm_parameter_name}"

  environment = local.config_in_ssm ? merge(local.base_environment, { QUIRKS_FANOUT_CONFIG_SSM = local.ssm_parameter_name }) : local.inline_environment

  maximum_retry_attempts = var.maximum_retry_attempts != null ? var.maximum_retry_attempts : (local.blocking ? -1 : 10)

  kms_key_arns = distinct(concat(var.kms_key_arn == null ? [] : [var.kms_key_arn], var.destination_kms_key_arns))

  foreign_region_destinations = [for arn in distinct(concat(
    [for t in local.targets : t.destination],
    [for t in local.targets : t.on_failure.destination if try(startswith(t.on_failure.destination, "arn:"), false)],
  )) : arn if split(":", arn)[3] != local.region]

  # The stream's region: an event source mapping reads only streams of its own region.
  stream_region = split(":", var.stream_arn)[3]

  failure_queue_alarms = var.create_alarms ? { for arn in local.failure_queue_arns :
    split(":", arn)[5] => arn
    if split(":", arn)[4] == local.account_id
  } : {}
}

################################################################################
# Configuration in SSM (when it does not fit the 4 KB environment, or config_in_ssm = true)
################################################################################

resource "aws_ssm_parameter" "config" {
  count = local.config_in_ssm ? 1 : 0

  name        = local.ssm_parameter_name
  description = "quirks fan-out configuration of ${local.function_name} (QUIRKS_FANOUT_CONFIG_SSM)"
  # SecureString with the given key, or the account's aws/ssm key (whose key policy lets principals of
  # the account decrypt through SSM, so the role needs no kms permission for it).
  type   = "SecureString"
  key_id = var.kms_key_arn
  tier   = local.config_bytes > 4096 ? "Advanced" : "Standard"
  value  = local.config_json
  tags   = var.tags

  lifecycle {
    precondition {
      condition     = local.config_bytes <= 8192
      error_message = "The fan-out configuration is ${local.config_bytes} bytes: an SSM parameter holds at most 8192 (Advanced tier). Use fewer targets or shorter filters."
    }
  }
}

################################################################################
# Logs
################################################################################

resource "aws_cloudwatch_log_group" "this" {
  # checkov:skip=CKV_AWS_338: retention is the deployer's choice (log_retention_days, default 30 days); a year of function logs is a cost most stacks do not want.
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

################################################################################
# IAM: one role, scoped to exactly what the function touches
################################################################################

data "aws_iam_policy_document" "assume" {
  statement {
    sid     = "LambdaAssumeRole"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = local.function_name
  description        = "quirks fan-out ${local.function_name}: reads ${var.stream_arn}"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "this" {
  # Logs: only this function's own log group (never AWSLambdaBasicExecutionRole: it grants every group).
  statement {
    sid       = "WriteOwnLogs"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group_arn}:*"]
  }

  # What the event source mapping needs to read the stream.
  statement {
    sid       = "ReadStream"
    effect    = "Allow"
    actions   = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"]
    resources = [var.stream_arn]
  }

  # dynamodb:ListStreams has no resource-level permission: "*" is the only resource it accepts.
  statement {
    sid       = "ListStreams"
    effect    = "Allow"
    actions   = ["dynamodb:ListStreams"]
    resources = ["*"]
  }

  # One statement per target type present, on exactly the configured destinations.
  dynamic "statement" {
    for_each = length(local.target_arns.lambda) > 0 ? [1] : []
    content {
      sid       = "InvokeLambdaTargets"
      effect    = "Allow"
      actions   = ["lambda:InvokeFunction"]
      resources = local.target_arns.lambda
    }
  }

  dynamic "statement" {
    for_each = length(local.target_arns.sqs) > 0 ? [1] : []
    content {
      sid       = "SendToSqsTargets"
      effect    = "Allow"
      actions   = ["sqs:SendMessage", "sqs:GetQueueUrl", "sqs:GetQueueAttributes"]
      resources = local.target_arns.sqs
    }
  }

  dynamic "statement" {
    for_each = length(local.target_arns.sns) > 0 ? [1] : []
    content {
      sid       = "PublishToSnsTargets"
      effect    = "Allow"
      actions   = ["sns:Publish"]
      resources = local.target_arns.sns
    }
  }

  dynamic "statement" {
    for_each = length(local.target_arns.eventbridge) > 0 ? [1] : []
    content {
      sid       = "PutEventsToEventBridgeTargets"
      effect    = "Allow"
      actions   = ["events:PutEvents"]
      resources = local.target_arns.eventbridge
    }
  }

  dynamic "statement" {
    for_each = length(local.target_arns.kinesis) > 0 ? [1] : []
    content {
      sid       = "PutRecordsToKinesisTargets"
      effect    = "Allow"
      actions   = ["kinesis:PutRecords"]
      resources = local.target_arns.kinesis
    }
  }

  # Diverted records: the module's failure queue and the targets' own SQS failure destinations.
  dynamic "statement" {
    for_each = length(local.failure_queue_arns) > 0 ? [1] : []
    content {
      sid       = "DivertToFailureQueues"
      effect    = "Allow"
      actions   = ["sqs:SendMessage", "sqs:GetQueueUrl", "sqs:GetQueueAttributes"]
      resources = local.failure_queue_arns
    }
  }

  # Diverted records to s3://bucket/prefix destinations: objects below each prefix only.
  dynamic "statement" {
    for_each = length(local.failure_s3_object_arns) > 0 ? [1] : []
    content {
      sid       = "DivertToFailurePrefixes"
      effect    = "Allow"
      actions   = ["s3:PutObject"]
      resources = local.failure_s3_object_arns
    }
  }

  # Claim checks: objects below the claim-check prefix only.
  dynamic "statement" {
    for_each = local.claim_check_object_arn == null ? [] : [1]
    content {
      sid       = "WriteClaimChecks"
      effect    = "Allow"
      actions   = ["s3:PutObject"]
      resources = [local.claim_check_object_arn]
    }
  }

  # Checkpoints (block mode): CheckpointStore calls BatchGetItem and PutItem only.
  dynamic "statement" {
    for_each = local.blocking ? [1] : []
    content {
      sid       = "Checkpoints"
      effect    = "Allow"
      actions   = ["dynamodb:BatchGetItem", "dynamodb:PutItem"]
      resources = [local.checkpoint_table_arn]
    }
  }

  # The mapping's on-failure destination is written with the function's role.
  dynamic "statement" {
    for_each = local.on_failure_destination_type == "s3" ? [1] : []
    content {
      sid       = "OnFailureBucketObjects"
      effect    = "Allow"
      actions   = ["s3:PutObject"]
      resources = ["${coalesce(local.on_failure_destination_arn, "none")}/*"]
    }
  }

  dynamic "statement" {
    for_each = local.on_failure_destination_type == "s3" ? [1] : []
    content {
      sid       = "OnFailureBucketList"
      effect    = "Allow"
      actions   = ["s3:ListBucket"]
      resources = [local.on_failure_destination_arn]
    }
  }

  dynamic "statement" {
    for_each = local.on_failure_destination_type == "sqs" ? [1] : []
    content {
      sid       = "OnFailureQueue"
      effect    = "Allow"
      actions   = ["sqs:SendMessage"]
      resources = [local.on_failure_destination_arn]
    }
  }

  dynamic "statement" {
    for_each = local.on_failure_destination_type == "sns" ? [1] : []
    content {
      sid       = "OnFailureTopic"
      effect    = "Allow"
      actions   = ["sns:Publish"]
      resources = [local.on_failure_destination_arn]
    }
  }

  # The configuration parameter, only when the configuration lives in SSM.
  dynamic "statement" {
    for_each = local.config_in_ssm ? [1] : []
    content {
      sid       = "ReadConfigParameter"
      effect    = "Allow"
      actions   = ["ssm:GetParameter"]
      resources = [local.ssm_parameter_arn]
    }
  }

  # Only the keys given: kms_key_arn (SSM SecureString, failure queue, buckets, table, environment)
  # and destination_kms_key_arns (encrypted targets and failure destinations).
  dynamic "statement" {
    for_each = length(local.kms_key_arns) > 0 ? [1] : []
    content {
      sid       = "UseGivenKmsKeys"
      effect    = "Allow"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = local.kms_key_arns
    }
  }

  # X-Ray writes have no resource-level permissions: "*" is the only resource they accept.
  dynamic "statement" {
    for_each = var.tracing_mode == "Active" ? [1] : []
    content {
      sid       = "XRayWrite"
      effect    = "Allow"
      actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
      resources = ["*"]
    }
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "${local.function_name}-access"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.minified_json
}

################################################################################
# The function
################################################################################

resource "aws_lambda_function" "this" {
  # checkov:skip=CKV_AWS_116: a DLQ never fires for a function invoked by an event source mapping: it is invoked synchronously; abandoned batches go to the mapping's on-failure destination.
  # checkov:skip=CKV_AWS_117: no VPC: the function only calls AWS APIs.
  # checkov:skip=CKV_AWS_272: code signing is the deployer's choice; the zip comes from `quirks package` and is pinned by source_code_hash.
  function_name                  = local.function_name
  description                    = "quirks fan-out: the only reader of ${var.stream_arn}"
  role                           = aws_iam_role.this.arn
  handler                        = "quirks.fanout.handler.lambda_handler"
  runtime                        = var.runtime
  architectures                  = [var.architecture]
  filename                       = var.package_file
  source_code_hash               = var.package_hash != null ? var.package_hash : filebase64sha256(var.package_file)
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

  lifecycle {
    # The handler's clients are regional: Invoke, SendMessageBatch, PublishBatch, PutEvents and
    # PutRecords reject a function, queue, topic, bus or stream of another region.
    precondition {
      condition     = length(local.foreign_region_destinations) == 0
      error_message = "Targets and SQS failure destinations must be in the function's region (${local.region}): ${join(", ", local.foreign_region_destinations)}."
    }

    precondition {
      condition     = local.config_in_ssm || local.inline_environment_bytes <= local.environment_limit_bytes
      error_message = "The inline environment is ${local.inline_environment_bytes} bytes, over Lambda's 4 KB: set config_in_ssm = true."
    }
  }

  # The log group exists before the function (Lambda never creates an unmanaged one); the role's
  # policy, the configuration parameter and every store the configuration names exist before the
  # first cold start loads the configuration.
  depends_on = [
    aws_cloudwatch_log_group.this,
    aws_iam_role_policy.this,
    aws_ssm_parameter.config,
    aws_sqs_queue_policy.failures,
    aws_s3_bucket_policy.this,
    aws_s3_bucket_server_side_encryption_configuration.this,
    aws_dynamodb_table.checkpoints,
  ]
}

################################################################################
# The event source mapping: the stream's ONLY reader
################################################################################

resource "aws_lambda_event_source_mapping" "this" {
  event_source_arn                   = var.stream_arn
  function_name                      = aws_lambda_function.this.arn
  function_response_types            = ["ReportBatchItemFailures"]
  bisect_batch_on_function_error     = false
  starting_position                  = var.starting_position
  batch_size                         = var.batch_size
  maximum_batching_window_in_seconds = var.maximum_batching_window_in_seconds
  parallelization_factor             = var.parallelization_factor
  maximum_retry_attempts             = local.maximum_retry_attempts
  maximum_record_age_in_seconds      = var.maximum_record_age_in_seconds
  tags                               = var.tags

  destination_config {
    on_failure {
      destination_arn = local.on_failure_destination_arn
    }
  }

  lifecycle {
    precondition {
      condition     = local.stream_region == local.region
      error_message = "stream_arn is in ${local.stream_region}, the provider in ${local.region}: an event source mapping reads streams of its own region only."
    }

    precondition {
      condition     = var.create_on_failure_bucket == (var.on_failure_destination_arn == null)
      error_message = "Give exactly one on-failure destination: create_on_failure_bucket = true (the default), or create_on_failure_bucket = false with on_failure_destination_arn."
    }
  }

  # CreateEventSourceMapping checks that the role may read the stream and write the destination.
  depends_on = [
    aws_iam_role_policy.this,
    aws_s3_bucket_policy.this,
    aws_s3_bucket_server_side_encryption_configuration.this,
  ]
}

# Block targets hold a batch until they recover: a bounded retry count (or record age) abandons it
# to the mapping's on-failure destination instead (docs/fanout.md: -1 or high for block targets).
check "block_targets_retry_until_recovered" {
  assert {
    condition     = !local.blocking || (local.maximum_retry_attempts == -1 && var.maximum_record_age_in_seconds == -1)
    error_message = "A target uses on_failure.mode = block, but the mapping gives up after ${local.maximum_retry_attempts} retries / ${var.maximum_record_age_in_seconds} s: a held batch is then abandoned to the on-failure destination. docs/fanout.md recommends maximum_retry_attempts = -1 and maximum_record_age_in_seconds = -1 for block targets."
  }
}

################################################################################
# Buckets: abandoned batches (the mapping's S3 on-failure destination) and claim checks
################################################################################

locals {
  buckets = merge(
    local.create_on_failure_bucket ? {
      on-failure = {
        name            = local.on_failure_bucket_name
        purpose         = "batches the event source mapping of ${local.function_name} abandoned"
        prefix          = ""
        expiration_days = var.on_failure_bucket_expiration_days
      }
    } : {},
    var.create_claim_check_bucket ? {
      claim-checks = {
        name            = local.claim_check_bucket_name
        purpose         = "claim checks of ${local.function_name}: records too large for a target"
        prefix          = "${var.claim_check_prefix}/"
        expiration_days = var.claim_check_expiration_days
      }
    } : {},
  )
}

resource "aws_s3_bucket" "this" {
  # checkov:skip=CKV_AWS_18: server access logs need a separate log bucket, which is the deployer's to provide (or CloudTrail data events); only the function writes here.
  # checkov:skip=CKV_AWS_144: cross-region replication is the deployer's choice; objects expire by lifecycle and replication would double the copies.
  # checkov:skip=CKV2_AWS_62: nothing consumes object events: the per-target Held/Diverted, IteratorAge and DestinationDeliveryFailures alarms report what ends up here.
  for_each = local.buckets

  bucket        = each.value.name
  force_destroy = var.force_destroy
  tags          = merge(var.tags, { Purpose = each.value.purpose })
}

resource "aws_s3_bucket_ownership_controls" "this" {
  for_each = local.buckets

  bucket = aws_s3_bucket.this[each.key].id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each = local.buckets

  bucket                  = aws_s3_bucket.this[each.key].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "this" {
  for_each = local.buckets

  bucket = aws_s3_bucket.this[each.key].id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = local.buckets

  bucket = aws_s3_bucket.this[each.key].id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = var.kms_key_arn != null
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  for_each = local.buckets

  bucket = aws_s3_bucket.this[each.key].id

  rule {
    id     = "expire"
    status = "Enabled"

    filter {
      prefix = each.value.prefix
    }

    expiration {
      days = each.value.expiration_days
    }

    noncurrent_version_expiration {
      noncurrent_days = 7
    }
  }

  # The whole bucket: nothing else writes to it.
  rule {
    id     = "clean-up"
    status = "Enabled"

    filter {}

    expiration {
      expired_object_delete_marker = true
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

data "aws_iam_policy_document" "bucket" {
  for_each = local.buckets

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = ["arn:${local.partition}:s3:::${each.value.name}", "arn:${local.partition}:s3:::${each.value.name}/*"]

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

resource "aws_s3_bucket_policy" "this" {
  for_each = local.buckets

  bucket = aws_s3_bucket.this[each.key].id
  policy = data.aws_iam_policy_document.bucket[each.key].json

  depends_on = [aws_s3_bucket_public_access_block.this]
}

################################################################################
# The failure queue: the config's failure_destination for targets without their own
################################################################################

resource "aws_sqs_queue" "failures" {
  count = local.create_failure_queue ? 1 : 0

  name = local.failure_queue_name
  # Diverted records wait here, in full, until someone replays them: keep them as long as SQS can.
  message_retention_seconds = 1209600
  # SQS takes 1 MiB messages since 2025 and the handler packs up to 1 MiB of records per message
  # (src/quirks/fanout/divert.py), but the AWS provider 5.x caps this attribute at 256 KiB (and sets
  # 256 KiB when it is omitted). Records diverted here must fit 256 KiB: see README "Caveats".
  max_message_size                  = 262144
  sqs_managed_sse_enabled           = var.kms_key_arn == null ? true : null
  kms_master_key_id                 = var.kms_key_arn
  kms_data_key_reuse_period_seconds = var.kms_key_arn == null ? null : 300
  tags                              = var.tags
}

data "aws_iam_policy_document" "failure_queue" {
  count = local.create_failure_queue ? 1 : 0

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [local.failure_queue_arn]

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

resource "aws_sqs_queue_policy" "failures" {
  count = local.create_failure_queue ? 1 : 0

  queue_url = aws_sqs_queue.failures[0].id
  policy    = data.aws_iam_policy_document.failure_queue[0].json
}

################################################################################
# Checkpoints (block mode): schema of src/quirks/fanout/checkpoint.py
################################################################################

resource "aws_dynamodb_table" "checkpoints" {
  count = local.blocking ? 1 : 0

  name         = local.checkpoint_table_name
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "target"
  range_key    = "position"

  attribute {
    name = "target"
    type = "S"
  }

  attribute {
    name = "position"
    type = "S"
  }

  # Items carry expires_at 25 h ahead: the stream keeps records 24 h.
  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  # kms_key_arn when given, else the account's aws/dynamodb key.
  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  tags = var.tags
}

################################################################################
# Alarms (docs/alarms.md): missing data is not breaching, actions from alarm_actions / ok_actions
################################################################################

resource "aws_cloudwatch_metric_alarm" "iterator_age_warning" {
  count = var.create_alarms ? 1 : 0

  alarm_name          = "${local.function_name}-iterator-age-warning"
  alarm_description   = "The fan-out reader of ${var.stream_arn} is falling behind (IteratorAge above ${var.iterator_age_warning_threshold_ms} ms for 5 minutes). Look at the function's Errors, Throttles and Duration; a held batch (block target) or a slow target keeps the shard waiting. Records are lost 24 h after they were written."
  namespace           = "AWS/Lambda"
  metric_name         = "IteratorAge"
  dimensions          = { FunctionName = aws_lambda_function.this.function_name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 5
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.iterator_age_warning_threshold_ms
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.ok_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "iterator_age_critical" {
  count = var.create_alarms ? 1 : 0

  alarm_name          = "${local.function_name}-iterator-age-critical"
  alarm_description   = "The fan-out reader of ${var.stream_arn} is more than ${var.iterator_age_critical_threshold_ms} ms behind: records are lost for good 24 h after they were written. Fix the blocking target or the function now, or archive the records at risk (quirks recover)."
  namespace           = "AWS/Lambda"
  metric_name         = "IteratorAge"
  dimensions          = { FunctionName = aws_lambda_function.this.function_name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  datapoints_to_alarm = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.iterator_age_critical_threshold_ms
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.ok_actions
  tags                = var.tags

  lifecycle {
    precondition {
      condition     = var.iterator_age_warning_threshold_ms <= var.iterator_age_critical_threshold_ms
      error_message = "iterator_age_warning_threshold_ms (${var.iterator_age_warning_threshold_ms}) may not be above iterator_age_critical_threshold_ms (${var.iterator_age_critical_threshold_ms})."
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "destination_delivery_failures" {
  count = var.create_alarms ? 1 : 0

  alarm_name          = "${local.function_name}-destination-delivery-failures"
  alarm_description   = "Lambda could not write an abandoned batch of ${var.stream_arn} to ${coalesce(local.on_failure_destination_arn, "(none)")}: that failure record is lost. Check that the destination exists and that role ${local.function_name} may write to it (and use its KMS key)."
  namespace           = "AWS/Lambda"
  metric_name         = "DestinationDeliveryFailures"
  dimensions          = { FunctionName = aws_lambda_function.this.function_name }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  datapoints_to_alarm = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.ok_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "errors" {
  count = var.create_alarms ? 1 : 0

  alarm_name          = "${local.function_name}-errors"
  alarm_description   = "The fan-out function ${local.function_name} failed a whole batch (a bad configuration at cold start, the checkpoint table unavailable, a malformed record, a timeout): Lambda retries it and healthy targets may get duplicates. Read the function's ERROR logs."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = aws_lambda_function.this.function_name }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  datapoints_to_alarm = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.ok_actions
  tags                = var.tags
}

# One per SQS failure destination of this account (a queue of another account has its metrics there).
resource "aws_cloudwatch_metric_alarm" "failure_queue_depth" {
  for_each = local.failure_queue_alarms

  alarm_name          = "${local.function_name}-failure-queue-depth-${each.key}"
  alarm_description   = "Records a target of ${local.function_name} could not take were diverted, in full, to ${each.value}: they are safe, but the consumer is missing them. Fix the target and replay the messages (each body is JSON Lines of Lambda-form records) before the queue's retention ends."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = each.key }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  datapoints_to_alarm = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.ok_actions
  tags                = var.tags

  depends_on = [aws_sqs_queue.failures]
}

# The handler's own EMF metrics (namespace POWERTOOLS_METRICS_NAMESPACE; dimensions target, and
# service = POWERTOOLS_SERVICE_NAME = the function name, so deployments do not mix): per target,
# records held back (the batch is
# retried; with bounded retries it is eventually abandoned to the on-failure destination) and
# records diverted to the failure destination (docs/fanout.md: alarm on Held and Diverted > 0).
resource "aws_cloudwatch_metric_alarm" "target" {
  for_each = var.create_alarms ? merge([for t in local.targets : {
    "held-${t.id}"     = { target = t.id, metric = "Held", what = "holds records back: the batch is retried (and abandoned to ${coalesce(local.on_failure_destination_arn, "(none)")} when retries run out). Fix the target; a block target keeps its shard waiting" }
    "diverted-${t.id}" = { target = t.id, metric = "Diverted", what = "could not take records: they were diverted, in full, to its failure destination. Fix the target and replay them" }
  }]...) : {}

  alarm_name          = "${local.function_name}-${each.key}"
  alarm_description   = "Target ${each.value.target} of ${local.function_name} ${each.value.what}. The function's ERROR logs name the reasons."
  namespace           = "ServerlessQuirks"
  metric_name         = each.value.metric
  dimensions          = { service = local.function_name, target = each.value.target }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  datapoints_to_alarm = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.ok_actions
  tags                = var.tags
}
