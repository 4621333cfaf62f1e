# Subscriptions per log group (filters + scoped invoke permissions) and the account-level policy
# that excludes the notifier's own log group.

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

run "no_subscription_by_default" {
  command = plan

  assert {
    condition = (
      length(aws_cloudwatch_log_subscription_filter.this) == 0
      && length(aws_lambda_permission.log_groups) == 0
      && length(aws_lambda_permission.account) == 0
      && length(aws_cloudwatch_log_account_policy.this) == 0
    )
    error_message = "nothing is subscribed unless asked"
  }
  assert {
    condition     = length(output.subscription_filter_names) == 0 && output.account_policy_name == null
    error_message = "empty subscription outputs"
  }
}

run "one_filter_per_log_group_with_the_cli_default_pattern" {
  command = plan

  variables {
    log_group_names = ["/aws/lambda/orders", "/aws/lambda/billing", "/ecs/api"]
  }

  assert {
    condition     = keys(aws_cloudwatch_log_subscription_filter.this) == ["/aws/lambda/billing", "/aws/lambda/orders", "/ecs/api"]
    error_message = "one filter per log group"
  }
  assert {
    condition = alltrue([
      for g, f in aws_cloudwatch_log_subscription_filter.this :
      f.log_group_name == g
      && f.name == "quirks-errors"
      && f.destination_arn == "arn:aws:lambda:us-east-1:123456789012:function:test-alerts"
    ])
    error_message = "each filter is quirks-errors in its group, pointing at the notifier"
  }
  assert {
    # quirks.alerts.patterns.DEFAULT_PATTERN, which `quirks alerts attach` uses by default.
    condition = alltrue([
      for f in values(aws_cloudwatch_log_subscription_filter.this) :
      f.filter_pattern == "?ERROR ?CRITICAL ?FATAL ?\"Task timed out\" ?\"Runtime exited\" ?\"Runtime.ExitError\" ?\"\\\"timeout\\\"\""
    ])
    error_message = "the default pattern is the CLI's DEFAULT_PATTERN, character for character"
  }
  assert {
    condition     = jsonencode(output.subscription_filter_names) == jsonencode({ "/aws/lambda/billing" = "quirks-errors", "/aws/lambda/orders" = "quirks-errors", "/ecs/api" = "quirks-errors" })
    error_message = "output subscription_filter_names maps each group to its filter"
  }
}

run "defaults_are_the_clis_own_constants" {
  command = plan

  # Read from the Python source, so that a change there breaks this test instead of drifting.
  assert {
    condition     = var.filter_pattern == regex("DEFAULT_PATTERN = \\(?\\s*r?'([^']*)'", file("../../../src/quirks/alerts/patterns.py"))[0]
    error_message = "filter_pattern's default is quirks.alerts.patterns.DEFAULT_PATTERN"
  }
  assert {
    condition     = var.subscription_filter_name == regex("FILTER_NAME: Final = \"([^\"]+)\"", file("../../../src/quirks/limits.py"))[0]
    error_message = "subscription_filter_name's default is quirks.limits.FILTER_NAME"
  }
  assert {
    condition     = var.account_policy_name == regex("FILTER_NAME: Final = \"([^\"]+)\"", file("../../../src/quirks/limits.py"))[0] && can(regex("POLICY_NAME: Final = FILTER_NAME", file("../../../src/quirks/alerts/attach.py")))
    error_message = "account_policy_name's default is attach.POLICY_NAME, which is quirks.limits.FILTER_NAME"
  }
}

run "invoke_permission_is_scoped_to_each_group" {
  command = plan

  variables {
    log_group_names = ["/aws/lambda/orders", "/ecs/api"]
  }

  assert {
    condition = {
      for g, p in aws_lambda_permission.log_groups : g => p.source_arn
      } == {
      "/aws/lambda/orders" = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/orders:*"
      "/ecs/api"           = "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/api:*"
    }
    error_message = "source_arn is arn:...:log-group:<name>:* per subscribed group"
  }
  assert {
    condition = alltrue([
      for p in values(aws_lambda_permission.log_groups) :
      p.principal == "logs.amazonaws.com" && p.action == "lambda:InvokeFunction"
      && p.function_name == "test-alerts" && p.source_account == "123456789012"
      && can(regex("^[A-Za-z0-9_-]{1,100}$", p.statement_id))
    ])
    error_message = "CloudWatch Logs of this account may invoke the notifier; statement ids are valid"
  }
  assert {
    condition     = length(distinct([for p in values(aws_lambda_permission.log_groups) : p.statement_id])) == 2
    error_message = "one distinct statement per group"
  }
}

