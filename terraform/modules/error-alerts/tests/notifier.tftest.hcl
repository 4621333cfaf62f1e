# The function, its log group, its environment (no secret), the dedupe table, the failure
# destination and the alarms.

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

run "function_follows_the_shared_contract" {
  command = plan

  assert {
    condition     = aws_lambda_function.this.function_name == "test-alerts"
    error_message = "the function is <name>-alerts"
  }
  assert {
    condition     = aws_lambda_function.this.handler == "quirks.alerts.handler.lambda_handler"
    error_message = "the handler must be quirks.alerts.handler.lambda_handler"
  }
  assert {
    condition     = aws_lambda_function.this.runtime == "python3.13" && aws_lambda_function.this.architectures == tolist(["arm64"])
    error_message = "defaults: python3.13 on arm64"
  }
  assert {
    condition     = aws_lambda_function.this.timeout == 60 && aws_lambda_function.this.memory_size == 256
    error_message = "defaults: 60 s timeout, 256 MB"
  }
  assert {
    condition     = aws_lambda_function.this.source_code_hash == filebase64sha256("../../tests/fixtures/lambda.zip")
    error_message = "without package_hash the zip's own hash is the source_code_hash"
  }
  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == -1 && length(aws_lambda_function.this.layers) == 0
    error_message = "defaults: unreserved concurrency, no layers"
  }
  assert {
    condition     = aws_lambda_function.this.kms_key_arn == null
    error_message = "no kms_key_arn: AWS managed encryption of the environment"
  }
  assert {
    condition     = aws_lambda_function.this.tracing_config[0].mode == "PassThrough"
    error_message = "tracing defaults to PassThrough"
  }
  assert {
    condition = (
      aws_lambda_function.this.logging_config[0].log_format == "JSON"
      && aws_lambda_function.this.logging_config[0].log_group == "/aws/lambda/test-alerts"
      && aws_lambda_function.this.logging_config[0].application_log_level == "INFO"
      && aws_lambda_function.this.logging_config[0].system_log_level == "WARN"
    )
    error_message = "logging_config: JSON, the module's log group, INFO / WARN"
  }
  assert {
    condition     = aws_cloudwatch_log_group.this.name == "/aws/lambda/test-alerts" && aws_cloudwatch_log_group.this.retention_in_days == 30
    error_message = "an explicit log group /aws/lambda/<function> with 30 days' retention"
  }
  assert {
    condition     = aws_cloudwatch_log_group.this.kms_key_id == null
    error_message = "no kms_key_arn: no key on the log group"
  }
  assert {
    condition     = output.log_group_name == "/aws/lambda/test-alerts" && output.function_name == "test-alerts"
    error_message = "outputs function_name and log_group_name"
  }
}

run "package_hash_is_used_when_given" {
  command = plan

  variables {
    package_hash = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
  }

  assert {
    condition     = aws_lambda_function.this.source_code_hash == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
    error_message = "package_hash becomes the source_code_hash"
  }
}

