# Three readers on one shard; failures dropped, blocking, or left as pointers; no alarms.

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
  function_name     = aws_lambda_function.billing.arn
  event_source_arn  = aws_dynamodb_table.orders.stream_arn
  starting_position = "LATEST"
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
  function_name           = aws_lambda_function.search.arn
  event_source_arn        = aws_dynamodb_table.orders.stream_arn
  starting_position       = "LATEST"
  maximum_retry_attempts  = 2
  function_response_types = ["ReportBatchItemFailures"]
}
resource "aws_lambda_function" "analytics" {
  function_name = "analytics"
  role          = "arn:aws:iam::123456789012:role/corpus"
  runtime       = "python3.12"
  handler       = "app.handler"
  s3_bucket     = "corpus-code"
  s3_key        = "app.zip"
  timeout       = 30
}
resource "aws_lambda_event_source_mapping" "analytics" {
  function_name                  = aws_lambda_function.analytics.arn
  event_source_arn               = aws_dynamodb_table.orders.stream_arn
  starting_position              = "TRIM_HORIZON"
  maximum_retry_attempts         = 3
  maximum_record_age_in_seconds  = 3600
  bisect_batch_on_function_error = true
  function_response_types        = ["ReportBatchItemFailures"]

  destination_config {
    on_failure {
      destination_arn = aws_sqs_queue.analytics_failures.arn
    }
  }
}
resource "aws_sqs_queue" "analytics_failures" {
  name = "analytics-failures"
}

# billing's errors go to the alerts handler; search has an Errors alarm; analytics has neither.
resource "aws_cloudwatch_log_subscription_filter" "billing_errors" {
  name            = "quirks-errors"
  log_group_name  = "/aws/lambda/billing"
  filter_pattern  = "ERROR"
  destination_arn = aws_lambda_function.alerts.arn
}

resource "aws_cloudwatch_metric_alarm" "search_errors" {
  alarm_name          = "search-errors"
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = aws_lambda_function.search.function_name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
}
resource "aws_lambda_function" "alerts" {
  function_name = "alerts"
  role          = "arn:aws:iam::123456789012:role/corpus"
  runtime       = "python3.12"
  handler       = "quirks.alerts.handler.lambda_handler"
  s3_bucket     = "corpus-code"
  s3_key        = "app.zip"
  timeout       = 5
}
