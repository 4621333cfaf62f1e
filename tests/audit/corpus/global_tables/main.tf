# A global table serves one reader per shard: two is one too many; one is right.

resource "aws_dynamodb_table" "events" {
  name             = "events"
  billing_mode     = "PAY_PER_REQUEST"
  hash_key         = "pk"
  stream_enabled   = true
  stream_view_type = "NEW_AND_OLD_IMAGES"

  attribute {
    name = "pk"
    type = "S"
  }

  replica {
    region_name = "eu-west-1"
  }
}
resource "aws_dynamodb_table" "audit" {
  name             = "audit"
  billing_mode     = "PAY_PER_REQUEST"
  hash_key         = "pk"
  stream_enabled   = true
  stream_view_type = "NEW_AND_OLD_IMAGES"

  attribute {
    name = "pk"
    type = "S"
  }

  replica {
    region_name = "eu-west-1"
  }
}
resource "aws_lambda_function" "projector" {
  function_name = "projector"
  role          = "arn:aws:iam::123456789012:role/corpus"
  runtime       = "python3.12"
  handler       = "app.handler"
  s3_bucket     = "corpus-code"
  s3_key        = "app.zip"
  timeout       = 30
}
resource "aws_lambda_event_source_mapping" "projector" {
  function_name                  = aws_lambda_function.projector.arn
  event_source_arn               = aws_dynamodb_table.events.stream_arn
  starting_position              = "TRIM_HORIZON"
  maximum_retry_attempts         = 3
  maximum_record_age_in_seconds  = 3600
  bisect_batch_on_function_error = true
  function_response_types        = ["ReportBatchItemFailures"]

  destination_config {
    on_failure {
      destination_arn = aws_s3_bucket.failures.arn
    }
  }
}
resource "aws_cloudwatch_metric_alarm" "projector_iterator_age" {
  alarm_name          = "projector-iterator-age"
  namespace           = "AWS/Lambda"
  metric_name         = "IteratorAge"
  dimensions          = { FunctionName = aws_lambda_function.projector.function_name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
}
resource "aws_lambda_function" "indexer" {
  function_name = "indexer"
  role          = "arn:aws:iam::123456789012:role/corpus"
  runtime       = "python3.12"
  handler       = "app.handler"
  s3_bucket     = "corpus-code"
  s3_key        = "app.zip"
  timeout       = 30
}
resource "aws_lambda_event_source_mapping" "indexer" {
  function_name                  = aws_lambda_function.indexer.arn
  event_source_arn               = aws_dynamodb_table.events.stream_arn
  starting_position              = "TRIM_HORIZON"
  maximum_retry_attempts         = 3
  maximum_record_age_in_seconds  = 3600
  bisect_batch_on_function_error = true
  function_response_types        = ["ReportBatchItemFailures"]

  destination_config {
    on_failure {
      destination_arn = aws_s3_bucket.failures.arn
    }
  }
}
resource "aws_cloudwatch_metric_alarm" "indexer_iterator_age" {
  alarm_name          = "indexer-iterator-age"
  namespace           = "AWS/Lambda"
  metric_name         = "IteratorAge"
  dimensions          = { FunctionName = aws_lambda_function.indexer.function_name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
}
resource "aws_lambda_function" "auditor" {
  function_name = "auditor"
  role          = "arn:aws:iam::123456789012:role/corpus"
  runtime       = "python3.12"
  handler       = "app.handler"
  s3_bucket     = "corpus-code"
  s3_key        = "app.zip"
  timeout       = 30
}
resource "aws_lambda_event_source_mapping" "auditor" {
  function_name                  = aws_lambda_function.auditor.arn
  event_source_arn               = aws_dynamodb_table.audit.stream_arn
  starting_position              = "TRIM_HORIZON"
  maximum_retry_attempts         = 3
  maximum_record_age_in_seconds  = 3600
  bisect_batch_on_function_error = true
  function_response_types        = ["ReportBatchItemFailures"]

  destination_config {
    on_failure {
      destination_arn = aws_s3_bucket.failures.arn
    }
  }
}
resource "aws_cloudwatch_metric_alarm" "auditor_iterator_age" {
  alarm_name          = "auditor-iterator-age"
  namespace           = "AWS/Lambda"
  metric_name         = "IteratorAge"
  dimensions          = { FunctionName = aws_lambda_function.auditor.function_name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
}
resource "aws_s3_bucket" "failures" {
  bucket = "corpus-stream-failures"
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
