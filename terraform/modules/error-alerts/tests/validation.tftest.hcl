# Every validation and precondition rejects bad input (one bad value per run), and the
# boundaries that must pass do.

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

variables {
  package_file             = "../../tests/fixtures/lambda.zip"
  name                     = "test"
  slack_webhook_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:quirks/slack-AbC123"
}

run "rejects_no_route" {
  command = plan

  # No Slack secret/parameter and no SNS topic: the notifier would have nowhere to send.

  variables {
    slack_webhook_secret_arn = null
  }

  expect_failures = [aws_lambda_function.this]
}

run "rejects_secret_and_parameter_together" {
  command = plan

  # Both Slack sources: rejected (only one would be read).

  variables {
    slack_webhook_ssm_parameter_name = "/quirks/slack-webhook"
  }

  expect_failures = [aws_lambda_function.this]
}

run "rejects_existing_and_created_topic_together" {
  command = plan

  variables {
    chatbot_sns_topic_arn = "arn:aws:sns:us-east-1:123456789012:chatbot"
    create_chatbot_topic  = true
  }

  expect_failures = [aws_lambda_function.this]
}

run "rejects_slack_key_without_slack" {
  command = plan

  variables {
    slack_webhook_secret_arn  = null
    create_chatbot_topic      = true
    slack_webhook_kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
  }

  expect_failures = [aws_lambda_function.this]
}

run "rejects_topic_key_without_topic" {
  command = plan

  variables {
    chatbot_sns_topic_kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
  }

  expect_failures = [aws_lambda_function.this]
}

run "rejects_timeout_below_15" {
  command = plan

  # The handler keeps a 5 s reserve and paces Slack at 1 msg/s.

  variables {
    timeout = 14
  }

  expect_failures = [var.timeout]
}

run "rejects_timeout_above_900" {
  command = plan

  variables {
    timeout = 901
  }

  expect_failures = [var.timeout]
}

run "rejects_own_log_group_in_log_group_names" {
  command = plan

  # Its own error lines would loop back to it.

  variables {
    log_group_names = ["/aws/lambda/orders", "/aws/lambda/test-alerts"]
  }

  expect_failures = [aws_cloudwatch_log_subscription_filter.this]
}

run "rejects_account_policy_with_log_group_names" {
  command = plan

  # Both would deliver every error twice.

  variables {
    account_level_subscription = true
    log_group_names            = ["/aws/lambda/orders"]
  }

  expect_failures = [aws_cloudwatch_log_account_policy.this]
}

run "rejects_webhook_url_as_secret" {
  command = plan

  # The URL itself is never accepted.

  variables {
    slack_webhook_secret_arn = "https://hooks.slack.com/services/T000/B000/XXXX"
  }

  expect_failures = [var.slack_webhook_secret_arn]
}

run "rejects_partial_secret_arn" {
  command = plan

  # Without the 6-character suffix the IAM grant would not match the secret.

  variables {
    slack_webhook_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:quirks/slack"
  }

  expect_failures = [var.slack_webhook_secret_arn]
}

run "rejects_other_service_arn_as_secret" {
  command = plan

  variables {
    slack_webhook_secret_arn = "arn:aws:ssm:us-east-1:123456789012:parameter/quirks/slack-AbC123"
  }

  expect_failures = [var.slack_webhook_secret_arn]
}

run "rejects_secret_name_as_secret_arn" {
  command = plan

  variables {
    slack_webhook_secret_arn = "quirks/slack"
  }

  expect_failures = [var.slack_webhook_secret_arn]
}

run "rejects_webhook_url_as_parameter" {
  command = plan

  variables {
    slack_webhook_secret_arn         = null
    slack_webhook_ssm_parameter_name = "https://hooks.slack.com/services/T000/B000/XXXX"
  }

  expect_failures = [var.slack_webhook_ssm_parameter_name]
}

run "rejects_parameter_path_without_leading_slash" {
  command = plan

  variables {
    slack_webhook_secret_arn         = null
    slack_webhook_ssm_parameter_name = "quirks/slack-webhook"
  }

  expect_failures = [var.slack_webhook_ssm_parameter_name]
}

run "rejects_bad_name" {
  command = plan

  variables {
    name = "has spaces"
  }

  expect_failures = [var.name]
}

run "rejects_long_name" {
  command = plan

  variables {
    name = "a234567890123456789012345678901234567890x"
  }

  expect_failures = [var.name]
}

run "rejects_package_that_is_not_a_zip" {
  command = plan

  variables {
    package_file = "../../tests/fixtures/lambda.tar.gz"
  }

  expect_failures = [var.package_file]
}

run "rejects_bad_package_hash" {
  command = plan

  variables {
    package_hash = "0123456789abcdef"
  }

  expect_failures = [var.package_hash]
}

run "rejects_deprecated_runtime" {
  command = plan

  variables {
    runtime = "python3.11"
  }

  expect_failures = [var.runtime]
}

run "rejects_bad_architecture" {
  command = plan

  variables {
    architecture = "arm"
  }

  expect_failures = [var.architecture]
}

run "rejects_bad_memory_size" {
  command = plan

  variables {
    memory_size = 64
  }

  expect_failures = [var.memory_size]
}

run "rejects_bad_log_retention" {
  command = plan

  variables {
    log_retention_days = 31
  }

  expect_failures = [var.log_retention_days]
}

run "rejects_bad_log_level" {
  command = plan

  variables {
    log_level = "TRACE"
  }

  expect_failures = [var.log_level]
}

run "rejects_kms_alias" {
  command = plan

  variables {
    kms_key_arn = "alias/quirks"
  }

  expect_failures = [var.kms_key_arn]
}

