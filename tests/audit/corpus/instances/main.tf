# Readers made with for_each and count are counted per instance; a disabled mapping reads nothing.
# Every mapping bounds its retries, bisects, reports item failures and sends pointers to an SNS
# topic whose only subscriber is the recovery function; the alarms handler keeps the alarms.

locals {
  consumers = ["billing", "search", "notifications", "analytics"]
}

# orders: four readers from one for_each (a local's literal list) -> QRK001.
resource "aws_dynamodb_table" "orders" {
  name             = "orders"
  billing_mode     = "PAY_PER_REQUEST"
  hash_key         = "pk"
  stream_enabled   = true
  stream_view_type = "NEW_IMAGE"

  attribute {
    name = "pk"
    type = "S"
  }
}
resource "aws_lambda_function" "consumer" {
  for_each      = toset(local.consumers)
  function_name = "consumer-${each.key}"
  role          = "arn:aws:iam::123456789012:role/corpus"
  runtime       = "python3.12"
  handler       = "app.handler"
  s3_bucket     = "corpus-code"
  s3_key        = "app.zip"
  timeout       = 30
}
resource "aws_lambda_event_source_mapping" "consumer" {
  for_each                       = aws_lambda_function.consumer
  function_name                  = each.value.arn
  event_source_arn               = aws_dynamodb_table.orders.stream_arn
  starting_position              = "LATEST"
  maximum_retry_attempts         = 3
  maximum_record_age_in_seconds  = 3600
  bisect_batch_on_function_error = true
  function_response_types        = ["ReportBatchItemFailures"]

  destination_config {
    on_failure {
      destination_arn = aws_sns_topic.pointers.arn
    }
  }
}

# payments: two readers from a literal count, and one from a for_each over a for expression
# (unknown to a reading of the .tf files: at least one more reader) -> QRK001.
resource "aws_dynamodb_table" "payments" {
  name             = "payments"
  billing_mode     = "PAY_PER_REQUEST"
  hash_key         = "pk"
  stream_enabled   = true
  stream_view_type = "NEW_IMAGE"

  attribute {
    name = "pk"
    type = "S"
  }
}
resource "aws_lambda_function" "ledger" {
  count         = 2
  function_name = "ledger-${count.index}"
  role          = "arn:aws:iam::123456789012:role/corpus"
  runtime       = "python3.12"
  handler       = "app.handler"
  s3_bucket     = "corpus-code"
  s3_key        = "app.zip"
  timeout       = 30
}
resource "aws_lambda_event_source_mapping" "ledger" {
  count                          = 2
  function_name                  = aws_lambda_function.ledger[count.index].arn
  event_source_arn               = aws_dynamodb_table.payments.stream_arn
  starting_position              = "LATEST"
  maximum_retry_attempts         = 3
  maximum_record_age_in_seconds  = 3600
  bisect_batch_on_function_error = true
  function_response_types        = ["ReportBatchItemFailures"]

  destination_config {
    on_failure {
      destination_arn = aws_sns_topic.pointers.arn
    }
  }
}
resource "aws_lambda_function" "fraud" {
  function_name = "fraud"
  role          = "arn:aws:iam::123456789012:role/corpus"
  runtime       = "python3.12"
  handler       = "app.handler"
  s3_bucket     = "corpus-code"
  s3_key        = "app.zip"
  timeout       = 30
}
resource "aws_lambda_event_source_mapping" "fraud" {
  for_each                       = { for name in ["fraud"] : name => upper(name) }
  function_name                  = aws_lambda_function.fraud.arn
  event_source_arn               = aws_dynamodb_table.payments.stream_arn
  starting_position              = "LATEST"
  maximum_retry_attempts         = 3
  maximum_record_age_in_seconds  = 3600
  bisect_batch_on_function_error = true
  function_response_types        = ["ReportBatchItemFailures"]

  destination_config {
    on_failure {
      destination_arn = aws_sns_topic.pointers.arn
    }
  }
}