run "environment_names_the_secret_never_the_url" {
  command = plan

  assert {
    condition     = aws_lambda_function.this.environment[0].variables["QUIRKS_SLACK_WEBHOOK_SECRET"] == "arn:aws:secretsmanager:us-east-1:123456789012:secret:quirks/slack-AbC123"
    error_message = "QUIRKS_SLACK_WEBHOOK_SECRET holds the secret ARN"
  }
  assert {
    condition = alltrue([
      for k in ["QUIRKS_SLACK_WEBHOOK_URL", "QUIRKS_SLACK_WEBHOOK_SSM", "QUIRKS_ALERTS_SNS_TOPIC", "QUIRKS_ALERTS_REDACT"] :
      !contains(keys(aws_lambda_function.this.environment[0].variables), k)
    ])
    error_message = "no URL variable, and no variable for a route or setting that is not configured"
  }
  assert {
    condition = alltrue([
      for text in [jsonencode(aws_lambda_function.this.environment), aws_iam_role_policy.this.policy] :
      length(regexall("hooks\\.slack\\.com|https:", text)) == 0
    ])
    error_message = "no webhook URL anywhere in the plan's environment or policy"
  }
  assert {
    condition = (
      aws_lambda_function.this.environment[0].variables["POWERTOOLS_SERVICE_NAME"] == "test-alerts"
      && aws_lambda_function.this.environment[0].variables["POWERTOOLS_LOG_LEVEL"] == "INFO"
      && aws_lambda_function.this.environment[0].variables["POWERTOOLS_METRICS_NAMESPACE"] == "ServerlessQuirks"
    )
    error_message = "Powertools variables"
  }
  assert {
    condition = (
      aws_lambda_function.this.environment[0].variables["QUIRKS_ALERTS_WINDOW_SECONDS"] == "900"
      && aws_lambda_function.this.environment[0].variables["QUIRKS_ALERTS_MAX_MESSAGES"] == "10"
      && aws_lambda_function.this.environment[0].variables["QUIRKS_SLACK_MIN_INTERVAL"] == "1"
      && aws_lambda_function.this.environment[0].variables["QUIRKS_ALERTS_REDACT_DEFAULTS"] == "true"
    )
    error_message = "config.py defaults: window 900, max messages 10, interval 1, default redactions"
  }
  assert {
    condition     = aws_lambda_function.this.environment[0].variables["QUIRKS_ALERTS_DEDUPE_TABLE"] == "test-alerts-dedupe"
    error_message = "the dedupe table is created and named in QUIRKS_ALERTS_DEDUPE_TABLE by default"
  }
}

run "settings_reach_the_environment" {
  command = plan

  variables {
    slack_webhook_secret_arn         = null
    slack_webhook_ssm_parameter_name = "/quirks/slack-webhook"
    window_seconds                   = 0
    max_messages                     = 2
    slack_min_interval               = 1.5
    redact_patterns                  = ["acct-\\d{6}", "token=[^&]+"]
    redact_defaults                  = false
    log_level                        = "DEBUG"
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables["QUIRKS_SLACK_WEBHOOK_SSM"] == "/quirks/slack-webhook"
    error_message = "QUIRKS_SLACK_WEBHOOK_SSM holds the parameter name"
  }
  assert {
    condition     = !contains(keys(aws_lambda_function.this.environment[0].variables), "QUIRKS_SLACK_WEBHOOK_SECRET")
    error_message = "no secret variable on the SSM route"
  }
  assert {
    condition     = jsondecode(aws_lambda_function.this.environment[0].variables["QUIRKS_ALERTS_REDACT"]) == ["acct-\\d{6}", "token=[^&]+"]
    error_message = "QUIRKS_ALERTS_REDACT is the JSON array of the patterns"
  }
  assert {
    condition = (
      aws_lambda_function.this.environment[0].variables["QUIRKS_ALERTS_WINDOW_SECONDS"] == "0"
      && aws_lambda_function.this.environment[0].variables["QUIRKS_ALERTS_MAX_MESSAGES"] == "2"
      && aws_lambda_function.this.environment[0].variables["QUIRKS_SLACK_MIN_INTERVAL"] == "1.5"
      && aws_lambda_function.this.environment[0].variables["QUIRKS_ALERTS_REDACT_DEFAULTS"] == "false"
    )
    error_message = "window, max messages, interval and redact defaults reach the environment"
  }
  assert {
    condition     = aws_lambda_function.this.logging_config[0].application_log_level == "DEBUG" && aws_lambda_function.this.environment[0].variables["POWERTOOLS_LOG_LEVEL"] == "DEBUG"
    error_message = "log_level drives both the Lambda level and Powertools"
  }
  assert {
    condition     = !strcontains(jsonencode(aws_lambda_function.this.environment), "hooks.slack.com")
    error_message = "no webhook URL in the environment"
  }
}

