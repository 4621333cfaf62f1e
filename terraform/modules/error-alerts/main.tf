# The error notifier of serverless-quirks (docs/alerts.md): a Lambda function running
# quirks.alerts.handler.lambda_handler that receives CloudWatch Logs subscription deliveries and
# posts every error to Slack and/or AWS Chatbot (through SNS), with its subscriptions, an optional
# DynamoDB suppression table, an on-failure queue and alarms.

data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name
  account_id = data.aws_caller_identity.current.account_id

  function_name  = "${var.name}-alerts"
  log_group_name = "/aws/lambda/${local.function_name}"
  log_group_arn  = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.log_group_name}"
  # Built from the name (not aws_lambda_function.this.arn) so that the subscriptions, the account
  # policy and the IAM documents are known at plan time.
  function_arn = "arn:${local.partition}:lambda:${local.region}:${local.account_id}:function:${local.function_name}"

  package_hash = var.package_hash != null ? var.package_hash : filebase64sha256(var.package_file)

  # --- routes ---------------------------------------------------------------------------------
  slack_secret    = var.slack_webhook_secret_arn
  slack_parameter = var.slack_webhook_ssm_parameter_name
  has_slack       = local.slack_secret != null || local.slack_parameter != null
  # GetParameter is authorized on parameter/<name without the leading slash>.
  slack_parameter_arn = local.slack_parameter == null ? null : "arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter/${trimprefix(local.slack_parameter, "/")}"

  chatbot_topic_name = "${var.name}-alerts-chatbot"
  chatbot_topic_arn = (
    var.create_chatbot_topic
    ? "arn:${local.partition}:sns:${local.region}:${local.account_id}:${local.chatbot_topic_name}"
    : var.chatbot_sns_topic_arn
  )
  has_sns = local.chatbot_topic_arn != null
  # The AWS managed key alias/aws/sns lets every principal of the account publish through SNS
  # without a key grant; a customer managed key (kms_key_arn) is needed for CloudWatch alarms to
  # publish to the topic as well.
  chatbot_topic_kms_key = var.kms_key_arn != null ? var.kms_key_arn : "alias/aws/sns"

  # --- dedupe table (schema from quirks.alerts.dedupe.DynamoStore) ----------------------------
  dedupe_table_name = "${var.name}-alerts-dedupe"
  dedupe_table_arn  = "arn:${local.partition}:dynamodb:${local.region}:${local.account_id}:table/${local.dedupe_table_name}"

  # --- failure destination --------------------------------------------------------------------
  failure_queue_name = "${var.name}-alerts-failures"
  failure_queue_arn  = "arn:${local.partition}:sqs:${local.region}:${local.account_id}:${local.failure_queue_name}"

  # --- subscriptions --------------------------------------------------------------------------
  log_groups = toset(var.log_group_names)
  # The same selection criteria as `quirks alerts attach --account-policy` (attach.py): sorted,
  # JSON-quoted names joined by ", ". The notifier's own group is always excluded (loop guard).
  account_policy_excluded = sort(distinct(concat(var.account_policy_excluded_log_groups, [local.log_group_name])))
  account_policy_selection_criteria = (
    "LogGroupName NOT IN [${join(", ", [for n in local.account_policy_excluded : jsonencode(n)])}]"
  )
  account_policy_document = {
    DestinationArn = local.function_arn
    FilterPattern  = var.filter_pattern
    Distribution   = "Random"
  }

  # --- environment (names and ARNs only: the webhook URL is read by the function at run time) --
  environment = merge(
    {
      POWERTOOLS_SERVICE_NAME       = local.function_name
      POWERTOOLS_LOG_LEVEL          = var.log_level
      POWERTOOLS_METRICS_NAMESPACE  = "ServerlessQuirks"
      QUIRKS_ALERTS_WINDOW_SECONDS  = tostring(var.window_seconds)
      QUIRKS_ALERTS_MAX_MESSAGES    = tostring(var.max_messages)
      QUIRKS_SLACK_MIN_INTERVAL     = tostring(var.slack_min_interval)
      QUIRKS_ALERTS_REDACT_DEFAULTS = var.redact_defaults ? "true" : "false"
    },
    local.slack_secret != null ? { QUIRKS_SLACK_WEBHOOK_SECRET = local.slack_secret } : {},
    local.slack_parameter != null ? { QUIRKS_SLACK_WEBHOOK_SSM = local.slack_parameter } : {},
    local.has_sns ? { QUIRKS_ALERTS_SNS_TOPIC = local.chatbot_topic_arn } : {},
    var.create_dedupe_table ? { QUIRKS_ALERTS_DEDUPE_TABLE = local.dedupe_table_name } : {},
    length(var.redact_patterns) > 0 ? { QUIRKS_ALERTS_REDACT = jsonencode(var.redact_patterns) } : {},
  )

  # Services that use the module's key (kms_key_arn) on the notifier's behalf.
  kms_via_services = concat(
    ["sqs.${local.region}.amazonaws.com"],
    var.create_chatbot_topic ? ["sns.${local.region}.amazonaws.com"] : [],
    var.create_dedupe_table ? ["dynamodb.${local.region}.amazonaws.com"] : [],
  )
}

