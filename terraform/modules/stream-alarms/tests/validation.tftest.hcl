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

run "schedule_words" {
  command = plan

  variables {
    schedule_expression = "every hour"
  }

  expect_failures = [var.schedule_expression]
}

run "schedule_rate_plural_for_one" {
  command = plan

  variables {
    schedule_expression = "rate(1 hours)"
  }

  expect_failures = [var.schedule_expression]
}

run "schedule_rate_singular_for_many" {
  command = plan

  variables {
    schedule_expression = "rate(5 minute)"
  }

  expect_failures = [var.schedule_expression]
}

run "schedule_rate_zero" {
  command = plan

  variables {
    schedule_expression = "rate(0 minutes)"
  }

  expect_failures = [var.schedule_expression]
}

run "schedule_cron_five_fields" {
  command = plan

  variables {
    schedule_expression = "cron(0 * * * *)"
  }

  expect_failures = [var.schedule_expression]
}

run "schedule_unit_unknown" {
  command = plan

  variables {
    schedule_expression = "rate(2 weeks)"
  }

  expect_failures = [var.schedule_expression]
}

run "timeout_below_30" {
  command = plan

  variables {
    timeout = 29
  }

  expect_failures = [var.timeout]
}

run "timeout_above_900" {
  command = plan

  variables {
    timeout = 901
  }

  expect_failures = [var.timeout]
}

run "topic_not_sns" {
  command = plan

  variables {
    alarm_topic_arn = "arn:aws:sqs:us-east-1:123456789012:ops-alarms"
  }

  expect_failures = [var.alarm_topic_arn]
}

run "topic_not_arn" {
  command = plan

  variables {
    alarm_topic_arn = "ops-alarms"
  }

  expect_failures = [var.alarm_topic_arn]
}

run "config_topic_not_sns" {
  command = plan

  variables {
    config = { topic = "arn:aws:sqs:us-east-1:123456789012:ops" }
  }

  expect_failures = [var.config]
}

run "config_not_object" {
  command = plan

  variables {
    config = ["a"]
  }

  expect_failures = [var.config]
}

run "config_invalid_json" {
  command = plan

  variables {
    config = "{not json"
  }

  expect_failures = [var.config]
}

run "config_unknown_key" {
  command = plan

  variables {
    config = { thresholds = {} }
  }

  expect_failures = [var.config]
}

run "config_null_value" {
  command = plan

  variables {
    config = { defaults = { iterator_age_warning = null } }
  }

  expect_failures = [var.config]
}

run "config_defaults_unknown_key" {
  command = plan

  variables {
    config = { defaults = { iterator_age = "5m" } }
  }

  expect_failures = [var.config]
}

run "config_bad_duration" {
  command = plan

  variables {
    config = { defaults = { iterator_age_warning = "5 minutes" } }
  }

  expect_failures = [var.config]
}

run "config_negative_duration" {
  command = plan

  variables {
    config = { defaults = { async_event_age = -5 } }
  }

  expect_failures = [var.config]
}

run "config_queue_depth_fraction" {
  command = plan

  variables {
    config = { defaults = { queue_depth = 1.5 } }
  }

  expect_failures = [var.config]
}

run "config_queue_depth_string" {
  command = plan

  variables {
    config = { defaults = { queue_depth = "1" } }
  }

  expect_failures = [var.config]
}

run "config_functions_not_object" {
  command = plan

  variables {
    config = { functions = ["orders"] }
  }

  expect_failures = [var.config]
}

run "config_function_unknown_key" {
  command = plan

  variables {
    config = { functions = { orders = { queue_depth = 1 } } }
  }

  expect_failures = [var.config]
}

run "config_function_bad_duration" {
  command = plan

  variables {
    config = { functions = { orders = { iterator_age_critical = "2 hours" } } }
  }

  expect_failures = [var.config]
}

run "config_function_unknown_kind" {
  command = plan

  variables {
    config = { functions = { orders = { skip = ["iterator-age"] } } }
  }

  expect_failures = [var.config]
}

run "config_function_skip_string" {
  command = plan

  variables {
    config = { functions = { orders = { skip = "true" } } }
  }

  expect_failures = [var.config]
}

run "config_queue_unknown_key" {
  command = plan

  variables {
    config = { queues = { failures = { threshold = 1 } } }
  }

  expect_failures = [var.config]
}

run "config_queue_skip_not_bool" {
  command = plan

  variables {
    config = { queues = { failures = { skip = ["failure-queue-depth"] } } }
  }

  expect_failures = [var.config]
}

run "config_queue_depth_negative" {
  command = plan

  variables {
    config = { queues = { failures = { queue_depth = -1 } } }
  }

  expect_failures = [var.config]
}

run "config_too_large" {
  command = plan

  variables {
    config = { functions = { for i in range(200) : "orders-consumer-number-${i}" => { iterator_age_warning = "30m" } } }
  }

  expect_failures = [var.config]
}

run "runtime_python311" {
  command = plan

  variables {
    runtime = "python3.11"
  }

  expect_failures = [var.runtime]
}

run "architecture_invalid" {
  command = plan

  variables {
    architecture = "aarch64"
  }

  expect_failures = [var.architecture]
}

run "name_invalid" {
  command = plan

  variables {
    name = "ops alarms"
  }

  expect_failures = [var.name]
}

run "package_not_zip" {
  command = plan

  variables {
    package_file = "lambda.jar"
  }

  expect_failures = [var.package_file]
}

run "package_hash_invalid" {
  command = plan

  variables {
    package_hash = "sha256:abc"
  }

  expect_failures = [var.package_hash]
}

run "kms_alias_rejected" {
  command = plan

  variables {
    kms_key_arn = "alias/ops"
  }

  expect_failures = [var.kms_key_arn]
}

run "managed_by_tag_rejected" {
  command = plan

  variables {
    tags = { managed-by = "serverless-quirks" }
  }

  expect_failures = [var.tags]
}

run "reserved_concurrency_zero" {
  command = plan

  variables {
    reserved_concurrent_executions = 0
  }

  expect_failures = [var.reserved_concurrent_executions]
}

run "log_retention_invalid" {
  command = plan

  variables {
    log_retention_days = 0
  }

  expect_failures = [var.log_retention_days]
}

run "log_level_invalid" {
  command = plan

  variables {
    log_level = "TRACE"
  }

  expect_failures = [var.log_level]
}

run "tracing_mode_invalid" {
  command = plan

  variables {
    tracing_mode = "active"
  }

  expect_failures = [var.tracing_mode]
}

run "alarm_action_not_sns" {
  command = plan

  variables {
    alarm_actions = ["arn:aws:lambda:us-east-1:123456789012:function:pager"]
  }

  expect_failures = [var.alarm_actions]
}

run "memory_too_large" {
  command = plan

  variables {
    memory_size = 20480
  }

  expect_failures = [var.memory_size]
}