run "dedupe_table_matches_the_store" {
  command = plan

  assert {
    condition     = aws_dynamodb_table.dedupe[0].name == "test-alerts-dedupe" && aws_dynamodb_table.dedupe[0].billing_mode == "PAY_PER_REQUEST"
    error_message = "on-demand table <name>-alerts-dedupe"
  }
  assert {
    condition     = aws_dynamodb_table.dedupe[0].hash_key == "fingerprint" && aws_dynamodb_table.dedupe[0].range_key == null
    error_message = "partition key fingerprint, no sort key (DynamoStore)"
  }
  assert {
    condition     = [for a in aws_dynamodb_table.dedupe[0].attribute : { name = a.name, type = a.type }] == [{ name = "fingerprint", type = "S" }]
    error_message = "the only key attribute is fingerprint (S)"
  }
  assert {
    condition     = aws_dynamodb_table.dedupe[0].ttl[0].attribute_name == "expires_at" && aws_dynamodb_table.dedupe[0].ttl[0].enabled
    error_message = "TTL on expires_at"
  }
  assert {
    condition     = aws_dynamodb_table.dedupe[0].server_side_encryption[0].enabled && aws_dynamodb_table.dedupe[0].point_in_time_recovery[0].enabled
    error_message = "SSE and PITR"
  }
  assert {
    condition     = output.dedupe_table_name == "test-alerts-dedupe"
    error_message = "output dedupe_table_name"
  }
}

run "no_dedupe_table_when_disabled" {
  command = plan

  variables {
    create_dedupe_table = false
  }

  assert {
    condition     = length(aws_dynamodb_table.dedupe) == 0 && output.dedupe_table_name == null
    error_message = "no table"
  }
  assert {
    condition     = !contains(keys(aws_lambda_function.this.environment[0].variables), "QUIRKS_ALERTS_DEDUPE_TABLE")
    error_message = "no QUIRKS_ALERTS_DEDUPE_TABLE: windows per container"
  }
}

run "failed_deliveries_land_in_the_queue" {
  command = plan

  assert {
    condition = (
      aws_lambda_function_event_invoke_config.this.function_name == "test-alerts"
      && aws_lambda_function_event_invoke_config.this.maximum_retry_attempts == 2
      && aws_lambda_function_event_invoke_config.this.maximum_event_age_in_seconds == 21600
    )
    error_message = "async invoke config: 2 retries, 6 hours"
  }
  assert {
    condition     = aws_lambda_function_event_invoke_config.this.destination_config[0].on_failure[0].destination == "arn:aws:sqs:us-east-1:123456789012:test-alerts-failures"
    error_message = "on-failure destination is the module's queue"
  }
  assert {
    condition     = aws_sqs_queue.failures.name == "test-alerts-failures" && aws_sqs_queue.failures.message_retention_seconds == 1209600
    error_message = "failure queue kept 14 days"
  }
  assert {
    condition     = aws_sqs_queue.failures.sqs_managed_sse_enabled == true && aws_sqs_queue.failures.kms_master_key_id == null
    error_message = "failure queue encrypted with SQS managed SSE without a key"
  }
}

run "alarms_watch_the_notifier" {
  command = plan

  variables {
    alarm_actions = ["arn:aws:sns:us-east-1:123456789012:oncall"]
    ok_actions    = ["arn:aws:sns:us-east-1:123456789012:oncall"]
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.errors.namespace == "AWS/Lambda"
      && aws_cloudwatch_metric_alarm.errors.metric_name == "Errors"
      && aws_cloudwatch_metric_alarm.errors.dimensions == tomap({ FunctionName = "test-alerts" })
      && aws_cloudwatch_metric_alarm.errors.threshold == 1
    )
    error_message = "an alarm on the function's Errors"
  }
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.failure_queue.namespace == "AWS/SQS"
      && aws_cloudwatch_metric_alarm.failure_queue.metric_name == "ApproximateNumberOfMessagesVisible"
      && aws_cloudwatch_metric_alarm.failure_queue.dimensions == tomap({ QueueName = "test-alerts-failures" })
    )
    error_message = "an alarm on the failure queue's depth"
  }
  assert {
    condition = (
      aws_cloudwatch_log_metric_filter.delivery_failed.log_group_name == "/aws/lambda/test-alerts"
      && aws_cloudwatch_log_metric_filter.delivery_failed.pattern == "\"alert delivery failed\""
      && aws_cloudwatch_metric_alarm.delivery_failed.metric_name == aws_cloudwatch_log_metric_filter.delivery_failed.metric_transformation[0].name
      && aws_cloudwatch_metric_alarm.delivery_failed.namespace == aws_cloudwatch_log_metric_filter.delivery_failed.metric_transformation[0].namespace
    )
    error_message = "a metric filter and alarm for \"alert delivery failed\" on the notifier's own group"
  }
  assert {
    condition = alltrue([
      for a in [aws_cloudwatch_metric_alarm.errors, aws_cloudwatch_metric_alarm.failure_queue, aws_cloudwatch_metric_alarm.delivery_failed] :
      a.alarm_actions == toset(["arn:aws:sns:us-east-1:123456789012:oncall"]) && a.ok_actions == toset(["arn:aws:sns:us-east-1:123456789012:oncall"]) && a.treat_missing_data == "notBreaching"
    ])
    error_message = "every alarm notifies alarm_actions and ok_actions"
  }
}

