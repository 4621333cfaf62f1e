provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

override_data {
  target = data.aws_caller_identity.current
  values = { account_id = "123456789012", arn = "arn:aws:iam::123456789012:root", id = "123456789012", user_id = "AIDATEST" }
}

# IAM scoped to exactly what the function touches: one statement per target type present, on the
# given ARNs only; logs on the module's own log group; "*" only where AWS has no resource-level
# permission; SSM, KMS and X-Ray only when used.

variables {
  package_file = "../../tests/fixtures/lambda.zip"
  name         = "orders"
  stream_arn   = "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000"
  targets = [
    { id = "billing", type = "sqs", destination = "arn:aws:sqs:us-east-1:123456789012:billing" },
    { id = "search", type = "sqs", destination = "arn:aws:sqs:us-east-1:123456789012:search.fifo" },
  ]
}

run "sqs_targets_only" {
  command = plan

  assert {
    condition     = length([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s if contains(flatten([s.Action]), "lambda:InvokeFunction")]) == 0
    error_message = "A plan with only SQS targets must have no lambda:InvokeFunction statement."
  }

  assert {
    condition     = length([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s if contains(["InvokeLambdaTargets", "PublishToSnsTargets", "PutEventsToEventBridgeTargets", "PutRecordsToKinesisTargets"], s.Sid)]) == 0
    error_message = "Only the statements of target types present."
  }

  assert {
    condition = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : { a = toset(flatten([s.Action])), r = toset(flatten([s.Resource])) } if s.Sid == "SendToSqsTargets"] == [{
      a = toset(["sqs:SendMessage", "sqs:GetQueueUrl", "sqs:GetQueueAttributes"])
      r = toset(["arn:aws:sqs:us-east-1:123456789012:billing", "arn:aws:sqs:us-east-1:123456789012:search.fifo"])
    }]
    error_message = "sqs:SendMessage, sqs:GetQueueUrl and sqs:GetQueueAttributes (the handler resolves each ARN to its URL and reads its MaximumMessageSize) on exactly the given queue ARNs."
  }

  assert {
    condition = toset(flatten([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s.Action])) == toset([
      "logs:CreateLogStream", "logs:PutLogEvents",
      "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams",
      "sqs:SendMessage", "sqs:GetQueueUrl", "sqs:GetQueueAttributes", "s3:PutObject", "s3:ListBucket",
    ])
    error_message = "No action beyond logs, stream reads, SQS sends (with the queue URL and size look-ups) and the S3 writes (claim checks, on-failure bucket)."
  }

  assert {
    condition     = alltrue([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s.Effect == "Allow" && !anytrue([for a in flatten([s.Action]) : strcontains(a, "*")])])
    error_message = "No wildcard actions."
  }

  assert {
    condition     = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : { a = toset(flatten([s.Action])), r = s.Resource } if s.Sid == "WriteOwnLogs"] == [{ a = toset(["logs:CreateLogStream", "logs:PutLogEvents"]), r = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/orders-fanout:*" }]
    error_message = "Logs: only CreateLogStream and PutLogEvents on the module's own log group."
  }

  assert {
    condition     = toset(flatten([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s.Action if contains(flatten([s.Resource]), "*")])) == toset(["dynamodb:ListStreams"])
    error_message = "\"*\" only for dynamodb:ListStreams (no resource-level permission)."
  }

  assert {
    condition     = length(regexall("aws_iam_role_policy_attachment|managed_policy_arns|arn:aws:iam::aws:policy", join("\n", [for f in fileset(path.module, "*.tf") : file("${path.module}/${f}")]))) == 0
    error_message = "No managed policies (AWSLambdaBasicExecutionRole grants logs on every group)."
  }

  assert {
    condition     = jsondecode(data.aws_iam_policy_document.assume.json).Statement == [{ Sid = "LambdaAssumeRole", Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
    error_message = "The trust policy admits lambda.amazonaws.com only."
  }

  assert {
    condition     = aws_iam_role.this.name == "orders-fanout" && jsondecode(aws_iam_role_policy.this.policy) == jsondecode(data.aws_iam_policy_document.this.json)
    error_message = "One role per function, with the scoped policy."
  }

  assert {
    condition     = length([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s if contains(["ReadConfigParameter", "UseGivenKmsKeys", "XRayWrite"], s.Sid)]) == 0
    error_message = "No SSM, KMS or X-Ray permissions unless used."
  }
}

run "every_target_type" {
  command = plan

  variables {
    targets = [
      { id = "fn", type = "lambda", destination = "arn:aws:lambda:us-east-1:123456789012:function:billing" },
      { id = "fn-live", type = "lambda", destination = "arn:aws:lambda:us-east-1:123456789012:function:billing:live" },
      { id = "fn-again", type = "lambda", destination = "arn:aws:lambda:us-east-1:123456789012:function:billing" },
      { id = "queue", type = "sqs", destination = "arn:aws:sqs:us-east-1:210987654321:search" },
      { id = "topic", type = "sns", destination = "arn:aws:sns:us-east-1:123456789012:notify.fifo" },
      { id = "bus", type = "eventbridge", destination = "arn:aws:events:us-east-1:123456789012:event-bus/analytics" },
      { id = "stream", type = "kinesis", destination = "arn:aws:kinesis:us-east-1:123456789012:stream/audit" },
    ]
  }

  assert {
    condition     = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : { a = s.Action, r = toset(flatten([s.Resource])) } if s.Sid == "InvokeLambdaTargets"] == [{ a = "lambda:InvokeFunction", r = toset(["arn:aws:lambda:us-east-1:123456789012:function:billing", "arn:aws:lambda:us-east-1:123456789012:function:billing:live"]) }]
    error_message = "lambda:InvokeFunction on exactly the given function ARNs (qualified ones as given, duplicates once)."
  }

  assert {
    condition     = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : { a = toset(flatten([s.Action])), r = s.Resource } if s.Sid == "SendToSqsTargets"] == [{ a = toset(["sqs:SendMessage", "sqs:GetQueueUrl", "sqs:GetQueueAttributes"]), r = "arn:aws:sqs:us-east-1:210987654321:search" }]
    error_message = "sqs:SendMessage, sqs:GetQueueUrl and sqs:GetQueueAttributes on exactly the given queue."
  }

  assert {
    condition     = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : { a = s.Action, r = s.Resource } if s.Sid == "PublishToSnsTargets"] == [{ a = "sns:Publish", r = "arn:aws:sns:us-east-1:123456789012:notify.fifo" }]
    error_message = "sns:Publish on exactly the given topic."
  }

  assert {
    condition     = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : { a = s.Action, r = s.Resource } if s.Sid == "PutEventsToEventBridgeTargets"] == [{ a = "events:PutEvents", r = "arn:aws:events:us-east-1:123456789012:event-bus/analytics" }]
    error_message = "events:PutEvents on exactly the given bus."
  }

  assert {
    condition     = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : { a = s.Action, r = s.Resource } if s.Sid == "PutRecordsToKinesisTargets"] == [{ a = "kinesis:PutRecords", r = "arn:aws:kinesis:us-east-1:123456789012:stream/audit" }]
    error_message = "kinesis:PutRecords on exactly the given stream."
  }

  assert {
    condition     = jsondecode(output.config_json).targets[3].destination == "arn:aws:sqs:us-east-1:210987654321:search"
    error_message = "The queue ARN is passed as given, account included (here another account's queue: the handler resolves it with GetQueueUrl)."
  }
}