# --------------------------------------------------------------------------------------------
# IAM: one role, scoped to exactly what the notifier touches
# --------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "assume_role" {
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

data "aws_iam_policy_document" "notifier" {
  # Its own log group only (never AWSLambdaBasicExecutionRole: that grants every group).
  statement {
    sid       = "WriteOwnLogs"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group_arn}:*"]
  }

  # quirks.alerts.config.resolve_webhook_url: SecretsProvider.get(<secret>).
  dynamic "statement" {
    for_each = local.slack_secret != null ? [local.slack_secret] : []
    content {
      sid       = "ReadSlackWebhookSecret"
      effect    = "Allow"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [statement.value]
    }
  }

  # quirks.alerts.config.resolve_webhook_url: SSMProvider.get(<name>, decrypt=True).
  dynamic "statement" {
    for_each = local.slack_parameter_arn != null ? [local.slack_parameter_arn] : []
    content {
      sid       = "ReadSlackWebhookParameter"
      effect    = "Allow"
      actions   = ["ssm:GetParameter"]
      resources = [statement.value]
    }
  }

  # The customer managed key of the secret / SecureString, used through that service only.
  dynamic "statement" {
    for_each = var.slack_webhook_kms_key_arn != null ? [var.slack_webhook_kms_key_arn] : []
    content {
      sid       = "DecryptSlackWebhook"
      effect    = "Allow"
      actions   = ["kms:Decrypt"]
      resources = [statement.value]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values = [
          local.slack_secret != null
          ? "secretsmanager.${split(":", local.slack_secret)[3]}.amazonaws.com"
          : "ssm.${local.region}.amazonaws.com"
        ]
      }
    }
  }

  # quirks.alerts.sinks.chatbot.ChatbotSink: sns:Publish to the one topic.
  dynamic "statement" {
    for_each = local.has_sns ? [local.chatbot_topic_arn] : []
    content {
      sid       = "PublishChatbotNotifications"
      effect    = "Allow"
      actions   = ["sns:Publish"]
      resources = [statement.value]
    }
  }

  # An existing topic encrypted with a customer managed key: publishing needs the data key.
  dynamic "statement" {
    for_each = var.chatbot_sns_topic_kms_key_arn != null ? [var.chatbot_sns_topic_kms_key_arn] : []
    content {
      sid       = "EncryptChatbotNotifications"
      effect    = "Allow"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [statement.value]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values = [
          "sns.${var.chatbot_sns_topic_arn != null ? split(":", var.chatbot_sns_topic_arn)[3] : local.region}.amazonaws.com"
        ]
      }
    }
  }

  # quirks.alerts.dedupe.DynamoStore: conditional UpdateItem and the follow-up Scan, nothing else.
  dynamic "statement" {
    for_each = var.create_dedupe_table ? [local.dedupe_table_arn] : []
    content {
      sid       = "SuppressionWindows"
      effect    = "Allow"
      actions   = ["dynamodb:Scan", "dynamodb:UpdateItem"]
      resources = [statement.value]
    }
  }

  # Lambda sends failed asynchronous invocations to the on-failure destination with this role.
  statement {
    sid       = "OnFailureDestination"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [local.failure_queue_arn]
  }

  # The module's own customer managed key (queue, created topic, dedupe table), through those
  # services only.
  dynamic "statement" {
    for_each = var.kms_key_arn != null ? [var.kms_key_arn] : []
    content {
      sid       = "UseModuleKey"
      effect    = "Allow"
      actions   = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"]
      resources = [statement.value]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = local.kms_via_services
      }
    }
  }

  # X-Ray offers no resource-level permissions for these actions: "*" is the only valid resource.
  dynamic "statement" {
    for_each = var.tracing_mode == "Active" ? ["xray"] : []
    content {
      sid       = "XRayTracing"
      effect    = "Allow"
      actions   = ["xray:PutTelemetryRecords", "xray:PutTraceSegments"]
      resources = ["*"]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = local.function_name
  description        = "serverless-quirks error notifier ${local.function_name}"
  assume_role_policy = data.aws_iam_policy_document.assume_role.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "this" {
  name   = "${local.function_name}-notifier"
  role   = aws_iam_role.this.name
  policy = data.aws_iam_policy_document.notifier.json
}

# --------------------------------------------------------------------------------------------
# The function and its log group
# --------------------------------------------------------------------------------------------

# Created before the function so that Lambda never creates an unmanaged group (no retention).
# Deliberately never subscribed: the notifier's own errors reach a human through the alarms below.
resource "aws_cloudwatch_log_group" "this" {
  # checkov:skip=CKV_AWS_338: retention is the deployer's choice (log_retention_days, default 30); the notifier's own logs are operational, not audit records
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_lambda_function" "this" {
  # checkov:skip=CKV_AWS_116: CloudWatch Logs invokes the notifier asynchronously and failed events go to the on-failure destination of aws_lambda_function_event_invoke_config.this (an SQS queue, with the error), which supersedes a DLQ
  # checkov:skip=CKV_AWS_117: no VPC: the function only calls AWS APIs and the Slack webhook over HTTPS
  # checkov:skip=CKV_AWS_272: code signing is the deployer's choice
  function_name                  = local.function_name
  description                    = "serverless-quirks error alerts: CloudWatch Logs errors to Slack / AWS Chatbot"
  role                           = aws_iam_role.this.arn
  handler                        = "quirks.alerts.handler.lambda_handler"
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
      condition     = local.has_slack || local.has_sns
      error_message = "No alert route is configured: set slack_webhook_secret_arn or slack_webhook_ssm_parameter_name (Slack), or chatbot_sns_topic_arn / create_chatbot_topic = true (AWS Chatbot through SNS)."
    }
    precondition {
      condition     = !(local.slack_secret != null && local.slack_parameter != null)
      error_message = "Set only one of slack_webhook_secret_arn and slack_webhook_ssm_parameter_name: the notifier reads one webhook (the secret would win) and the other grant would be unused."
    }
    precondition {
      condition     = !(var.create_chatbot_topic && var.chatbot_sns_topic_arn != null)
      error_message = "Set either chatbot_sns_topic_arn (an existing topic) or create_chatbot_topic = true, not both."
    }
    precondition {
      condition     = var.slack_webhook_kms_key_arn == null || local.has_slack
      error_message = "slack_webhook_kms_key_arn is only used with slack_webhook_secret_arn or slack_webhook_ssm_parameter_name."
    }
    precondition {
      condition     = var.chatbot_sns_topic_kms_key_arn == null || var.chatbot_sns_topic_arn != null
      error_message = "chatbot_sns_topic_kms_key_arn is only used with chatbot_sns_topic_arn (a topic the module creates uses kms_key_arn)."
    }
  }
}