run "custom_pattern_and_filter_name" {
  command = plan

  variables {
    log_group_names          = ["/aws/lambda/orders"]
    filter_pattern           = "{ $.level = \"error\" || $.level = \"ERROR\" }"
    subscription_filter_name = "team-errors"
  }

  assert {
    condition = (
      aws_cloudwatch_log_subscription_filter.this["/aws/lambda/orders"].filter_pattern == "{ $.level = \"error\" || $.level = \"ERROR\" }"
      && aws_cloudwatch_log_subscription_filter.this["/aws/lambda/orders"].name == "team-errors"
    )
    error_message = "filter_pattern and subscription_filter_name are used"
  }
}

run "account_policy_excludes_the_notifiers_own_group" {
  command = plan

  variables {
    account_level_subscription = true
  }

  assert {
    condition = (
      aws_cloudwatch_log_account_policy.this[0].policy_type == "SUBSCRIPTION_FILTER_POLICY"
      && aws_cloudwatch_log_account_policy.this[0].policy_name == "quirks-errors"
      && aws_cloudwatch_log_account_policy.this[0].scope == "ALL"
    )
    error_message = "one SUBSCRIPTION_FILTER_POLICY named quirks-errors for the whole account"
  }
  assert {
    condition     = aws_cloudwatch_log_account_policy.this[0].selection_criteria == "LogGroupName NOT IN [\"/aws/lambda/test-alerts\"]"
    error_message = "the selection criteria exclude the notifier's own group, in attach.py's format"
  }
  assert {
    condition = jsondecode(aws_cloudwatch_log_account_policy.this[0].policy_document) == {
      DestinationArn = "arn:aws:lambda:us-east-1:123456789012:function:test-alerts"
      FilterPattern  = "?ERROR ?CRITICAL ?FATAL ?\"Task timed out\" ?\"Runtime exited\" ?\"Runtime.ExitError\" ?\"\\\"timeout\\\"\""
      Distribution   = "Random"
    }
    error_message = "the policy document is attach.py's: destination, the default pattern, Random"
  }
  assert {
    condition = (
      aws_lambda_permission.account[0].source_arn == "arn:aws:logs:us-east-1:123456789012:log-group:*"
      && aws_lambda_permission.account[0].source_account == "123456789012"
      && aws_lambda_permission.account[0].principal == "logs.amazonaws.com"
      && aws_lambda_permission.account[0].function_name == "test-alerts"
    )
    error_message = "the account policy's permission covers the account's log groups, with source_account"
  }
  assert {
    condition     = length(aws_cloudwatch_log_subscription_filter.this) == 0 && length(aws_lambda_permission.log_groups) == 0
    error_message = "no per-group filters or permissions with the account policy"
  }
  assert {
    condition     = output.account_policy_name == "quirks-errors"
    error_message = "output account_policy_name"
  }
}

run "account_policy_excludes_more_groups_sorted" {
  command = plan

  variables {
    account_level_subscription         = true
    account_policy_name                = "team-errors"
    account_policy_excluded_log_groups = ["/aws/lambda/noisy", "/aws/codebuild/ci", "/aws/lambda/test-alerts"]
  }

  assert {
    condition     = aws_cloudwatch_log_account_policy.this[0].selection_criteria == "LogGroupName NOT IN [\"/aws/codebuild/ci\", \"/aws/lambda/noisy\", \"/aws/lambda/test-alerts\"]"
    error_message = "excluded groups plus the notifier's own, sorted and de-duplicated as attach.py does"
  }
  assert {
    condition     = aws_cloudwatch_log_account_policy.this[0].policy_name == "team-errors"
    error_message = "account_policy_name is used"
  }
}