# refunds: three mappings, one of them disabled, and a stopped pipe: two readers, within the limit.
resource "aws_dynamodb_table" "refunds" {
  name             = "refunds"
  billing_mode     = "PAY_PER_REQUEST"
  hash_key         = "pk"
  stream_enabled   = true
  stream_view_type = "NEW_IMAGE"

  attribute {
    name = "pk"
    type = "S"
  }
}
resource "aws_lambda_function" "refund" {
  for_each      = { live = "refund-live", audit = "refund-audit", legacy = "refund-legacy" }
  function_name = each.value
  role          = "arn:aws:iam::123456789012:role/corpus"
  runtime       = "python3.12"
  handler       = "app.handler"
  s3_bucket     = "corpus-code"
  s3_key        = "app.zip"
  timeout       = 30
}
resource "aws_lambda_event_source_mapping" "refund" {
  for_each                       = aws_lambda_function.refund
  function_name                  = each.value.arn
  event_source_arn               = aws_dynamodb_table.refunds.stream_arn
  enabled                        = each.key != "legacy"
  starting_position              = "LATEST"
  maximum_retry_attempts         = 3
  maximum_record_age_in_seconds  = 3600
  bisect_batch_on_function_error = true
  function_response_types        = ["ReportBatchItemFailures"]

  destination_config {
    on_failure {
      destination_arn = aws_sns_topic.pointers.arn
    }
  }
}

resource "aws_sqs_queue" "refund_events" {
  name = "refund-events"
}
resource "aws_pipes_pipe" "refunds" {
  name          = "refund-events"
  role_arn      = "arn:aws:iam::123456789012:role/pipes"
  source        = aws_dynamodb_table.refunds.stream_arn
  target        = aws_sqs_queue.refund_events.arn
  desired_state = "STOPPED"

  source_parameters {
    dynamodb_stream_parameters {
      starting_position = "LATEST"
    }
  }
}

resource "aws_sns_topic" "pointers" {
  name = "stream-pointers"
}
resource "aws_sns_topic_subscription" "recovery" {
  topic_arn = aws_sns_topic.pointers.arn
  protocol  = "lambda"
  endpoint  = aws_lambda_function.recovery.arn
}
resource "aws_lambda_function" "recovery" {
  function_name = "recovery"
  role          = "arn:aws:iam::123456789012:role/corpus"
  runtime       = "python3.12"
  handler       = "quirks.recovery.handler.lambda_handler"
  s3_bucket     = "corpus-code"
  s3_key        = "app.zip"
  timeout       = 60

  environment {
    variables = { QUIRKS_ARCHIVE = "s3://stream-archive/pointers" }
  }
}
resource "aws_lambda_permission" "recovery_from_sns" {
  function_name = aws_lambda_function.recovery.function_name
  action        = "lambda:InvokeFunction"
  principal     = "sns.amazonaws.com"
  source_arn    = aws_sns_topic.pointers.arn
}

# Errors reach the alerts handler through the account-level policy; the alarms handler keeps the
# Errors and IteratorAge alarms in step with the functions.
resource "aws_lambda_function" "alerts" {
  function_name = "alerts"
  role          = "arn:aws:iam::123456789012:role/corpus"
  runtime       = "python3.12"
  handler       = "quirks.alerts.handler.lambda_handler"
  s3_bucket     = "corpus-code"
  s3_key        = "app.zip"
  timeout       = 30
}
resource "aws_cloudwatch_log_account_policy" "errors" {
  policy_name        = "quirks-errors"
  policy_type        = "SUBSCRIPTION_FILTER_POLICY"
  selection_criteria = "LogGroupName NOT IN [\"/aws/lambda/alerts\"]"
  policy_document = jsonencode({
    DestinationArn = aws_lambda_function.alerts.arn
    FilterPattern  = "ERROR"
  })
}
resource "aws_lambda_function" "alarms" {
  function_name = "alarms"
  role          = "arn:aws:iam::123456789012:role/corpus"
  runtime       = "python3.12"
  handler       = "quirks.alarms.handler.lambda_handler"
  s3_bucket     = "corpus-code"
  s3_key        = "app.zip"
  timeout       = 60
}