# CloudWatch Logs invokes the notifier asynchronously: bounded retries, then the failure queue.
resource "aws_lambda_function_event_invoke_config" "this" {
  function_name                = aws_lambda_function.this.function_name
  maximum_retry_attempts       = var.maximum_retry_attempts
  maximum_event_age_in_seconds = var.maximum_event_age_in_seconds

  destination_config {
    on_failure {
      destination = local.failure_queue_arn
    }
  }

  # Lambda checks at this call that the role may send to the queue, so both must exist first.
  depends_on = [aws_iam_role_policy.this, aws_sqs_queue.failures]
}

resource "aws_sqs_queue" "failures" {
  name                      = local.failure_queue_name
  message_retention_seconds = 1209600 # 14 days, the SQS maximum
  sqs_managed_sse_enabled   = var.kms_key_arn == null ? true : null
  kms_master_key_id         = var.kms_key_arn
  tags                      = var.tags
}

# --------------------------------------------------------------------------------------------
# Routes: the Chatbot topic and the suppression table
# --------------------------------------------------------------------------------------------

resource "aws_sns_topic" "chatbot" {
  count = var.create_chatbot_topic ? 1 : 0

  name              = local.chatbot_topic_name
  display_name      = "serverless-quirks alerts (${var.name})"
  kms_master_key_id = local.chatbot_topic_kms_key
  tags              = var.tags
}

