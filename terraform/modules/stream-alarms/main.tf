data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name
  account_id = data.aws_caller_identity.current.account_id

  function_name  = "${var.name}-alarms"
  log_group_name = "/aws/lambda/${local.function_name}"
  log_group_arn  = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.log_group_name}"
  package_hash   = var.package_hash != null ? var.package_hash : filebase64sha256(var.package_file)

  rule_name = "${var.name}-alarms-schedule"
  # The default event bus's rule ARN, built from its name so that the permission is known at plan time.
  rule_arn = "arn:${local.partition}:events:${local.region}:${local.account_id}:rule/${local.rule_name}"

  # The config as the handler reads it (quirks.alarms.config.parse_config): an object given in HCL
  # or as a JSON string, encoded once.
  config      = try(jsondecode(var.config), var.config)
  config_json = jsonencode(local.config)
  # The Lambda environment holds at most 4 KB (keys and values together): keep room for the rest.
  config_in_ssm         = var.config_in_ssm || length(local.config_json) > 3072
  config_parameter_name = "/${var.name}/quirks-alarms/config"
  config_parameter_arn  = "arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter${local.config_parameter_name}"

  # Every alarm the handler manages is named quirks-<kind>-<resource> (quirks.alarms.model.NAME_PREFIX):
  # its write permissions are limited to alarms with that prefix in this account and region.
  managed_alarms_arn = "arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:quirks-*"

  environment = merge(
    {
      QUIRKS_ALARMS_PRUNE          = var.prune ? "true" : "false"
      POWERTOOLS_SERVICE_NAME      = local.function_name
      POWERTOOLS_LOG_LEVEL         = var.log_level
      POWERTOOLS_METRICS_NAMESPACE = "ServerlessQuirks"
    },
    var.alarm_topic_arn != null ? { QUIRKS_ALARMS_TOPIC_ARN = var.alarm_topic_arn } : {},
    local.config_in_ssm ? { QUIRKS_ALARMS_CONFIG_PARAMETER = local.config_parameter_name } : { QUIRKS_ALARMS_CONFIG = local.config_json },
  )
}

################################################################################
# Config parameter (configs over the environment's 4 KB, or config_in_ssm)
################################################################################

