# One consumer function of the examples: an ordinary Lambda function with its own role and log group.
# It stands for the team's own code; nothing here is specific to serverless-quirks.

terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.70, < 6.0"
    }
  }
}

variable "name" {
  description = "The function's name."
  type        = string
}

variable "consumer" {
  description = "Which consumer it is (CONSUMER in terraform/examples/consumers/consumer.py)."
  type        = string
}

variable "package_file" {
  description = "The consumers' zip (`quirks package --code terraform/examples/consumers`)."
  type        = string
}

variable "ledger_table_name" {
  description = "The ledger table the consumer records each order in."
  type        = string
}

variable "ledger_table_arn" {
  description = "ARN of the ledger table."
  type        = string
}

variable "reject_multiples_of" {
  description = "Reject orders whose amount is a multiple of this (0: accept all), to show the failure paths."
  type        = number
  default     = 0
}

resource "aws_cloudwatch_log_group" "this" {
  # checkov:skip=CKV_AWS_158: an example consumer's operational logs; CloudWatch Logs encrypts them at rest
  # checkov:skip=CKV_AWS_338: an example consumer's operational logs: 30 days
  name              = "/aws/lambda/${var.name}"
  retention_in_days = 30
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "this" {
  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }
  statement {
    sid       = "RecordOrders"
    actions   = ["dynamodb:BatchWriteItem", "dynamodb:PutItem"]
    resources = [var.ledger_table_arn]
  }
}

resource "aws_iam_role" "this" {
  name               = var.name
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_iam_role_policy" "this" {
  name   = "consumer"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}

resource "aws_lambda_function" "this" {
  # checkov:skip=CKV_AWS_116: an example consumer; its async failures go to the destination the caller configures
  # checkov:skip=CKV_AWS_117: no VPC: the consumer only calls DynamoDB
  # checkov:skip=CKV_AWS_272: code signing is the deployer's choice
  # checkov:skip=CKV_AWS_115: an example consumer; concurrency is the deployer's choice
  # checkov:skip=CKV_AWS_173: the environment holds only names, no secrets
  # checkov:skip=CKV_AWS_50: X-Ray tracing is the deployer's choice
  function_name    = var.name
  role             = aws_iam_role.this.arn
  handler          = "consumer.handler"
  runtime          = "python3.13"
  architectures    = ["arm64"]
  filename         = var.package_file
  source_code_hash = filebase64sha256(var.package_file)
  timeout          = 30
  memory_size      = 128

  environment {
    variables = {
      CONSUMER            = var.consumer
      LEDGER_TABLE        = var.ledger_table_name
      REJECT_MULTIPLES_OF = tostring(var.reject_multiples_of)
    }
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.this.name
  }

  depends_on = [aws_cloudwatch_log_group.this, aws_iam_role_policy.this]
}

output "function_name" {
  description = "The function's name."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "The function's ARN."
  value       = aws_lambda_function.this.arn
}

output "role_name" {
  description = "The function's role."
  value       = aws_iam_role.this.name
}

output "log_group_name" {
  description = "The function's log group."
  value       = aws_cloudwatch_log_group.this.name
}
