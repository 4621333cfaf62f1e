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

# Where the configuration goes: inline in QUIRKS_FANOUT_CONFIG while the environment fits Lambda's
# 4 KB, else (or with config_in_ssm = true) in an SSM parameter named by QUIRKS_FANOUT_CONFIG_SSM;
# over SSM's 8 KB it is rejected at plan time.

variables {
  package_file = "../../tests/fixtures/lambda.zip"
  name         = "orders"
  stream_arn   = "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000"
  targets = [
    { id = "billing", type = "sqs", destination = "arn:aws:sqs:us-east-1:123456789012:billing" },
  ]
}

run "small_config_is_inline" {
  command = plan

  assert {
    condition     = aws_lambda_function.this.environment[0].variables["QUIRKS_FANOUT_CONFIG"] == output.config_json
    error_message = "A small configuration is passed inline."
  }

  assert {
    condition     = !contains(keys(aws_lambda_function.this.environment[0].variables), "QUIRKS_FANOUT_CONFIG_SSM") && length(aws_ssm_parameter.config) == 0 && output.config_ssm_parameter_name == null
    error_message = "No SSM parameter for an inline configuration."
  }

  assert {
    condition     = length([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s if s.Sid == "ReadConfigParameter"]) == 0
    error_message = "No ssm:GetParameter for an inline configuration."
  }
}

run "config_in_ssm_on_request" {
  command = plan

  variables {
    config_in_ssm = true
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables["QUIRKS_FANOUT_CONFIG_SSM"] == "/orders/quirks-fanout/config" && !contains(keys(aws_lambda_function.this.environment[0].variables), "QUIRKS_FANOUT_CONFIG")
    error_message = "config_in_ssm = true names the parameter in QUIRKS_FANOUT_CONFIG_SSM and drops QUIRKS_FANOUT_CONFIG."
  }

  assert {
    condition     = aws_ssm_parameter.config[0].name == "/orders/quirks-fanout/config" && aws_ssm_parameter.config[0].value == output.config_json
    error_message = "The parameter holds the configuration JSON."
  }

  assert {
    condition     = aws_ssm_parameter.config[0].type == "SecureString" && aws_ssm_parameter.config[0].tier == "Standard"
    error_message = "A small configuration is a Standard SecureString."
  }

  assert {
    condition     = toset(keys(aws_lambda_function.this.environment[0].variables)) == toset(["POWERTOOLS_SERVICE_NAME", "POWERTOOLS_LOG_LEVEL", "POWERTOOLS_METRICS_NAMESPACE", "QUIRKS_FANOUT_CONFIG_SSM"])
    error_message = "The environment holds the Powertools settings and the parameter name only."
  }
}

run "config_in_ssm_with_kms" {
  command = plan

  variables {
    config_in_ssm = true
    kms_key_arn   = "arn:aws:kms:us-east-1:123456789012:key/11111111-1111-1111-1111-111111111111"
  }

  assert {
    condition     = aws_ssm_parameter.config[0].key_id == var.kms_key_arn
    error_message = "The SecureString is encrypted with kms_key_arn."
  }

  assert {
    condition     = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s.Resource if s.Sid == "UseGivenKmsKeys"] == [var.kms_key_arn]
    error_message = "The role may decrypt with the given key."
  }
}

run "large_config_needs_config_in_ssm" {
  command = plan

  # Not switched silently: with targets created in the same apply the size is unknown at plan time,
  # so the choice is the caller's, and a configuration over the limit is refused with the fix.
  variables {
    targets = [for i in range(20) : {
      id          = "consumer-${i}"
      type        = "sqs"
      destination = "arn:aws:sqs:us-east-1:123456789012:consumer-queue-${i}"
      filter      = jsonencode({ eventName = ["INSERT", "MODIFY"], dynamodb = { NewImage = { status = { S = ["paid", "shipped"] } } } })
    }]
  }

  expect_failures = [aws_lambda_function.this]
}

