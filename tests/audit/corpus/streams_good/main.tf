# Two readers, bounded retries with bisect, pointers archived by the recovery handler, alarms.

resource "aws_dynamodb_table" "orders" {
  name             = "orders"
  billing_mode     = "PAY_PER_REQUEST"
  hash_key         = "pk"
  stream_enabled   = true
  stream_view_type = "NEW_AND_OLD_IMAGES"

  attribute {
    name = "pk"
    type = "S"
  }
}
resource "aws_lambda_function" "billing" {
  function_name = "billing"
  role          = "arn:aws:iam::123456789012:role/corpus"
  runtime       = "python3.12"
  handler       = "app.handler"
  s3_bucket     = "corpus-code"
  s3_key        = "app.zip"
  timeout       = 30
}
resource "aws_lambda_event_source_mapping" "billing" {
  function_name                  = aws_lambda_function.billing.arn
  event_source_arn               = aws_dynamodb_table.orders.stream_arn
  starting_position              = "TRIM_HORIZON"
  maximum_retry_attempts         = 3
  maximum_record_age_in_seconds  = 3600
  bisect_batch_on_function_error = true
  function_response_types        = ["ReportBatchItemFailures"]

  destination_config {
    on_failure {
      destination_arn = aws_sqs_queue.pointers.arn
    }
  }
}
resource "aws_cloudwatch_metric_alarm" "billing_iterator_age" {
  alarm_name          = "billing-iterator-age"
  namespace           = "AWS/Lambda"
  metric_name         = "IteratorAge"
  dimensions          = { FunctionName = aws_lambda_function.billing.function_name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
}
resource "aws_lambda_function" "search" {
  function_name = "search"
  role          = "arn:aws:iam::123456789012:role/corpus"
  runtime       = "python3.12"
  handler       = "app.handler"
  s3_bucket     = "corpus-code"
  s3_key        = "app.zip"
  timeout       = 30
}
resource "aws_lambda_event_source_mapping" "search" {
  function_name                  = aws_lambda_function.search.arn
  event_source_arn               = aws_dynamodb_table.orders.stream_arn
  starting_position              = "TRIM_HORIZON"
  maximum_retry_attempts         = 3
  maximum_record_age_in_seconds  = 3600
  bisect_batch_on_function_error = true
  function_response_types        = ["ReportBatchItemFailures"]

  destination_config {
    on_failure {
      destination_arn = aws_sqs_queue.pointers.arn
    }
  }
}
resource "aws_cloudwatch_metric_alarm" "search_iterator_age" {
  alarm_name          = "search-iterator-age"
  namespace           = "AWS/Lambda"
  metric_name         = "IteratorAge"
  dimensions          = { FunctionName = aws_lambda_function.search.function_name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
}
resource "aws_sqs_queue" "pointers" {
  name = "orders-pointers"
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.pointers_dlq.arn
    maxReceiveCount     = 5
  })
}
resource "aws_sqs_queue" "pointers_dlq" {
  name = "orders-pointers-dlq"
}
resource "aws_cloudwatch_metric_alarm" "pointers_depth" {
  alarm_name          = "pointers-depth"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.pointers.name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
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
    variables = { QUIRKS_ARCHIVE = "s3://orders-archive/pointers" }
  }
}
resource "aws_lambda_event_source_mapping" "recovery" {
  function_name           = aws_lambda_function.recovery.arn
  event_source_arn        = aws_sqs_queue.pointers.arn
  batch_size              = 10
  function_response_types = ["ReportBatchItemFailures"]
}
resource "aws_lambda_function" "alerts" {
  function_name = "alerts"
  role          = "arn:aws:iam::123456789012:role/corpus"
  runtime       = "python3.12"
  handler       = "quirks.alerts.handler.lambda_handler"
  s3_bucket     = "corpus-code"
  s3_key        = "app.zip"
  timeout       = 30
}

# Every function's errors reach the alerts handler, through the account-level policy.
resource "aws_cloudwatch_log_account_policy" "errors" {
  policy_name        = "quirks-errors"
  policy_type        = "SUBSCRIPTION_FILTER_POLICY"
  selection_criteria = "LogGroupName NOT IN [\"/aws/lambda/alerts\"]"
  policy_document = jsonencode({
    DestinationArn = aws_lambda_function.alerts.arn
    FilterPattern  = "ERROR"
  })
}