resource "aws_ssm_parameter" "config" {
  count = local.config_in_ssm ? 1 : 0

  name        = local.config_parameter_name
  description = "serverless-quirks alarms config read by ${local.function_name} (QUIRKS_ALARMS_CONFIG_PARAMETER)"
  # SecureString: the handler reads it WithDecryption; the AWS managed key aws/ssm needs no IAM grant.
  type   = "SecureString"
  key_id = var.kms_key_arn
  value  = local.config_json
  tier   = length(local.config_json) > 4096 ? "Advanced" : "Standard"
  tags   = var.tags
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
  description        = "Execution role of the serverless-quirks alarms function ${local.function_name}"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "this" {
  # checkov:skip=CKV_AWS_356: only cloudwatch:DescribeAlarms is flagged: the handler lists alarms by name prefix (AlarmNamePrefix=quirks-), AWS does not document that a scope narrower than * works for such list queries (it does hide composite alarms), so the read-only list call keeps *; every write is limited to quirks-* alarms

  # Logs: only the function's own log group (never AWSLambdaBasicExecutionRole, which grants every group).
  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group_arn}:*"]
  }

  # Discovery (quirks.alarms.discover) and reading the existing alarms (quirks.alarms.apply.read_existing)
  # are account-wide by design. lambda:ListEventSourceMappings and lambda:ListFunctions have no
  # resource-level permissions, so "*" is the only possible resource; cloudwatch:DescribeAlarms is a
  # list call by name prefix, kept on "*" (see the checkov note above). sts:GetCallerIdentity needs
  # no permission.
  statement {
    sid       = "DiscoverAccountWide"
    actions   = ["lambda:ListEventSourceMappings", "lambda:ListFunctions", "cloudwatch:DescribeAlarms"]
    resources = ["*"]
  }

  # One ListFunctionEventInvokeConfigs call per function of the region.
  statement {
    sid       = "ReadInvokeConfigs"
    actions   = ["lambda:ListFunctionEventInvokeConfigs"]
    resources = ["arn:${local.partition}:lambda:${local.region}:${local.account_id}:function:*"]
  }

  # Ownership tags of quirks-* alarms, and writing them (PutMetricAlarm with Tags needs TagResource).
  statement {
    sid       = "ManageQuirksAlarms"
    actions   = ["cloudwatch:ListTagsForResource", "cloudwatch:PutMetricAlarm", "cloudwatch:TagResource"]
    resources = [local.managed_alarms_arn]
  }

  # Only with prune: the handler deletes orphans, i.e. alarms carrying its managed-by tag.
  dynamic "statement" {
    for_each = var.prune ? [1] : []
    content {
      sid       = "PruneQuirksAlarms"
      actions   = ["cloudwatch:DeleteAlarms"]
      resources = [local.managed_alarms_arn]
    }
  }

  dynamic "statement" {
    for_each = local.config_in_ssm ? [1] : []
    content {
      sid       = "ReadConfigParameter"
      actions   = ["ssm:GetParameter"]
      resources = [local.config_parameter_arn]
    }
  }

  # The environment and (with SSM) the SecureString config are encrypted with the given key.
  dynamic "statement" {
    for_each = var.kms_key_arn != null ? [var.kms_key_arn] : []
    content {
      sid       = "DecryptWithKmsKey"
      actions   = ["kms:Decrypt"]
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
  # checkov:skip=CKV_AWS_338: retention is the caller's choice (log_retention_days, default 30): these are operational logs of an idempotent, repeated run

  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_lambda_function" "this" {
  # checkov:skip=CKV_AWS_116: the function is invoked asynchronously only by its schedule, whose events carry no data; a failed run counts in Errors (alarmed by this module) and the next scheduled run redoes everything
  # checkov:skip=CKV_AWS_117: no VPC: the function only calls AWS APIs (Lambda, CloudWatch, SSM)
  # checkov:skip=CKV_AWS_272: code signing is the deployer's choice (the package is a deterministic zip whose hash is pinned in source_code_hash)

  function_name                  = local.function_name
  description                    = "serverless-quirks: keep the stream and async-target alarms of this region in sync (quirks alarms apply on a schedule)"
  role                           = aws_iam_role.this.arn
  handler                        = "quirks.alarms.handler.lambda_handler"
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

  depends_on = [aws_cloudwatch_log_group.this, aws_iam_role_policy.this, aws_ssm_parameter.config]
}

################################################################################
# Schedule
################################################################################

resource "aws_cloudwatch_event_rule" "this" {
  name                = local.rule_name
  description         = "Runs ${local.function_name}: discovers stream consumers and async targets and keeps their quirks-* alarms in sync"
  schedule_expression = var.schedule_expression
  state               = var.schedule_enabled ? "ENABLED" : "DISABLED"
  tags                = var.tags
}

resource "aws_cloudwatch_event_target" "this" {
  rule      = aws_cloudwatch_event_rule.this.name
  target_id = "quirks-alarms"
  arn       = aws_lambda_function.this.arn
}

resource "aws_lambda_permission" "schedule" {
  statement_id   = "AllowScheduleInvoke"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.this.function_name
  principal      = "events.amazonaws.com"
  source_arn     = local.rule_arn
  source_account = local.account_id

  depends_on = [aws_cloudwatch_event_rule.this]
}

################################################################################
# Alarm on the function itself. Its name is never one the function uses (those are
# quirks-<kind>-<resource>), and it lacks the managed-by tag, so the function never touches it.
################################################################################

resource "aws_cloudwatch_metric_alarm" "errors" {
  alarm_name          = "${local.function_name}-errors"
  alarm_description   = "A scheduled run of ${local.function_name} failed: an alarm could not be written, a name conflicts with an alarm not tagged managed-by = serverless-quirks, or the config is invalid. The ERROR log line 'alarms not in sync' in ${local.log_group_name} has the details."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = local.function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.ok_actions
  tags                = var.tags
}