run "large_config_goes_to_ssm" {
  command = plan

  variables {
    config_in_ssm = true
    targets = [for i in range(20) : {
      id          = "consumer-${i}"
      type        = "sqs"
      destination = "arn:aws:sqs:us-east-1:123456789012:consumer-queue-${i}"
      filter      = jsonencode({ eventName = ["INSERT", "MODIFY"], dynamodb = { NewImage = { status = { S = ["paid", "shipped"] } } } })
    }]
  }

  assert {
    condition     = length(output.config_json) > 4096
    error_message = "The test configuration must be larger than the 4 KB environment."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables["QUIRKS_FANOUT_CONFIG_SSM"] == "/orders/quirks-fanout/config" && !contains(keys(aws_lambda_function.this.environment[0].variables), "QUIRKS_FANOUT_CONFIG")
    error_message = "A configuration over the 4 KB environment goes to SSM with config_in_ssm."
  }

  assert {
    condition     = aws_ssm_parameter.config[0].tier == "Advanced" && aws_ssm_parameter.config[0].value == output.config_json
    error_message = "A configuration over 4 KB needs the Advanced tier."
  }

  assert {
    condition     = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : { a = s.Action, r = s.Resource } if s.Sid == "ReadConfigParameter"] == [{ a = "ssm:GetParameter", r = "arn:aws:ssm:us-east-1:123456789012:parameter/orders/quirks-fanout/config" }]
    error_message = "ssm:GetParameter on the parameter only."
  }
}

run "escaping_counts_against_the_environment" {
  command = plan

  # About 3.6 KB of JSON: it fits a Standard parameter, but not the environment once its quotes
  # are escaped inside the environment's own JSON.
  variables {
    targets = [for i in range(13) : {
      id          = "consumer-${i}"
      type        = "sqs"
      destination = "arn:aws:sqs:us-east-1:123456789012:consumer-queue-${i}"
      filter      = jsonencode({ eventName = ["INSERT", "MODIFY"], dynamodb = { NewImage = { s = { S = ["a", "b", "c", "d"] } } } })
    }]
  }

  assert {
    condition     = length(output.config_json) <= 4096 && length(jsonencode({ QUIRKS_FANOUT_CONFIG = output.config_json })) > 4096
    error_message = "The test configuration must fit 4 KB raw but not escaped (${length(output.config_json)} / ${length(jsonencode({ QUIRKS_FANOUT_CONFIG = output.config_json }))})."
  }

  # The environment is measured with its escaping: inline, this configuration is refused.
  expect_failures = [aws_lambda_function.this]
}

run "escaped_config_in_a_standard_parameter" {
  command = plan

  # About 3.6 KB of JSON: it fits a Standard parameter, but not the environment once its quotes
  # are escaped inside the environment's own JSON.
  variables {
    config_in_ssm = true
    targets = [for i in range(13) : {
      id          = "consumer-${i}"
      type        = "sqs"
      destination = "arn:aws:sqs:us-east-1:123456789012:consumer-queue-${i}"
      filter      = jsonencode({ eventName = ["INSERT", "MODIFY"], dynamodb = { NewImage = { s = { S = ["a", "b", "c", "d"] } } } })
    }]
  }

  assert {
    condition     = length(output.config_json) <= 4096 && length(jsonencode({ QUIRKS_FANOUT_CONFIG = output.config_json })) > 4096
    error_message = "The test configuration must fit 4 KB raw but not escaped (${length(output.config_json)} / ${length(jsonencode({ QUIRKS_FANOUT_CONFIG = output.config_json }))})."
  }

  assert {
    condition     = contains(keys(aws_lambda_function.this.environment[0].variables), "QUIRKS_FANOUT_CONFIG_SSM") && aws_ssm_parameter.config[0].tier == "Standard"
    error_message = "The environment is measured with its escaping: this configuration goes to a Standard parameter."
  }
}

run "too_large_for_ssm_is_rejected" {
  command = plan

  variables {
    config_in_ssm = true
    targets = [for i in range(50) : {
      id          = "consumer-with-a-long-name-${i}"
      type        = "sqs"
      destination = "arn:aws:sqs:us-east-1:123456789012:consumer-queue-with-a-long-name-${i}"
      filter      = jsonencode({ eventName = ["INSERT", "MODIFY"], dynamodb = { NewImage = { status = { S = ["paid", "shipped"] } } } })
    }]
  }

  expect_failures = [aws_ssm_parameter.config]
}