run "config_in_ssm" {
  command = plan

  variables {
    config_in_ssm = true
  }

  assert {
    condition     = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : { a = s.Action, r = s.Resource } if s.Sid == "ReadConfigParameter"] == [{ a = "ssm:GetParameter", r = "arn:aws:ssm:us-east-1:123456789012:parameter/orders/quirks-fanout/config" }]
    error_message = "ssm:GetParameter on the configuration parameter only, when it is used."
  }
}

run "kms_keys" {
  command = plan

  variables {
    kms_key_arn              = "arn:aws:kms:us-east-1:123456789012:key/11111111-1111-1111-1111-111111111111"
    destination_kms_key_arns = ["arn:aws:kms:us-east-1:123456789012:key/22222222-2222-2222-2222-222222222222"]
  }

  assert {
    condition = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : { a = toset(flatten([s.Action])), r = toset(flatten([s.Resource])) } if s.Sid == "UseGivenKmsKeys"] == [{
      a = toset(["kms:Decrypt", "kms:GenerateDataKey"])
      r = toset(["arn:aws:kms:us-east-1:123456789012:key/11111111-1111-1111-1111-111111111111", "arn:aws:kms:us-east-1:123456789012:key/22222222-2222-2222-2222-222222222222"])
    }]
    error_message = "kms:Decrypt and kms:GenerateDataKey on exactly the given keys."
  }

  assert {
    condition     = aws_lambda_function.this.kms_key_arn == var.kms_key_arn && aws_cloudwatch_log_group.this.kms_key_id == var.kms_key_arn
    error_message = "The key encrypts the environment and the log group."
  }

  assert {
    condition = aws_sqs_queue.failures[0].kms_master_key_id == var.kms_key_arn && alltrue([for k in ["claim-checks", "on-failure"] : (
      one(one(aws_s3_bucket_server_side_encryption_configuration.this[k].rule).apply_server_side_encryption_by_default).sse_algorithm == "aws:kms" &&
      one(one(aws_s3_bucket_server_side_encryption_configuration.this[k].rule).apply_server_side_encryption_by_default).kms_master_key_id == var.kms_key_arn &&
      one(aws_s3_bucket_server_side_encryption_configuration.this[k].rule).bucket_key_enabled
    )])
    error_message = "The key encrypts the failure queue and the buckets."
  }
}

run "xray_only_when_active" {
  command = plan

  variables {
    tracing_mode = "Active"
  }

  assert {
    condition     = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : { a = toset(flatten([s.Action])), r = s.Resource } if s.Sid == "XRayWrite"] == [{ a = toset(["xray:PutTraceSegments", "xray:PutTelemetryRecords"]), r = "*" }]
    error_message = "Active tracing adds the X-Ray writes (no resource-level permission: \"*\")."
  }

  assert {
    condition     = aws_lambda_function.this.tracing_config[0].mode == "Active"
    error_message = "tracing_mode sets the function's tracing."
  }
}
