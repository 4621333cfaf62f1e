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

run "config_object" {
  command = plan

  variables {
    config = {
      topic    = "arn:aws:sns:us-east-1:123456789012:ops-alarms"
      defaults = { iterator_age_warning = "10m", iterator_age_critical = "2h", async_event_age = 900, queue_depth = 0 }
      functions = {
        orders-projector = { iterator_age_warning = "30m", skip = ["async-event-age"] }
        legacy-consumer  = { skip = true }
      }
      queues = { orders-failures = { queue_depth = 10 }, scratch-dlq = { skip = true } }
    }
  }

  assert {
    condition = jsondecode(aws_lambda_function.this.environment[0].variables["QUIRKS_ALARMS_CONFIG"]) == {
      topic    = "arn:aws:sns:us-east-1:123456789012:ops-alarms"
      defaults = { iterator_age_warning = "10m", iterator_age_critical = "2h", async_event_age = 900, queue_depth = 0 }
      functions = {
        orders-projector = { iterator_age_warning = "30m", skip = ["async-event-age"] }
        legacy-consumer  = { skip = true }
      }
      queues = { orders-failures = { queue_depth = 10 }, scratch-dlq = { skip = true } }
    }
    error_message = "the HCL config reaches QUIRKS_ALARMS_CONFIG as the JSON of docs/alarms.md"
  }
  assert {
    condition     = output.config_json == aws_lambda_function.this.environment[0].variables["QUIRKS_ALARMS_CONFIG"]
    error_message = "config_json is what the function receives"
  }
  assert {
    condition     = !contains(keys(aws_lambda_function.this.environment[0].variables), "QUIRKS_ALARMS_CONFIG_PARAMETER")
    error_message = "a small config is not put in SSM"
  }
}

run "config_edge_cases" {
  command = plan

  variables {
    config = {
      defaults  = { iterator_age_warning = "1h30m", iterator_age_critical = "1d", async_event_age = "500ms" }
      functions = { a = { skip = false }, b = { skip = [] }, c = { async_event_age = 1.5 } }
      queues    = {}
    }
  }

  assert {
    condition = jsondecode(aws_lambda_function.this.environment[0].variables["QUIRKS_ALARMS_CONFIG"]) == {
      defaults  = { iterator_age_warning = "1h30m", iterator_age_critical = "1d", async_event_age = "500ms" }
      functions = { a = { skip = false }, b = { skip = [] }, c = { async_event_age = 1.5 } }
      queues    = {}
    }
    error_message = "compound durations, fractional seconds, skip false and empty lists are accepted, as the handler accepts them"
  }
}

run "config_json_string" {
  command = plan

  variables {
    config = "{\"defaults\": {\"iterator_age_warning\": \"10m\"}, \"queues\": {\"orders-failures\": {\"queue_depth\": 10}}}"
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables["QUIRKS_ALARMS_CONFIG"] == "{\"defaults\":{\"iterator_age_warning\":\"10m\"},\"queues\":{\"orders-failures\":{\"queue_depth\":10}}}"
    error_message = "a JSON string config is accepted and passed on (re-encoded)"
  }
}

run "config_in_ssm" {
  command = plan

  variables {
    config        = { defaults = { iterator_age_warning = "10m" } }
    config_in_ssm = true
  }

  assert {
    condition = (
      aws_ssm_parameter.config[0].name == "/ops/quirks-alarms/config" &&
      aws_ssm_parameter.config[0].type == "SecureString" &&
      aws_ssm_parameter.config[0].tier == "Standard"
    )
    error_message = "config_in_ssm writes a standard SecureString parameter (with the AWS managed key aws/ssm without kms_key_arn)"
  }
  assert {
    condition     = nonsensitive(aws_ssm_parameter.config[0].value) == "{\"defaults\":{\"iterator_age_warning\":\"10m\"}}"
    error_message = "the parameter holds the config JSON"
  }
  assert {
    condition = (
      aws_lambda_function.this.environment[0].variables["QUIRKS_ALARMS_CONFIG_PARAMETER"] == "/ops/quirks-alarms/config" &&
      !contains(keys(aws_lambda_function.this.environment[0].variables), "QUIRKS_ALARMS_CONFIG")
    )
    error_message = "the function gets the parameter's name, not the config"
  }
  assert {
    condition = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : {
      actions   = flatten([s.Action])
      resources = flatten([s.Resource])
      } if s.Sid == "ReadConfigParameter"] == [{
      actions   = ["ssm:GetParameter"]
      resources = ["arn:aws:ssm:us-east-1:123456789012:parameter/ops/quirks-alarms/config"]
    }]
    error_message = "ssm:GetParameter on the config parameter only"
  }
  assert {
    condition     = output.config_parameter_name == "/ops/quirks-alarms/config"
    error_message = "the parameter's name is an output"
  }
}

