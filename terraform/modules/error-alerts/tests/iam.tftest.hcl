# The notifier's role: trust, and a policy scoped to exactly what the function touches. The
# assertions decode the policy that is attached (aws_iam_role_policy.this.policy).

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

run "trust_policy_is_lambda_only" {
  command = plan

  assert {
    condition     = length(jsondecode(aws_iam_role.this.assume_role_policy).Statement) == 1
    error_message = "one trust statement"
  }
  assert {
    condition = (
      jsondecode(aws_iam_role.this.assume_role_policy).Statement[0].Principal == { Service = "lambda.amazonaws.com" }
      && jsondecode(aws_iam_role.this.assume_role_policy).Statement[0].Action == "sts:AssumeRole"
      && jsondecode(aws_iam_role.this.assume_role_policy).Statement[0].Effect == "Allow"
    )
    error_message = "only lambda.amazonaws.com may assume the role"
  }
  assert {
    condition     = aws_iam_role.this.name == "test-alerts" && aws_iam_role_policy.this.role == "test-alerts"
    error_message = "one role per function, named after it, with the inline policy"
  }
}

run "secret_route_grants_that_secret_only" {
  command = plan

  assert {
    condition = toset([for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s.Sid]) == toset([
      "WriteOwnLogs", "ReadSlackWebhookSecret", "SuppressionWindows", "OnFailureDestination",
    ])
    error_message = "exactly: own logs, the secret, the dedupe table, the failure queue (no SSM, KMS, SNS or X-Ray)"
  }
  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role_policy.this.policy).Statement :
      s.Effect == "Allow" && !contains(flatten([s.Resource]), "*") && !anytrue([for a in flatten([s.Action]) : strcontains(a, "*")])
    ])
    error_message = "no wildcard resource or action"
  }
  assert {
    condition = jsonencode([
      for s in jsondecode(aws_iam_role_policy.this.policy).Statement : {
        actions = sort(flatten([s.Action])), resources = flatten([s.Resource])
      } if s.Sid == "WriteOwnLogs"
      ]) == jsonencode([{
        actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        resources = ["arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/test-alerts:*"]
    }])
    error_message = "logs: CreateLogStream and PutLogEvents on the module's own log group only"
  }
  assert {
    condition = jsonencode([
      for s in jsondecode(aws_iam_role_policy.this.policy).Statement : {
        actions = flatten([s.Action]), resources = flatten([s.Resource])
      } if s.Sid == "ReadSlackWebhookSecret"
      ]) == jsonencode([{
        actions   = ["secretsmanager:GetSecretValue"]
        resources = ["arn:aws:secretsmanager:us-east-1:123456789012:secret:quirks/slack-AbC123"]
    }])
    error_message = "secretsmanager:GetSecretValue on the given secret only"
  }
  assert {
    condition = jsonencode([
      for s in jsondecode(aws_iam_role_policy.this.policy).Statement : {
        actions = sort(flatten([s.Action])), resources = flatten([s.Resource])
      } if s.Sid == "SuppressionWindows"
      ]) == jsonencode([{
        actions   = ["dynamodb:Scan", "dynamodb:UpdateItem"]
        resources = ["arn:aws:dynamodb:us-east-1:123456789012:table/test-alerts-dedupe"]
    }])
    error_message = "DynamoStore's UpdateItem and Scan on the dedupe table only"
  }
  assert {
    condition = jsonencode([
      for s in jsondecode(aws_iam_role_policy.this.policy).Statement : {
        actions = flatten([s.Action]), resources = flatten([s.Resource])
      } if s.Sid == "OnFailureDestination"
      ]) == jsonencode([{
        actions   = ["sqs:SendMessage"]
        resources = ["arn:aws:sqs:us-east-1:123456789012:test-alerts-failures"]
    }])
    error_message = "sqs:SendMessage on the failure queue only"
  }
  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role_policy.this.policy).Statement :
      !anytrue([for a in flatten([s.Action]) : startswith(a, "ssm:") || startswith(a, "kms:") || startswith(a, "sns:") || startswith(a, "xray:")])
    ])
    error_message = "no ssm, kms, sns or xray action on the secret route"
  }
}