resource "aws_dynamodb_table" "dedupe" {
  count = var.create_dedupe_table ? 1 : 0

  name         = local.dedupe_table_name
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "fingerprint"

  attribute {
    name = "fingerprint"
    type = "S"
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  point_in_time_recovery {
    enabled = true
  }

  tags = var.tags
}

# --------------------------------------------------------------------------------------------
# Subscriptions: per log group, or one account-level policy
# --------------------------------------------------------------------------------------------

resource "aws_lambda_permission" "log_groups" {
  for_each = local.log_groups

  # Statement ids allow [A-Za-z0-9_-] only and at most 100 characters; log group names do not.
  statement_id   = "AllowCloudWatchLogs-${substr(sha256(each.key), 0, 32)}"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.this.function_name
  principal      = "logs.amazonaws.com"
  source_arn     = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${each.key}:*"
  source_account = local.account_id
}

resource "aws_cloudwatch_log_subscription_filter" "this" {
  for_each = local.log_groups

  name            = var.subscription_filter_name
  log_group_name  = each.key
  filter_pattern  = var.filter_pattern
  destination_arn = local.function_arn

  depends_on = [aws_lambda_permission.log_groups]

  lifecycle {
    precondition {
      condition     = each.key != local.log_group_name
      error_message = "log_group_names must not contain the notifier's own log group (${local.log_group_name}): its error lines would be delivered to itself, in a loop."
    }
  }
}

resource "aws_lambda_permission" "account" {
  count = var.account_level_subscription ? 1 : 0

  statement_id   = "AllowCloudWatchLogsAccount"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.this.function_name
  principal      = "logs.amazonaws.com"
  source_arn     = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:*"
  source_account = local.account_id
}

resource "aws_cloudwatch_log_account_policy" "this" {
  count = var.account_level_subscription ? 1 : 0

  policy_name        = var.account_policy_name
  policy_type        = "SUBSCRIPTION_FILTER_POLICY"
  policy_document    = jsonencode(local.account_policy_document)
  selection_criteria = local.account_policy_selection_criteria
  scope              = "ALL"

  depends_on = [aws_lambda_permission.account]

  lifecycle {
    precondition {
      condition     = length(var.log_group_names) == 0
      error_message = "Use either account_level_subscription or log_group_names, not both: a log group matched by both would deliver every error twice."
    }
  }
}

# --------------------------------------------------------------------------------------------
# Alarms: the notifier's own failures need a path to a human that is not the notifier
# --------------------------------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "errors" {
  alarm_name          = "${local.function_name}-errors"
  alarm_description   = "The error notifier ${local.function_name} failed invocations: alerts may be lost (see its log group and the failure queue)."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = local.function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.ok_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "failure_queue" {
  alarm_name          = "${local.function_name}-failure-queue"
  alarm_description   = "Log deliveries the notifier ${local.function_name} could not process are waiting in ${local.failure_queue_name}."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = local.failure_queue_name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.ok_actions
  tags                = var.tags

  depends_on = [aws_sqs_queue.failures]
}

# docs/alerts.md: "Put a metric filter and alarm on the notifier's own log group for
# "alert delivery failed"" (a failed or unsent alert does not fail the invocation).
resource "aws_cloudwatch_log_metric_filter" "delivery_failed" {
  name           = "${local.function_name}-alert-delivery-failed"
  log_group_name = aws_cloudwatch_log_group.this.name
  pattern        = "\"alert delivery failed\""

  metric_transformation {
    namespace = "ServerlessQuirks"
    name      = "AlertDeliveryFailed-${local.function_name}"
    value     = "1"
    unit      = "Count"
  }
}

resource "aws_cloudwatch_metric_alarm" "delivery_failed" {
  alarm_name          = "${local.function_name}-alert-delivery-failed"
  alarm_description   = "The notifier ${local.function_name} could not deliver alerts (\"alert delivery failed\" in ${local.log_group_name})."
  namespace           = "ServerlessQuirks"
  metric_name         = "AlertDeliveryFailed-${local.function_name}"
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.ok_actions
  tags                = var.tags

  depends_on = [aws_cloudwatch_log_metric_filter.delivery_failed]
}
