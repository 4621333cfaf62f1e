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

# The module is the stream's single reader: exactly one event source mapping, on the stream, with
# ReportBatchItemFailures, no bisecting and an on-failure destination that keeps the records.

variables {
  package_file = "../../tests/fixtures/lambda.zip"
  name         = "orders"
  stream_arn   = "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000"
  targets = [
    { id = "billing", type = "sqs", destination = "arn:aws:sqs:us-east-1:123456789012:billing" },
  ]
}

run "one_mapping_on_the_stream" {
  command = plan

  assert {
    condition     = length(regexall("resource\\s+\"aws_lambda_event_source_mapping\"", join("\n", [for f in fileset(path.module, "*.tf") : file("${path.module}/${f}")]))) == 1
    error_message = "The module must declare exactly one aws_lambda_event_source_mapping."
  }

  assert {
    condition     = length(regexall("aws_pipes_pipe|aws_kinesis_stream_consumer", join("\n", [for f in fileset(path.module, "*.tf") : file("${path.module}/${f}")]))) == 0
    error_message = "No other reader (Pipe, consumer) may be declared."
  }

  assert {
    condition     = aws_lambda_event_source_mapping.this.event_source_arn == var.stream_arn
    error_message = "The mapping must read the given stream."
  }

  assert {
    condition     = aws_lambda_event_source_mapping.this.function_response_types == toset(["ReportBatchItemFailures"])
    error_message = "The mapping must report batch item failures (the handler returns where to resume)."
  }

  assert {
    condition     = aws_lambda_event_source_mapping.this.bisect_batch_on_function_error == false
    error_message = "Bisecting must be off: failures are reported per record already."
  }

  assert {
    condition     = aws_lambda_event_source_mapping.this.destination_config[0].on_failure[0].destination_arn == "arn:aws:s3:::orders-failed-123456789012-us-east-1"
    error_message = "Without on_failure_destination_arn the mapping's on-failure destination is the module's S3 bucket."
  }

  assert {
    condition     = aws_s3_bucket.this["on-failure"].bucket == "orders-failed-123456789012-us-east-1" && output.on_failure_bucket_name == "orders-failed-123456789012-us-east-1"
    error_message = "The on-failure bucket must be created with the derived name."
  }

  assert {
    condition     = output.on_failure_destination_arn == "arn:aws:s3:::orders-failed-123456789012-us-east-1"
    error_message = "output.on_failure_destination_arn must be the bucket ARN."
  }

  assert {
    condition = (
      aws_lambda_event_source_mapping.this.starting_position == "LATEST" &&
      aws_lambda_event_source_mapping.this.batch_size == 100 &&
      aws_lambda_event_source_mapping.this.maximum_batching_window_in_seconds == 1 &&
      aws_lambda_event_source_mapping.this.parallelization_factor == 1 &&
      aws_lambda_event_source_mapping.this.maximum_record_age_in_seconds == -1
    )
    error_message = "Default mapping settings: LATEST, 100 records, 1 s window, factor 1, no record age limit."
  }

  assert {
    condition     = aws_lambda_event_source_mapping.this.maximum_retry_attempts == 10
    error_message = "With divert targets only, the mapping retries a failing batch 10 times."
  }

  assert {
    condition     = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s.Resource if s.Sid == "OnFailureBucketObjects"] == ["arn:aws:s3:::orders-failed-123456789012-us-east-1/*"] && [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s.Resource if s.Sid == "OnFailureBucketList"] == ["arn:aws:s3:::orders-failed-123456789012-us-east-1"]
    error_message = "The role needs s3:PutObject on the bucket's objects and s3:ListBucket on the bucket for the S3 on-failure destination."
  }

  assert {
    condition     = toset(flatten([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s.Action if contains(["OnFailureBucketObjects", "OnFailureBucketList"], s.Sid)])) == toset(["s3:PutObject", "s3:ListBucket"])
    error_message = "The S3 on-failure statements grant s3:PutObject and s3:ListBucket only."
  }

  assert {
    condition     = length([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s if contains(["OnFailureQueue", "OnFailureTopic"], s.Sid)]) == 0
    error_message = "No SQS/SNS on-failure permissions for an S3 destination."
  }

  assert {
    condition     = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : toset(flatten([s.Action])) if s.Sid == "ReadStream"] == [toset(["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"])] && [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s.Resource if s.Sid == "ReadStream"] == [var.stream_arn]
    error_message = "The stream read permissions must be on the stream only."
  }

  assert {
    condition     = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s.Resource if s.Sid == "ListStreams"] == ["*"] && [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s.Action if s.Sid == "ListStreams"] == ["dynamodb:ListStreams"]
    error_message = "dynamodb:ListStreams (no resource-level permission) is the stream statement on \"*\"."
  }
}

run "block_target_retries_until_recovered" {
  command = plan

  variables {
    targets = [
      { id = "billing", type = "sqs", destination = "arn:aws:sqs:us-east-1:123456789012:billing", on_failure = { mode = "block" } },
      { id = "search", type = "sqs", destination = "arn:aws:sqs:us-east-1:123456789012:search" },
    ]
  }

  assert {
    condition     = aws_lambda_event_source_mapping.this.maximum_retry_attempts == -1
    error_message = "A block target needs the mapping to retry a held batch until the target recovers (-1)."
  }

  assert {
    condition     = aws_lambda_event_source_mapping.this.maximum_record_age_in_seconds == -1
    error_message = "A block target keeps the record age unlimited by default."
  }
}

