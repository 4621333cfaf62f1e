# Pipes take a stream reader slot too; an SNS on-failure destination also only gets pointers.

resource "aws_dynamodb_table" "ledger" {
  name             = "ledger"
  billing_mode     = "PAY_PER_REQUEST"
  hash_key         = "pk"
  stream_enabled   = true
  stream_view_type = "NEW_AND_OLD_IMAGES"

  attribute {
    name = "pk"
    type = "S"
  }
}

resource "aws_lambda_function" "ledger_writer" {
  function_name = "ledger-writer"
  role          = "arn:aws:iam::123456789012:role/corpus"
  runtime       = "python3.12"
  handler       = "app.handler"
  s3_bucket     = "corpus-code"
  s3_key        = "app.zip"
  timeout       = 30
}

resource "aws_lambda_event_source_mapping" "ledger_writer" {
  function_name                  = aws_lambda_function.ledger_writer.arn
  event_source_arn               = aws_dynamodb_table.ledger.stream_arn
  starting_position              = "TRIM_HORIZON"
  maximum_retry_attempts         = 3
  maximum_record_age_in_seconds  = 3600
  bisect_batch_on_function_error = true
  function_response_types        = ["ReportBatchItemFailures"]

  destination_config {
    on_failure {
      destination_arn = aws_sns_topic.ledger_failures.arn
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "ledger_writer_iterator_age" {
  alarm_name          = "ledger-writer-iterator-age"
  namespace           = "AWS/Lambda"
  metric_name         = "IteratorAge"
  dimensions          = { FunctionName = aws_lambda_function.ledger_writer.function_name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
}

resource "aws_sns_topic" "ledger_failures" {
  name = "ledger-failures"
}

resource "aws_sqs_queue" "ledger_events" {
  name = "ledger-events"
}

resource "aws_pipes_pipe" "audit" {
  name     = "ledger-audit"
  role_arn = "arn:aws:iam::123456789012:role/pipes"
  source   = aws_dynamodb_table.ledger.stream_arn
  target   = aws_sqs_queue.ledger_events.arn

  source_parameters {
    dynamodb_stream_parameters {
      starting_position = "LATEST"
    }
  }
}

resource "aws_pipes_pipe" "search" {
  name     = "ledger-search"
  role_arn = "arn:aws:iam::123456789012:role/pipes"
  source   = aws_dynamodb_table.ledger.stream_arn
  target   = aws_sqs_queue.ledger_events.arn

  source_parameters {
    dynamodb_stream_parameters {
      starting_position = "LATEST"
    }
  }
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
