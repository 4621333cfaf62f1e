# DLQs and async destinations: dead on stream and API functions, live where an async invoker is seen.

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

resource "aws_sqs_queue" "async_failures" {
  name = "async-failures"
}

resource "aws_cloudwatch_metric_alarm" "async_failures_depth" {
  alarm_name          = "async-failures-depth"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.async_failures.name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
}

# Invoked by a stream mapping only: its DLQ and destination never fire (checkov wants them anyway).

resource "aws_lambda_function" "stream_worker" {
  function_name = "stream-worker"
  role          = "arn:aws:iam::123456789012:role/corpus"
  runtime       = "python3.12"
  handler       = "app.handler"
  s3_bucket     = "corpus-code"
  s3_key        = "app.zip"
  timeout       = 30

  dead_letter_config {
    target_arn = aws_sqs_queue.async_failures.arn
  }
}

resource "aws_lambda_event_source_mapping" "stream_worker" {
  function_name                  = aws_lambda_function.stream_worker.arn
  event_source_arn               = aws_dynamodb_table.orders.stream_arn
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

resource "aws_cloudwatch_metric_alarm" "stream_worker_iterator_age" {
  alarm_name          = "stream-worker-iterator-age"
  namespace           = "AWS/Lambda"
  metric_name         = "IteratorAge"
  dimensions          = { FunctionName = aws_lambda_function.stream_worker.function_name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
}

resource "aws_lambda_function_event_invoke_config" "stream_worker" {
  function_name = aws_lambda_function.stream_worker.function_name

  destination_config {
    on_failure {
      destination = aws_sqs_queue.async_failures.arn
    }
  }
}

# Invoked by API Gateway (synchronously): its DLQ never fires.

resource "aws_lambda_function" "api_handler" {
  function_name = "api-handler"
  role          = "arn:aws:iam::123456789012:role/corpus"
  runtime       = "python3.12"
  handler       = "app.handler"
  s3_bucket     = "corpus-code"
  s3_key        = "app.zip"
  timeout       = 30

  dead_letter_config {
    target_arn = aws_sqs_queue.async_failures.arn
  }
}

resource "aws_lambda_permission" "api" {
  function_name = aws_lambda_function.api_handler.function_name
  action        = "lambda:InvokeFunction"
  principal     = "apigateway.amazonaws.com"
  source_arn    = "arn:aws:execute-api:us-east-1:123456789012:abc123/*"
}

# SNS, S3, EventBridge, CloudWatch Logs and the fan-out handler invoke asynchronously: live.

resource "aws_lambda_function" "sns_worker" {
  function_name = "sns-worker"
  role          = "arn:aws:iam::123456789012:role/corpus"
  runtime       = "python3.12"
  handler       = "app.handler"
  s3_bucket     = "corpus-code"
  s3_key        = "app.zip"
  timeout       = 30

  dead_letter_config {
    target_arn = aws_sqs_queue.async_failures.arn
  }
}

resource "aws_sns_topic" "events" {
  name = "events"
}

resource "aws_sns_topic_subscription" "sns_worker" {
  topic_arn = aws_sns_topic.events.arn
  protocol  = "lambda"
  endpoint  = aws_lambda_function.sns_worker.arn
}

resource "aws_lambda_permission" "sns" {
  function_name = aws_lambda_function.sns_worker.function_name
  action        = "lambda:InvokeFunction"
  principal     = "sns.amazonaws.com"
  source_arn    = aws_sns_topic.events.arn
}

resource "aws_lambda_function" "s3_worker" {
  function_name = "s3-worker"
  role          = "arn:aws:iam::123456789012:role/corpus"
  runtime       = "python3.12"
  handler       = "app.handler"
  s3_bucket     = "corpus-code"
  s3_key        = "app.zip"
  timeout       = 30
}

resource "aws_lambda_function_event_invoke_config" "s3_worker" {
  function_name = aws_lambda_function.s3_worker.function_name

  destination_config {
    on_failure {
      destination = aws_sqs_queue.async_failures.arn
    }
  }
}

resource "aws_s3_bucket" "uploads" {
  bucket = "corpus-uploads"
}

resource "aws_s3_bucket_notification" "uploads" {
  bucket = aws_s3_bucket.uploads.id

  lambda_function {
    lambda_function_arn = aws_lambda_function.s3_worker.arn
    events              = ["s3:ObjectCreated:*"]
  }
}

resource "aws_s3_bucket" "failures" {
  bucket = "corpus-stream-failures"
}

resource "aws_lambda_function" "scheduled" {
  function_name = "scheduled"
  role          = "arn:aws:iam::123456789012:role/corpus"
  runtime       = "python3.12"
  handler       = "app.handler"
  s3_bucket     = "corpus-code"
  s3_key        = "app.zip"
  timeout       = 30

  dead_letter_config {
    target_arn = aws_sqs_queue.async_failures.arn
  }
}

resource "aws_cloudwatch_event_rule" "hourly" {
  name                = "hourly"
  schedule_expression = "rate(1 hour)"
}

resource "aws_cloudwatch_event_target" "scheduled" {
  rule = aws_cloudwatch_event_rule.hourly.name
  arn  = aws_lambda_function.scheduled.arn
}

resource "aws_lambda_function" "log_processor" {
  function_name = "log-processor"
  role          = "arn:aws:iam::123456789012:role/corpus"
  runtime       = "python3.12"
  handler       = "app.handler"
  s3_bucket     = "corpus-code"
  s3_key        = "app.zip"
  timeout       = 30
}

resource "aws_lambda_function_event_invoke_config" "log_processor" {
  function_name = aws_lambda_function.log_processor.function_name

  destination_config {
    on_failure {
      destination = aws_sqs_queue.async_failures.arn
    }
  }
}

resource "aws_cloudwatch_log_subscription_filter" "audit_to_processor" {
  name            = "audit-trail"
  log_group_name  = "/corpus/audit"
  filter_pattern  = ""
  destination_arn = aws_lambda_function.log_processor.arn
}

resource "aws_lambda_function" "fanout" {
  function_name = "fanout"
  role          = "arn:aws:iam::123456789012:role/corpus"
  runtime       = "python3.12"
  handler       = "quirks.fanout.handler.lambda_handler"
  s3_bucket     = "corpus-code"
  s3_key        = "app.zip"
  timeout       = 30

  environment {
    variables = { QUIRKS_FANOUT_CONFIG = "{\"targets\": [{\"id\": \"t\", \"type\": \"lambda\", \"destination\": \"fanout-target\"}]}" }
  }
}

resource "aws_lambda_function" "fanout_target" {
  function_name = "fanout-target"
  role          = "arn:aws:iam::123456789012:role/corpus"
  runtime       = "python3.12"
  handler       = "app.handler"
  s3_bucket     = "corpus-code"
  s3_key        = "app.zip"
  timeout       = 30
}

resource "aws_lambda_function_event_invoke_config" "fanout_target" {
  function_name = aws_lambda_function.fanout_target.function_name

  destination_config {
    on_failure {
      destination = aws_sqs_queue.async_failures.arn
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

# No invoker visible at all: code in this account may call it with InvocationType=Event (an SDK
# invoke from the same account needs no resource policy), so its DLQ may be live: no finding.
resource "aws_lambda_function" "sdk_invoked" {
  function_name = "sdk-invoked"
  role          = "arn:aws:iam::123456789012:role/corpus"
  runtime       = "python3.12"
  handler       = "app.handler"
  s3_bucket     = "corpus-code"
  s3_key        = "app.zip"
  timeout       = 30

  dead_letter_config {
    target_arn = aws_sqs_queue.async_failures.arn
  }
}
