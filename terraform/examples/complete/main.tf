# The source architecture's slice: an `orders` table whose stream feeds four consumers (billing,
# search, notifications, analytics) through ONE reader, the fan-out function; batches the mapping
# ever abandons reach the recovery function as pointers and are archived before the stream trims
# them; every error in any of these functions reaches Slack; alarms follow new functions hourly.

locals {
  # The consumer functions of this example. Each is an ordinary Lambda function you own; the
  # fan-out function delivers to it (or to the queue or topic in front of it).
  functions = toset(["billing", "search", "notifications", "analytics"])
}

resource "aws_dynamodb_table" "orders" {
  # checkov:skip=CKV_AWS_119: encrypted with the AWS managed key; a customer key would also need kms:Decrypt in every stream reader's role
  name             = "${var.name}-orders"
  billing_mode     = "PAY_PER_REQUEST"
  hash_key         = "pk"
  stream_enabled   = true
  stream_view_type = "NEW_AND_OLD_IMAGES"

  attribute {
    name = "pk"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }
}

# --- The consumers (your own code; here one small handler, terraform/examples/consumers) ---------

resource "aws_dynamodb_table" "ledger" {
  # checkov:skip=CKV_AWS_28: the example consumers' scratch ledger, rebuilt from the stream at will
  # checkov:skip=CKV_AWS_119: the example consumers' scratch ledger: the AWS managed key suffices
  name         = "${var.name}-consumer-ledger"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"

  attribute {
    name = "pk"
    type = "S"
  }

  server_side_encryption {
    enabled = true
  }
}

module "consumer" {
  source   = "../modules/consumer"
  for_each = local.functions

  name                = "${var.name}-${each.key}"
  consumer            = each.key
  package_file        = lookup(var.consumer_package_files, each.key, var.consumers_package_file)
  ledger_table_arn    = aws_dynamodb_table.ledger.arn
  ledger_table_name   = aws_dynamodb_table.ledger.name
  reject_multiples_of = each.key == "analytics" ? 7 : 0
}

resource "aws_sqs_queue" "search" {
  name                       = "${var.name}-search"
  sqs_managed_sse_enabled    = true
  visibility_timeout_seconds = 180
  message_retention_seconds  = 1209600
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.search_dlq.arn
    maxReceiveCount     = 5
  })
}

resource "aws_sqs_queue" "search_dlq" {
  name                      = "${var.name}-search-dlq"
  sqs_managed_sse_enabled   = true
  message_retention_seconds = 1209600
}

resource "aws_lambda_event_source_mapping" "search" {
  event_source_arn        = aws_sqs_queue.search.arn
  function_name           = module.consumer["search"].function_arn
  batch_size              = 10
  function_response_types = ["ReportBatchItemFailures"]
}

resource "aws_iam_role_policy" "search_reads_queue" {
  name = "read-search-queue"
  role = module.consumer["search"].role_name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
      Resource = aws_sqs_queue.search.arn
    }]
  })
}

resource "aws_sns_topic" "notifications" {
  name              = "${var.name}-notifications"
  kms_master_key_id = "alias/aws/sns"
}

resource "aws_sns_topic_subscription" "notifications" {
  topic_arn = aws_sns_topic.notifications.arn
  protocol  = "lambda"
  endpoint  = module.consumer["notifications"].function_arn
}

resource "aws_lambda_permission" "notifications_from_sns" {
  statement_id  = "AllowNotificationsTopic"
  action        = "lambda:InvokeFunction"
  function_name = module.consumer["notifications"].function_name
  principal     = "sns.amazonaws.com"
  source_arn    = aws_sns_topic.notifications.arn
}

# The analytics consumer is invoked asynchronously by the fan-out function: when it fails, Lambda's
# own async retries run, then the event (the records themselves, not a pointer) goes here.
resource "aws_sqs_queue" "analytics_failures" {
  name                      = "${var.name}-analytics-failures"
  sqs_managed_sse_enabled   = true
  message_retention_seconds = 1209600
}

resource "aws_lambda_function_event_invoke_config" "analytics" {
  function_name                = module.consumer["analytics"].function_name
  maximum_retry_attempts       = 2
  maximum_event_age_in_seconds = 3600

  destination_config {
    on_failure {
      destination = aws_sqs_queue.analytics_failures.arn
    }
  }
}