run "customer_managed_key_encrypts_everything" {
  command = plan

  variables {
    kms_key_arn          = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    create_chatbot_topic = true
  }

  assert {
    condition     = aws_lambda_function.this.kms_key_arn == var.kms_key_arn && aws_cloudwatch_log_group.this.kms_key_id == var.kms_key_arn
    error_message = "the key encrypts the environment and the log group"
  }
  assert {
    condition     = aws_sqs_queue.failures.kms_master_key_id == var.kms_key_arn
    error_message = "the key encrypts the failure queue"
  }
  assert {
    condition     = aws_sns_topic.chatbot[0].kms_master_key_id == var.kms_key_arn
    error_message = "the key encrypts the created topic"
  }
  assert {
    condition     = aws_dynamodb_table.dedupe[0].server_side_encryption[0].kms_key_arn == var.kms_key_arn
    error_message = "the key encrypts the dedupe table"
  }
}

run "chatbot_topic_created_encrypted" {
  command = plan

  variables {
    slack_webhook_secret_arn = null
    create_chatbot_topic     = true
  }

  assert {
    condition     = aws_sns_topic.chatbot[0].name == "test-alerts-chatbot" && aws_sns_topic.chatbot[0].kms_master_key_id == "alias/aws/sns"
    error_message = "a topic <name>-alerts-chatbot encrypted with KMS (aws/sns without kms_key_arn)"
  }
  assert {
    condition     = aws_lambda_function.this.environment[0].variables["QUIRKS_ALERTS_SNS_TOPIC"] == "arn:aws:sns:us-east-1:123456789012:test-alerts-chatbot"
    error_message = "QUIRKS_ALERTS_SNS_TOPIC holds the created topic"
  }
  assert {
    condition = alltrue([
      for k in ["QUIRKS_SLACK_WEBHOOK_SECRET", "QUIRKS_SLACK_WEBHOOK_SSM", "QUIRKS_SLACK_WEBHOOK_URL"] :
      !contains(keys(aws_lambda_function.this.environment[0].variables), k)
    ])
    error_message = "no Slack variables on the SNS-only route"
  }
}

run "existing_chatbot_topic_and_slack_together" {
  command = plan

  variables {
    chatbot_sns_topic_arn = "arn:aws:sns:us-east-1:123456789012:chatbot"
  }

  assert {
    condition     = length(aws_sns_topic.chatbot) == 0 && output.chatbot_topic_arn == "arn:aws:sns:us-east-1:123456789012:chatbot"
    error_message = "an existing topic is used, not created"
  }
  assert {
    condition = (
      aws_lambda_function.this.environment[0].variables["QUIRKS_ALERTS_SNS_TOPIC"] == "arn:aws:sns:us-east-1:123456789012:chatbot"
      && aws_lambda_function.this.environment[0].variables["QUIRKS_SLACK_WEBHOOK_SECRET"] == var.slack_webhook_secret_arn
    )
    error_message = "both routes at once: each alert goes to each"
  }
}
