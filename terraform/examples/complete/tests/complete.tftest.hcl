# Plan-only checks of the example as a whole: the wiring between the modules, which no module test
# can see. Offline: the real provider with fake credentials and no account lookups.

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

override_data {
  target = module.fanout.data.aws_caller_identity.current
  values = { account_id = "123456789012", arn = "arn:aws:iam::123456789012:root", id = "123456789012", user_id = "AIDATEST" }
}

override_data {
  target = module.recovery.data.aws_caller_identity.current
  values = { account_id = "123456789012", arn = "arn:aws:iam::123456789012:root", id = "123456789012", user_id = "AIDATEST" }
}

override_data {
  target = module.alerts.data.aws_caller_identity.current
  values = { account_id = "123456789012", arn = "arn:aws:iam::123456789012:root", id = "123456789012", user_id = "AIDATEST" }
}

override_data {
  target = module.alarms.data.aws_caller_identity.current
  values = { account_id = "123456789012", arn = "arn:aws:iam::123456789012:root", id = "123456789012", user_id = "AIDATEST" }
}

override_module {
  target          = module.consumer["billing"]
  override_during = plan
  outputs = {
    function_name  = "orders-billing"
    function_arn   = "arn:aws:lambda:us-east-1:123456789012:function:orders-billing"
    role_name      = "orders-billing"
    log_group_name = "/aws/lambda/orders-billing"
  }
}

override_module {
  target          = module.consumer["search"]
  override_during = plan
  outputs = {
    function_name  = "orders-search"
    function_arn   = "arn:aws:lambda:us-east-1:123456789012:function:orders-search"
    role_name      = "orders-search"
    log_group_name = "/aws/lambda/orders-search"
  }
}

override_module {
  target          = module.consumer["notifications"]
  override_during = plan
  outputs = {
    function_name  = "orders-notifications"
    function_arn   = "arn:aws:lambda:us-east-1:123456789012:function:orders-notifications"
    role_name      = "orders-notifications"
    log_group_name = "/aws/lambda/orders-notifications"
  }
}

override_module {
  target          = module.consumer["analytics"]
  override_during = plan
  outputs = {
    function_name  = "orders-analytics"
    function_arn   = "arn:aws:lambda:us-east-1:123456789012:function:orders-analytics"
    role_name      = "orders-analytics"
    log_group_name = "/aws/lambda/orders-analytics"
  }
}

# Known ARNs at plan time, so the fan-out configuration the example builds can be read whole.
override_resource {
  target          = aws_sqs_queue.search
  override_during = plan
  values          = { arn = "arn:aws:sqs:us-east-1:123456789012:orders-search" }
}

override_resource {
  target          = aws_sqs_queue.analytics_failures
  override_during = plan
  values          = { arn = "arn:aws:sqs:us-east-1:123456789012:orders-analytics-failures" }
}

override_resource {
  target          = aws_sns_topic.notifications
  override_during = plan
  values          = { arn = "arn:aws:sns:us-east-1:123456789012:orders-notifications" }
}

variables {
  package_file           = "../../tests/fixtures/lambda.zip"
  consumers_package_file = "../../tests/fixtures/lambda.zip"
}

run "one_reader_four_consumers" {
  command = plan

  # The stream has exactly one reader: the fan-out module's mapping. The consumers have none on it
  # (the search consumer's mapping reads its own queue).
  assert {
    condition     = module.fanout.config_json != null && length(jsondecode(module.fanout.config_json).targets) == 4
    error_message = "The fan-out config must carry the four consumers."
  }
  assert {
    condition     = toset([for t in jsondecode(module.fanout.config_json).targets : t.id]) == toset(["billing", "search", "notifications", "analytics"])
    error_message = "The four consumers are billing, search, notifications and analytics."
  }
  assert {
    condition     = length(regexall("event_source_arn\\s*=\\s*aws_dynamodb_table\\.orders\\.stream_arn", join("\n", [for f in fileset(path.module, "*.tf") : file("${path.module}/${f}")]))) == 0
    error_message = "No mapping of the example may read the orders stream: the fan-out module is its only reader (a stream shard serves about two)."
  }
  assert {
    condition     = aws_lambda_event_source_mapping.search.event_source_arn == "arn:aws:sqs:us-east-1:123456789012:orders-search"
    error_message = "The search consumer's mapping reads its queue, not the stream."
  }
  assert {
    condition     = aws_lambda_event_source_mapping.search.function_response_types == toset(["ReportBatchItemFailures"])
    error_message = "The search consumer's queue mapping must report partial batch failures."
  }
  assert {
    condition     = [for t in jsondecode(module.fanout.config_json).targets : t.on_failure.mode if t.id == "billing"] == ["block"]
    error_message = "Billing holds its records (block) instead of diverting them."
  }
}

run "failures_end_where_a_human_can_see_them" {
  command = plan

  assert {
    condition     = one(aws_lambda_function_event_invoke_config.analytics.destination_config[0].on_failure[*].destination) == "arn:aws:sqs:us-east-1:123456789012:orders-analytics-failures"
    error_message = "The analytics consumer's async failures must go to its failure queue."
  }
  assert {
    condition     = length(module.alerts.subscription_filter_names) == 7
    error_message = "The notifier must subscribe the four consumers, fan-out, recovery and alarms functions."
  }
  assert {
    condition     = !contains(keys(module.alerts.subscription_filter_names), module.alerts.log_group_name)
    error_message = "The notifier must never subscribe its own log group (it would loop)."
  }
}

run "the_example_name_is_validated" {
  command = plan

  variables {
    name = "Orders_Prod"
  }

  expect_failures = [var.name]
}

run "a_zip_of_its_own_names_a_consumer_of_the_example" {
  command = plan

  variables {
    consumer_package_files = { payments = "../../tests/fixtures/lambda.zip" }
  }

  expect_failures = [var.consumer_package_files]
}
