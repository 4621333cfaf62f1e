# Plan-only checks of the recovery-only example: both direct mappings end in the recovery queue.

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

override_data {
  target = module.recovery.data.aws_caller_identity.current
  values = { account_id = "123456789012", arn = "arn:aws:iam::123456789012:root", id = "123456789012", user_id = "AIDATEST" }
}

variables {
  package_file           = "../../tests/fixtures/lambda.zip"
  consumers_package_file = "../../tests/fixtures/lambda.zip"
}

run "at_most_two_readers_and_every_failure_recovered" {
  command = plan

  assert {
    condition     = length(aws_lambda_event_source_mapping.consumer) == 2
    error_message = "Two direct readers at most: a stream shard serves about two."
  }
  assert {
    condition = alltrue([for m in aws_lambda_event_source_mapping.consumer :
    m.maximum_retry_attempts >= 0 && m.maximum_record_age_in_seconds > 0 && m.maximum_record_age_in_seconds < 86400 && m.bisect_batch_on_function_error])
    error_message = "Every mapping must give up in finite time (retries, record age below the 24 h retention, bisection)."
  }
  assert {
    condition     = alltrue([for m in aws_lambda_event_source_mapping.consumer : length(m.destination_config[0].on_failure) == 1])
    error_message = "Every mapping must have an on-failure destination (the recovery queue)."
  }
  assert {
    condition     = contains([for s in data.aws_iam_policy_document.consumer_stream.statement : s.sid if contains(s.actions, "sqs:SendMessage")], "SendPointers")
    error_message = "Each consumer's role must be allowed to send its pointers."
  }
  assert {
    condition     = length(aws_iam_role_policy.consumer_stream) == 2
    error_message = "Both consumers' roles get the stream and pointer permissions."
  }
}

run "the_example_name_is_validated" {
  command = plan

  variables {
    name = "way-too-long-a-name-for-this"
  }

  expect_failures = [var.name]
}