run "ssm_route_grants_that_parameter_and_key_only" {
  command = plan

  variables {
    slack_webhook_secret_arn         = null
    slack_webhook_ssm_parameter_name = "/quirks/slack-webhook"
    slack_webhook_kms_key_arn        = "arn:aws:kms:us-east-1:123456789012:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
  }

  assert {
    condition = toset([for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s.Sid]) == toset([
      "WriteOwnLogs", "ReadSlackWebhookParameter", "DecryptSlackWebhook", "SuppressionWindows", "OnFailureDestination",
    ])
    error_message = "the parameter and its key replace the secret statement"
  }
  assert {
    condition = jsonencode([
      for s in jsondecode(aws_iam_role_policy.this.policy).Statement : {
        actions = flatten([s.Action]), resources = flatten([s.Resource])
      } if s.Sid == "ReadSlackWebhookParameter"
      ]) == jsonencode([{
        actions   = ["ssm:GetParameter"]
        resources = ["arn:aws:ssm:us-east-1:123456789012:parameter/quirks/slack-webhook"]
    }])
    error_message = "ssm:GetParameter on the given parameter only"
  }
  assert {
    condition = jsonencode([
      for s in jsondecode(aws_iam_role_policy.this.policy).Statement : {
        actions = flatten([s.Action]), resources = flatten([s.Resource]), condition = s.Condition
      } if s.Sid == "DecryptSlackWebhook"
      ]) == jsonencode([{
        actions   = ["kms:Decrypt"]
        resources = ["arn:aws:kms:us-east-1:123456789012:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"]
        condition = { StringEquals = { "kms:ViaService" = "ssm.us-east-1.amazonaws.com" } }
    }])
    error_message = "kms:Decrypt on the given key, through SSM only"
  }
  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role_policy.this.policy).Statement :
      !anytrue([for a in flatten([s.Action]) : startswith(a, "secretsmanager:")])
    ])
    error_message = "no secretsmanager action on the SSM route"
  }
}

run "parameter_without_a_path_keeps_its_arn" {
  command = plan

  variables {
    slack_webhook_secret_arn         = null
    slack_webhook_ssm_parameter_name = "slack-webhook"
  }

  assert {
    condition = jsonencode([
      for s in jsondecode(aws_iam_role_policy.this.policy).Statement : flatten([s.Resource]) if s.Sid == "ReadSlackWebhookParameter"
    ]) == jsonencode([["arn:aws:ssm:us-east-1:123456789012:parameter/slack-webhook"]])
    error_message = "a name without / maps to parameter/<name>"
  }
  assert {
    condition     = !contains([for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s.Sid], "DecryptSlackWebhook")
    error_message = "no kms statement without slack_webhook_kms_key_arn (the aws/ssm key needs none)"
  }
}

run "secret_key_is_used_through_the_secrets_region" {
  command = plan

  variables {
    slack_webhook_secret_arn  = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:quirks/slack-XyZ789"
    slack_webhook_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
  }

  assert {
    condition = jsonencode([
      for s in jsondecode(aws_iam_role_policy.this.policy).Statement : {
        actions = flatten([s.Action]), resources = flatten([s.Resource]), condition = s.Condition
      } if s.Sid == "DecryptSlackWebhook"
      ]) == jsonencode([{
        actions   = ["kms:Decrypt"]
        resources = ["arn:aws:kms:eu-west-1:123456789012:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"]
        condition = { StringEquals = { "kms:ViaService" = "secretsmanager.eu-west-1.amazonaws.com" } }
    }])
    error_message = "kms:Decrypt on the key, through Secrets Manager in the secret's region"
  }
  assert {
    condition = jsonencode([
      for s in jsondecode(aws_iam_role_policy.this.policy).Statement : flatten([s.Resource]) if s.Sid == "ReadSlackWebhookSecret"
    ]) == jsonencode([["arn:aws:secretsmanager:eu-west-1:123456789012:secret:quirks/slack-XyZ789"]])
    error_message = "the grant is on the given ARN"
  }
  assert {
    condition     = !contains([for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s.Sid], "ReadSlackWebhookParameter")
    error_message = "no ssm statement on the secret route"
  }
}