run "rejects_bad_slack_kms_key" {
  command = plan

  variables {
    slack_webhook_kms_key_arn = "arn:aws:kms:us-east-1:123456789012:alias/quirks"
  }

  expect_failures = [var.slack_webhook_kms_key_arn]
}

run "rejects_fifo_chatbot_topic" {
  command = plan

  # SNS publishes without a message group: Chatbot topics are standard topics.

  variables {
    chatbot_sns_topic_arn = "arn:aws:sns:us-east-1:123456789012:chatbot.fifo"
  }

  expect_failures = [var.chatbot_sns_topic_arn]
}

run "rejects_bad_chatbot_topic_key" {
  command = plan

  variables {
    chatbot_sns_topic_kms_key_arn = "alias/aws/sns"
  }

  expect_failures = [var.chatbot_sns_topic_kms_key_arn]
}

run "rejects_too_many_layers" {
  command = plan

  variables {
    layers = [for i in range(6) : "arn:aws:lambda:us-east-1:123456789012:layer:l${i}:1"]
  }

  expect_failures = [var.layers]
}

run "rejects_bad_reserved_concurrency" {
  command = plan

  variables {
    reserved_concurrent_executions = -2
  }

  expect_failures = [var.reserved_concurrent_executions]
}

run "rejects_bad_alarm_action" {
  command = plan

  variables {
    alarm_actions = ["oncall"]
  }

  expect_failures = [var.alarm_actions]
}

run "rejects_bad_ok_action" {
  command = plan

  variables {
    ok_actions = ["arn:aws:sqs:us-east-1:123456789012:oncall"]
  }

  expect_failures = [var.ok_actions]
}

run "rejects_bad_tracing_mode" {
  command = plan

  variables {
    tracing_mode = "Passthrough"
  }

  expect_failures = [var.tracing_mode]
}

run "rejects_negative_window" {
  command = plan

  variables {
    window_seconds = -1
  }

  expect_failures = [var.window_seconds]
}

run "rejects_max_messages_below_2" {
  command = plan

  # config.py rejects less than 2 at cold start.

  variables {
    max_messages = 1
  }

  expect_failures = [var.max_messages]
}

run "rejects_negative_slack_interval" {
  command = plan

  variables {
    slack_min_interval = -0.5
  }

  expect_failures = [var.slack_min_interval]
}

run "rejects_empty_redact_pattern" {
  command = plan

  variables {
    redact_patterns = ["acct-\\d+", ""]
  }

  expect_failures = [var.redact_patterns]
}

run "rejects_bad_log_group_name" {
  command = plan

  variables {
    log_group_names = ["/aws/lambda/orders:*"]
  }

  expect_failures = [var.log_group_names]
}

run "rejects_repeated_log_group" {
  command = plan

  variables {
    log_group_names = ["/aws/lambda/orders", "/aws/lambda/orders"]
  }

  expect_failures = [var.log_group_names]
}

run "rejects_long_filter_pattern" {
  command = plan

  variables {
    filter_pattern = join(" ", [for i in range(300) : "?ERR"])
  }

  expect_failures = [var.filter_pattern]
}

run "rejects_bad_filter_name" {
  command = plan

  variables {
    subscription_filter_name = "quirks:errors"
  }

  expect_failures = [var.subscription_filter_name]
}

run "rejects_bad_account_policy_name" {
  command = plan

  variables {
    account_policy_name = "quirks errors*"
  }

  expect_failures = [var.account_policy_name]
}

run "rejects_too_many_excluded_groups" {
  command = plan

  # At most 50 names in the selection criteria, one is the notifier's own.

  variables {
    account_level_subscription         = true
    account_policy_excluded_log_groups = [for i in range(50) : "/aws/lambda/g${i}"]
  }

  expect_failures = [var.account_policy_excluded_log_groups]
}

run "rejects_bad_excluded_group_name" {
  command = plan

  variables {
    account_policy_excluded_log_groups = ["bad group"]
  }

  expect_failures = [var.account_policy_excluded_log_groups]
}

run "rejects_too_many_retries" {
  command = plan

  variables {
    maximum_retry_attempts = 3
  }

  expect_failures = [var.maximum_retry_attempts]
}

run "rejects_event_age_below_60" {
  command = plan

  variables {
    maximum_event_age_in_seconds = 59
  }

  expect_failures = [var.maximum_event_age_in_seconds]
}

run "accepts_the_boundaries" {
  command = plan

  variables {
    timeout                            = 15
    memory_size                        = 128
    window_seconds                     = 0
    max_messages                       = 2
    slack_min_interval                 = 0
    maximum_retry_attempts             = 0
    maximum_event_age_in_seconds       = 60
    runtime                            = "python3.12"
    architecture                       = "x86_64"
    name                               = "a234567890123456789012345678901234567890"
    account_level_subscription         = true
    account_policy_excluded_log_groups = [for i in range(49) : "/aws/lambda/g${i}"]
  }

  assert {
    condition     = aws_lambda_function.this.timeout == 15 && aws_lambda_function.this.architectures == tolist(["x86_64"])
    error_message = "15 s is the minimum timeout and is accepted"
  }
  assert {
    condition     = length(regexall("\"", aws_cloudwatch_log_account_policy.this[0].selection_criteria)) == 2 * 50
    error_message = "49 extra groups plus the notifier's own: 50 names, the maximum"
  }
}

run "accepts_both_slack_and_sns" {
  command = plan

  variables {
    create_chatbot_topic = true
  }

  assert {
    condition     = length(aws_sns_topic.chatbot) == 1
    error_message = "Slack and SNS together are allowed"
  }
}