resource "aws_iam_role_policy" "analytics_failures" {
  name = "send-to-analytics-failures"
  role = module.consumer["analytics"].role_name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "sqs:SendMessage"
      Resource = aws_sqs_queue.analytics_failures.arn
    }]
  })
}

# --- serverless-quirks ---------------------------------------------------------------------------

module "fanout" {
  source = "../../modules/stream-fanout"

  name         = var.name
  package_file = var.package_file
  stream_arn   = aws_dynamodb_table.orders.stream_arn

  targets = [
    {
      id          = "billing"
      type        = "lambda"
      destination = module.consumer["billing"].function_arn
      filter      = jsonencode({ eventName = ["INSERT", "MODIFY"] })
      # Billing must see every order in order: a failing billing holds its records (checkpointed)
      # rather than diverting them.
      on_failure = { mode = "block" }
    },
    {
      id          = "search"
      type        = "sqs"
      destination = aws_sqs_queue.search.arn
    },
    {
      id          = "notifications"
      type        = "sns"
      destination = aws_sns_topic.notifications.arn
      filter      = jsonencode({ eventName = ["MODIFY"] })
      format      = "record"
    },
    {
      id          = "analytics"
      type        = "lambda"
      destination = module.consumer["analytics"].function_arn
    },
  ]

  # A batch the mapping abandons becomes a pointer on the recovery module's queue, and is archived
  # with its records minutes later.
  create_on_failure_bucket   = false
  on_failure_destination_arn = module.recovery.pointer_queue_arn
  force_destroy              = var.force_destroy
  alarm_actions              = [aws_sns_topic.alarms.arn]
  ok_actions                 = [aws_sns_topic.alarms.arn]
}

module "recovery" {
  source = "../../modules/stream-recovery"

  name          = var.name
  package_file  = var.package_file
  stream_arns   = [aws_dynamodb_table.orders.stream_arn]
  force_destroy = var.force_destroy
  alarm_actions = [aws_sns_topic.alarms.arn]
  ok_actions    = [aws_sns_topic.alarms.arn]
}

resource "aws_secretsmanager_secret" "slack_webhook" {
  # checkov:skip=CKV2_AWS_57: a webhook URL cannot be rotated by a Lambda function; Slack issues it
  name        = var.slack_webhook_secret_name
  description = "Slack incoming webhook URL for the error alerts (value set outside Terraform)."
  kms_key_id  = aws_kms_key.example.arn
}

resource "aws_kms_key" "example" {
  description         = "${var.name}: the Slack webhook secret and the alarm topic"
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.example_key.json
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

data "aws_iam_policy_document" "example_key" {
  # checkov:skip=CKV_AWS_109: a key policy: "*" is this key, and the account root administers it
  # checkov:skip=CKV_AWS_111: a key policy: "*" is this key, and the account root administers it
  # checkov:skip=CKV_AWS_356: a key policy: "*" is this key, and the account root administers it
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"] # in a key policy, "*" is this key
    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
  statement {
    sid       = "CloudWatchAlarmsPublish"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
  }
}

module "alerts" {
  source = "../../modules/error-alerts"

  name                      = var.name
  package_file              = var.package_file
  slack_webhook_secret_arn  = aws_secretsmanager_secret.slack_webhook.arn
  slack_webhook_kms_key_arn = aws_kms_key.example.arn
  log_group_names = concat(
    [for c in module.consumer : c.log_group_name],
    [module.fanout.log_group_name, module.recovery.log_group_name, module.alarms.log_group_name],
  )
  alarm_actions = [aws_sns_topic.alarms.arn]
  ok_actions    = [aws_sns_topic.alarms.arn]
}

module "alarms" {
  source = "../../modules/stream-alarms"

  name            = var.name
  package_file    = var.package_file
  alarm_topic_arn = aws_sns_topic.alarms.arn
}

# CloudWatch alarms cannot publish to a topic encrypted with the AWS managed key aws/sns: the
# topic's key must let cloudwatch.amazonaws.com use it, so it is a key of the example's own.
resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = aws_kms_key.example.arn
}