run "created_topic_grants_publish_on_it_only" {
  command = plan

  variables {
    slack_webhook_secret_arn = null
    create_chatbot_topic     = true
    kms_key_arn              = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
  }

  assert {
    condition = toset([for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s.Sid]) == toset([
      "WriteOwnLogs", "PublishChatbotNotifications", "SuppressionWindows", "OnFailureDestination", "UseModuleKey",
    ])
    error_message = "SNS route with the module key: no Slack statements"
  }
  assert {
    condition = jsonencode([
      for s in jsondecode(aws_iam_role_policy.this.policy).Statement : {
        actions = flatten([s.Action]), resources = flatten([s.Resource])
      } if s.Sid == "PublishChatbotNotifications"
      ]) == jsonencode([{
        actions   = ["sns:Publish"]
        resources = ["arn:aws:sns:us-east-1:123456789012:test-alerts-chatbot"]
    }])
    error_message = "sns:Publish on the created topic only"
  }
  assert {
    condition = jsonencode([
      for s in jsondecode(aws_iam_role_policy.this.policy).Statement : {
        actions = sort(flatten([s.Action])), resources = flatten([s.Resource])
        via     = sort(flatten([s.Condition.StringEquals["kms:ViaService"]]))
      } if s.Sid == "UseModuleKey"
      ]) == jsonencode([{
        actions   = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"]
        resources = ["arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"]
        via       = ["dynamodb.us-east-1.amazonaws.com", "sns.us-east-1.amazonaws.com", "sqs.us-east-1.amazonaws.com"]
    }])
    error_message = "the module key, through SQS, SNS and DynamoDB only"
  }
}

run "existing_encrypted_topic_gets_its_key" {
  command = plan

  variables {
    slack_webhook_secret_arn      = null
    create_dedupe_table           = false
    chatbot_sns_topic_arn         = "arn:aws:sns:eu-central-1:210987654321:chatbot"
    chatbot_sns_topic_kms_key_arn = "arn:aws:kms:eu-central-1:210987654321:key/99999999-8888-7777-6666-555555555555"
  }

  assert {
    condition = toset([for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s.Sid]) == toset([
      "WriteOwnLogs", "PublishChatbotNotifications", "EncryptChatbotNotifications", "OnFailureDestination",
    ])
    error_message = "no dedupe table statement when the table is not created; the topic's key is granted"
  }
  assert {
    condition = jsonencode([
      for s in jsondecode(aws_iam_role_policy.this.policy).Statement : flatten([s.Resource]) if s.Sid == "PublishChatbotNotifications"
    ]) == jsonencode([["arn:aws:sns:eu-central-1:210987654321:chatbot"]])
    error_message = "sns:Publish on the given topic only"
  }
  assert {
    condition = jsonencode([
      for s in jsondecode(aws_iam_role_policy.this.policy).Statement : {
        actions = sort(flatten([s.Action])), resources = flatten([s.Resource]), condition = s.Condition
      } if s.Sid == "EncryptChatbotNotifications"
      ]) == jsonencode([{
        actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
        resources = ["arn:aws:kms:eu-central-1:210987654321:key/99999999-8888-7777-6666-555555555555"]
        condition = { StringEquals = { "kms:ViaService" = "sns.eu-central-1.amazonaws.com" } }
    }])
    error_message = "the topic's key through SNS in the topic's region"
  }
}

run "xray_only_when_tracing_is_active" {
  command = plan

  variables {
    tracing_mode = "Active"
  }

  assert {
    condition     = aws_lambda_function.this.tracing_config[0].mode == "Active"
    error_message = "tracing Active"
  }
  assert {
    condition = jsonencode([
      for s in jsondecode(aws_iam_role_policy.this.policy).Statement : {
        actions = sort(flatten([s.Action])), resources = flatten([s.Resource])
      } if s.Sid == "XRayTracing"
      ]) == jsonencode([{
        actions   = ["xray:PutTelemetryRecords", "xray:PutTraceSegments"]
        resources = ["*"]
    }])
    error_message = "X-Ray write actions (no resource-level permissions exist for them)"
  }
  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role_policy.this.policy).Statement :
      !contains(flatten([s.Resource]), "*") if s.Sid != "XRayTracing"
    ])
    error_message = "\"*\" only for X-Ray"
  }
}
