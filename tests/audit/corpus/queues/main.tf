# SQS sources: a redrive policy and partial batch responses, or not.

resource "aws_sqs_queue" "jobs" {
  name = "jobs"
}

resource "aws_lambda_function" "worker" {
  function_name = "worker"
  role          = "arn:aws:iam::123456789012:role/corpus"
  runtime       = "python3.12"
  handler       = "app.handler"
  s3_bucket     = "corpus-code"
  s3_key        = "app.zip"
  timeout       = 30
}

resource "aws_lambda_event_source_mapping" "worker" {
  function_name    = aws_lambda_function.worker.arn
  event_source_arn = aws_sqs_queue.jobs.arn
  batch_size       = 10
}

resource "aws_sqs_queue" "orders_in" {
  name = "orders-in"
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.orders_in_dlq.arn
    maxReceiveCount     = 5
  })
}

resource "aws_sqs_queue" "orders_in_dlq" {
  name = "orders-in-dlq"
}

resource "aws_lambda_function" "ingest" {
  function_name = "ingest"
  role          = "arn:aws:iam::123456789012:role/corpus"
  runtime       = "python3.12"
  handler       = "app.handler"
  s3_bucket     = "corpus-code"
  s3_key        = "app.zip"
  timeout       = 30
}

resource "aws_lambda_event_source_mapping" "ingest" {
  function_name           = aws_lambda_function.ingest.arn
  event_source_arn        = aws_sqs_queue.orders_in.arn
  function_response_types = ["ReportBatchItemFailures"]
}

resource "aws_sqs_queue" "legacy" {
  name = "legacy"
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.legacy_dlq.arn
    maxReceiveCount     = 5
  })
}

resource "aws_sqs_queue" "legacy_dlq" {
  name = "legacy-dlq"
}

resource "aws_lambda_function" "legacy" {
  function_name = "legacy"
  role          = "arn:aws:iam::123456789012:role/corpus"
  runtime       = "python3.12"
  handler       = "app.handler"
  s3_bucket     = "corpus-code"
  s3_key        = "app.zip"
  timeout       = 30
}

resource "aws_lambda_event_source_mapping" "legacy" {
  # quirks:ignore QRK009 batch_size 1: a failing message fails only itself
  function_name    = aws_lambda_function.legacy.arn
  event_source_arn = aws_sqs_queue.legacy.arn
  batch_size       = 1
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
