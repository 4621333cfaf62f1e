# Subscription-filter slots, and whose errors the account policy does not cover.

resource "aws_lambda_function" "a" {
  function_name = "a"
  role          = "arn:aws:iam::123456789012:role/corpus"
  runtime       = "python3.12"
  handler       = "app.handler"
  s3_bucket     = "corpus-code"
  s3_key        = "app.zip"
  timeout       = 30
}

resource "aws_cloudwatch_log_group" "a" {
  name = "/aws/lambda/a"
}

resource "aws_lambda_function" "b" {
  function_name = "b"
  role          = "arn:aws:iam::123456789012:role/corpus"
  runtime       = "python3.12"
  handler       = "app.handler"
  s3_bucket     = "corpus-code"
  s3_key        = "app.zip"
  timeout       = 30
}

resource "aws_cloudwatch_log_group" "b" {
  name = "/aws/lambda/b"
}

resource "aws_lambda_function" "c" {
  function_name = "c"
  role          = "arn:aws:iam::123456789012:role/corpus"
  runtime       = "python3.12"
  handler       = "app.handler"
  s3_bucket     = "corpus-code"
  s3_key        = "app.zip"
  timeout       = 30
}

resource "aws_cloudwatch_log_group" "c" {
  name = "/aws/lambda/c"
}

resource "aws_lambda_function" "d" {
  function_name = "d"
  role          = "arn:aws:iam::123456789012:role/corpus"
  runtime       = "python3.12"
  handler       = "app.handler"
  s3_bucket     = "corpus-code"
  s3_key        = "app.zip"
  timeout       = 30
}

resource "aws_cloudwatch_log_group" "d" {
  name = "/aws/lambda/d"
}

# a: both slots archive to Kinesis; the alerts filter cannot be added, and the policy excludes a.
resource "aws_cloudwatch_log_subscription_filter" "a_archive" {
  name            = "archive"
  log_group_name  = aws_cloudwatch_log_group.a.name
  filter_pattern  = ""
  destination_arn = "arn:aws:kinesis:us-east-1:123456789012:stream/log-archive"
  role_arn        = "arn:aws:iam::123456789012:role/logs-to-kinesis"
}

resource "aws_cloudwatch_log_subscription_filter" "a_audit" {
  name            = "audit"
  log_group_name  = aws_cloudwatch_log_group.a.name
  filter_pattern  = "AUDIT"
  destination_arn = "arn:aws:kinesis:us-east-1:123456789012:stream/audit"
  role_arn        = "arn:aws:iam::123456789012:role/logs-to-kinesis"
}

# b: two filters, one of them the alerts: fine.
resource "aws_cloudwatch_log_subscription_filter" "b_archive" {
  name            = "archive"
  log_group_name  = aws_cloudwatch_log_group.b.name
  filter_pattern  = ""
  destination_arn = "arn:aws:kinesis:us-east-1:123456789012:stream/log-archive"
  role_arn        = "arn:aws:iam::123456789012:role/logs-to-kinesis"
}

resource "aws_cloudwatch_log_subscription_filter" "b_errors" {
  name            = "quirks-errors"
  log_group_name  = aws_cloudwatch_log_group.b.name
  filter_pattern  = "ERROR"
  destination_arn = aws_lambda_function.alerts.arn
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
  selection_criteria = "LogGroupName NOT IN [\"/aws/lambda/alerts\", \"/aws/lambda/a\", \"/aws/lambda/d\"]"
  policy_document = jsonencode({
    DestinationArn = aws_lambda_function.alerts.arn
    FilterPattern  = "ERROR"
  })
}