run "large_config_goes_to_ssm" {
  command = plan

  variables {
    config = { functions = { for i in range(100) : "orders-consumer-number-${i}" => { iterator_age_warning = "30m" } } }
  }

  assert {
    condition     = length(output.config_json) > 4096 && length(aws_ssm_parameter.config) == 1
    error_message = "a config over the environment's room goes to SSM without config_in_ssm"
  }
  assert {
    condition     = aws_ssm_parameter.config[0].tier == "Advanced"
    error_message = "configs over 4 KB need an advanced parameter"
  }
  assert {
    condition     = !contains(keys(aws_lambda_function.this.environment[0].variables), "QUIRKS_ALARMS_CONFIG")
    error_message = "the large config is not in the environment"
  }
}

run "prune" {
  command = plan

  variables {
    prune = true
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables["QUIRKS_ALARMS_PRUNE"] == "true"
    error_message = "QUIRKS_ALARMS_PRUNE=true"
  }
  assert {
    condition = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : {
      actions   = flatten([s.Action])
      resources = flatten([s.Resource])
      } if s.Sid == "PruneQuirksAlarms"] == [{
      actions   = ["cloudwatch:DeleteAlarms"]
      resources = ["arn:aws:cloudwatch:us-east-1:123456789012:alarm:quirks-*"]
    }]
    error_message = "prune adds DeleteAlarms on quirks-* alarms only"
  }
}

run "no_topic" {
  command = plan

  variables {
    alarm_topic_arn = null
  }

  assert {
    condition     = !contains(keys(aws_lambda_function.this.environment[0].variables), "QUIRKS_ALARMS_TOPIC_ARN")
    error_message = "no topic variable without alarm_topic_arn (the handler then uses config.topic, if any)"
  }
}

run "kms_key" {
  command = plan

  variables {
    kms_key_arn   = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    config_in_ssm = true
  }

  assert {
    condition = (
      aws_ssm_parameter.config[0].key_id == "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" &&
      aws_cloudwatch_log_group.this.kms_key_id == "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" &&
      aws_lambda_function.this.kms_key_arn == "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    )
    error_message = "the parameter, the log group and the environment use the given key"
  }
  assert {
    condition = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : {
      actions   = flatten([s.Action])
      resources = flatten([s.Resource])
      } if s.Sid == "DecryptWithKmsKey"] == [{
      actions   = ["kms:Decrypt"]
      resources = ["arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
    }]
    error_message = "kms:Decrypt on the given key only"
  }
}

run "tracing_and_schedule" {
  command = plan

  variables {
    tracing_mode                   = "Active"
    schedule_expression            = "cron(15 * * * ? *)"
    schedule_enabled               = false
    reserved_concurrent_executions = 1
    alarm_actions                  = ["arn:aws:sns:us-east-1:123456789012:ops"]
    ok_actions                     = ["arn:aws:sns:us-east-1:123456789012:ops"]
  }

  assert {
    condition     = aws_cloudwatch_event_rule.this.schedule_expression == "cron(15 * * * ? *)" && aws_cloudwatch_event_rule.this.state == "DISABLED"
    error_message = "cron schedules and a disabled rule are passed through"
  }
  assert {
    condition = aws_lambda_function.this.tracing_config[0].mode == "Active" && [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : {
      actions   = toset(flatten([s.Action]))
      resources = flatten([s.Resource])
      } if s.Sid == "WriteTraces"] == [{
      actions   = toset(["xray:PutTraceSegments", "xray:PutTelemetryRecords"])
      resources = ["*"]
    }]
    error_message = "X-Ray permissions only with Active tracing"
  }
  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == 1
    error_message = "reserved concurrency 1 keeps runs from overlapping"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.errors.alarm_actions == toset(["arn:aws:sns:us-east-1:123456789012:ops"]) && aws_cloudwatch_metric_alarm.errors.ok_actions == toset(["arn:aws:sns:us-east-1:123456789012:ops"])
    error_message = "the Errors alarm notifies alarm_actions and ok_actions"
  }
}
