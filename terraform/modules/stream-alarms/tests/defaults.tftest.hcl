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
  package_file    = "../../tests/fixtures/lambda.zip"
  name            = "ops"
  alarm_topic_arn = "arn:aws:sns:us-east-1:123456789012:ops-alarms"
}

run "function" {
  command = plan

  assert {
    condition     = aws_lambda_function.this.function_name == "ops-alarms" && aws_lambda_function.this.handler == "quirks.alarms.handler.lambda_handler"
    error_message = "the function is <name>-alarms with the quirks alarms handler"
  }
  assert {
    condition     = aws_lambda_function.this.runtime == "python3.13" && aws_lambda_function.this.architectures == tolist(["arm64"])
    error_message = "defaults: python3.13 on arm64"
  }
  assert {
    condition     = aws_lambda_function.this.timeout == 300 && aws_lambda_function.this.memory_size == 256
    error_message = "defaults: 300 s, 256 MB"
  }
  assert {
    condition     = aws_lambda_function.this.source_code_hash == filebase64sha256("../../tests/fixtures/lambda.zip")
    error_message = "without package_hash the code hash is filebase64sha256(package_file)"
  }
  assert {
    condition = (
      aws_lambda_function.this.logging_config[0].log_format == "JSON" &&
      aws_lambda_function.this.logging_config[0].log_group == "/aws/lambda/ops-alarms" &&
      aws_lambda_function.this.logging_config[0].application_log_level == "INFO" &&
      aws_lambda_function.this.logging_config[0].system_log_level == "WARN"
    )
    error_message = "JSON logs into the module's log group, INFO/WARN"
  }
  assert {
    condition     = aws_cloudwatch_log_group.this.name == "/aws/lambda/ops-alarms" && aws_cloudwatch_log_group.this.retention_in_days == 30
    error_message = "an explicit log group /aws/lambda/<function> with 30 days retention"
  }
  assert {
    condition     = aws_lambda_function.this.tracing_config[0].mode == "PassThrough" && aws_lambda_function.this.reserved_concurrent_executions == -1
    error_message = "PassThrough tracing, no reserved concurrency by default"
  }
  assert {
    condition = aws_lambda_function.this.environment[0].variables == tomap({
      QUIRKS_ALARMS_TOPIC_ARN      = "arn:aws:sns:us-east-1:123456789012:ops-alarms"
      QUIRKS_ALARMS_CONFIG         = "{}"
      QUIRKS_ALARMS_PRUNE          = "false"
      POWERTOOLS_SERVICE_NAME      = "ops-alarms"
      POWERTOOLS_LOG_LEVEL         = "INFO"
      POWERTOOLS_METRICS_NAMESPACE = "ServerlessQuirks"
    })
    error_message = "environment: topic, the (empty) config inline, prune false, Powertools settings"
  }
  assert {
    condition     = length(aws_ssm_parameter.config) == 0 && output.config_parameter_name == null
    error_message = "a small config stays in the environment: no SSM parameter"
  }
}

run "schedule" {
  command = plan

  assert {
    condition = (
      aws_cloudwatch_event_rule.this.name == "ops-alarms-schedule" &&
      aws_cloudwatch_event_rule.this.schedule_expression == "rate(1 hour)" &&
      aws_cloudwatch_event_rule.this.state == "ENABLED"
    )
    error_message = "an enabled rule runs the function every hour by default"
  }
  assert {
    condition     = aws_cloudwatch_event_target.this.rule == "ops-alarms-schedule"
    error_message = "the target belongs to the schedule rule"
  }
  assert {
    condition = (
      aws_lambda_permission.schedule.action == "lambda:InvokeFunction" &&
      aws_lambda_permission.schedule.principal == "events.amazonaws.com" &&
      aws_lambda_permission.schedule.function_name == "ops-alarms" &&
      aws_lambda_permission.schedule.source_arn == "arn:aws:events:us-east-1:123456789012:rule/ops-alarms-schedule" &&
      aws_lambda_permission.schedule.source_account == "123456789012"
    )
    error_message = "only EventBridge, only from the schedule rule, may invoke the function"
  }
}

run "iam" {
  command = plan

  assert {
    condition     = jsondecode(data.aws_iam_policy_document.assume.json).Statement[0].Principal == { Service = "lambda.amazonaws.com" } && length(jsondecode(data.aws_iam_policy_document.assume.json).Statement) == 1
    error_message = "the role trusts lambda.amazonaws.com only"
  }
  assert {
    condition = {
      for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s.Sid => {
        effect    = s.Effect
        actions   = toset(flatten([s.Action]))
        resources = toset(flatten([s.Resource]))
      }
      } == {
      WriteOwnLogs = {
        effect    = "Allow"
        actions   = toset(["logs:CreateLogStream", "logs:PutLogEvents"])
        resources = toset(["arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/ops-alarms:*"])
      }
      DiscoverAccountWide = {
        effect    = "Allow"
        actions   = toset(["lambda:ListEventSourceMappings", "lambda:ListFunctions", "cloudwatch:DescribeAlarms"])
        resources = toset(["*"])
      }
      ReadInvokeConfigs = {
        effect    = "Allow"
        actions   = toset(["lambda:ListFunctionEventInvokeConfigs"])
        resources = toset(["arn:aws:lambda:us-east-1:123456789012:function:*"])
      }
      ManageQuirksAlarms = {
        effect    = "Allow"
        actions   = toset(["cloudwatch:ListTagsForResource", "cloudwatch:PutMetricAlarm", "cloudwatch:TagResource"])
        resources = toset(["arn:aws:cloudwatch:us-east-1:123456789012:alarm:quirks-*"])
      }
    }
    error_message = "exactly: own logs; account-wide list/describe; invoke configs of this region's functions; writes on quirks-* alarms only"
  }
  assert {
    condition     = !contains(flatten([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : flatten([s.Action])]), "cloudwatch:DeleteAlarms")
    error_message = "no DeleteAlarms without prune"
  }
  assert {
    condition     = output.managed_alarms_arn_pattern == "arn:aws:cloudwatch:us-east-1:123456789012:alarm:quirks-*"
    error_message = "the managed alarms are the quirks-* alarms of the account and region"
  }
}

run "errors_alarm" {
  command = plan

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.errors.alarm_name == "ops-alarms-errors" &&
      aws_cloudwatch_metric_alarm.errors.namespace == "AWS/Lambda" &&
      aws_cloudwatch_metric_alarm.errors.metric_name == "Errors" &&
      aws_cloudwatch_metric_alarm.errors.dimensions == tomap({ FunctionName = "ops-alarms" }) &&
      aws_cloudwatch_metric_alarm.errors.statistic == "Sum" &&
      aws_cloudwatch_metric_alarm.errors.threshold == 0 &&
      aws_cloudwatch_metric_alarm.errors.comparison_operator == "GreaterThanThreshold" &&
      aws_cloudwatch_metric_alarm.errors.treat_missing_data == "notBreaching"
    )
    error_message = "an alarm on the function's own Errors (AlarmSyncError raises into it)"
  }
  assert {
    condition     = !startswith(aws_cloudwatch_metric_alarm.errors.alarm_name, "quirks-") && try(aws_cloudwatch_metric_alarm.errors.tags["managed-by"], null) == null
    error_message = "the module's alarm is neither named nor tagged like an alarm the function manages"
  }
}