run "mapping_settings_are_passed_through" {
  command = plan

  variables {
    batch_size                         = 500
    maximum_batching_window_in_seconds = 5
    parallelization_factor             = 4
    starting_position                  = "TRIM_HORIZON"
    maximum_retry_attempts             = 100
    maximum_record_age_in_seconds      = 3600
  }

  assert {
    condition = (
      aws_lambda_event_source_mapping.this.batch_size == 500 &&
      aws_lambda_event_source_mapping.this.maximum_batching_window_in_seconds == 5 &&
      aws_lambda_event_source_mapping.this.parallelization_factor == 4 &&
      aws_lambda_event_source_mapping.this.starting_position == "TRIM_HORIZON" &&
      aws_lambda_event_source_mapping.this.maximum_retry_attempts == 100 &&
      aws_lambda_event_source_mapping.this.maximum_record_age_in_seconds == 3600
    )
    error_message = "The mapping settings must be the given ones."
  }
}

run "given_sqs_on_failure_destination" {
  command = plan

  variables {
    create_on_failure_bucket   = false
    on_failure_destination_arn = "arn:aws:sqs:us-east-1:123456789012:orders-recovery-pointers"
  }

  assert {
    condition     = aws_lambda_event_source_mapping.this.destination_config[0].on_failure[0].destination_arn == "arn:aws:sqs:us-east-1:123456789012:orders-recovery-pointers"
    error_message = "The mapping's on-failure destination must be the given queue."
  }

  assert {
    condition     = !contains(keys(aws_s3_bucket.this), "on-failure") && output.on_failure_bucket_name == null
    error_message = "No on-failure bucket when a destination is given."
  }

  assert {
    condition     = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : { a = s.Action, r = s.Resource } if s.Sid == "OnFailureQueue"] == [{ a = "sqs:SendMessage", r = "arn:aws:sqs:us-east-1:123456789012:orders-recovery-pointers" }]
    error_message = "The role may send to the given on-failure queue, and only to it."
  }

  assert {
    condition     = length([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s if contains(["OnFailureBucketObjects", "OnFailureBucketList", "OnFailureTopic"], s.Sid)]) == 0
    error_message = "No S3/SNS on-failure permissions for an SQS destination."
  }
}

run "given_sns_on_failure_destination" {
  command = plan

  variables {
    create_on_failure_bucket   = false
    on_failure_destination_arn = "arn:aws:sns:us-east-1:123456789012:orders-failures"
  }

  assert {
    condition     = aws_lambda_event_source_mapping.this.destination_config[0].on_failure[0].destination_arn == "arn:aws:sns:us-east-1:123456789012:orders-failures"
    error_message = "The mapping's on-failure destination must be the given topic."
  }

  assert {
    condition     = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : { a = s.Action, r = s.Resource } if s.Sid == "OnFailureTopic"] == [{ a = "sns:Publish", r = "arn:aws:sns:us-east-1:123456789012:orders-failures" }]
    error_message = "The role may publish to the given on-failure topic, and only to it."
  }

  assert {
    condition     = length([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s if contains(["OnFailureBucketObjects", "OnFailureBucketList", "OnFailureQueue"], s.Sid)]) == 0
    error_message = "No S3/SQS on-failure permissions for an SNS destination."
  }
}

run "given_s3_bucket_on_failure_destination" {
  command = plan

  variables {
    create_on_failure_bucket   = false
    on_failure_destination_arn = "arn:aws:s3:::shared-stream-failures"
  }

  assert {
    condition     = aws_lambda_event_source_mapping.this.destination_config[0].on_failure[0].destination_arn == "arn:aws:s3:::shared-stream-failures"
    error_message = "The mapping's on-failure destination must be the given bucket."
  }

  assert {
    condition     = !contains(keys(aws_s3_bucket.this), "on-failure")
    error_message = "No bucket is created when one is given."
  }

  assert {
    condition     = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s.Resource if s.Sid == "OnFailureBucketObjects"] == ["arn:aws:s3:::shared-stream-failures/*"] && [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s.Resource if s.Sid == "OnFailureBucketList"] == ["arn:aws:s3:::shared-stream-failures"]
    error_message = "s3:PutObject and s3:ListBucket on the given bucket only."
  }
}

run "block_target_with_bounded_retries_warns" {
  command = plan

  variables {
    targets = [
      { id = "billing", type = "sqs", destination = "arn:aws:sqs:us-east-1:123456789012:billing", on_failure = { mode = "block" } },
    ]
    maximum_retry_attempts = 5
  }

  expect_failures = [check.block_targets_retry_until_recovered]
}

run "stream_of_another_region_is_rejected" {
  command = plan

  variables {
    stream_arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000"
  }

  expect_failures = [aws_lambda_event_source_mapping.this]
}

run "two_on_failure_destinations_are_refused" {
  command = plan

  # A given destination while the module still creates its bucket: which one would Lambda use?
  variables {
    on_failure_destination_arn = "arn:aws:sqs:us-east-1:123456789012:orders-recovery-pointers"
  }

  expect_failures = [aws_lambda_event_source_mapping.this]
}

run "no_on_failure_destination_is_refused" {
  command = plan

  variables {
    create_on_failure_bucket = false
  }

  expect_failures = [aws_lambda_event_source_mapping.this]
}
