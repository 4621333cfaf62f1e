# The user pool domain and its alias records, and the validation of the domain name, the pool id,
# the zone id and the managed login version.

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

provider "aws" {
  alias                       = "us_east_1"
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

variables {
  user_pool_id           = "us-east-1_AbCdEf123"
  domain                 = "auth.example.com"
  hosted_zone_id         = "Z0123456789ABCDEFGHIJ"
  certificate_arn        = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
  create_parent_a_record = false
}

run "domain_with_managed_login_v2_by_default" {
  command = plan

  assert {
    condition     = aws_cognito_user_pool_domain.this.domain == "auth.example.com"
    error_message = "The domain resource must use var.domain."
  }
  assert {
    condition     = aws_cognito_user_pool_domain.this.user_pool_id == "us-east-1_AbCdEf123"
    error_message = "The domain resource must belong to var.user_pool_id."
  }
  assert {
    condition     = aws_cognito_user_pool_domain.this.managed_login_version == 2
    error_message = "managed_login_version must default to 2."
  }
  assert {
    condition     = output.hosted_ui_base_url == "https://auth.example.com"
    error_message = "hosted_ui_base_url must be https://<domain>."
  }
  assert {
    condition     = output.domain == "auth.example.com"
    error_message = "The domain output must be the domain."
  }
  assert {
    condition = output.managed_login_branding_command == join(" ", [
      "quirks cognito-domain setup --user-pool-id us-east-1_AbCdEf123 --domain auth.example.com",
      "--certificate-arn arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
      "--hosted-zone-id Z0123456789ABCDEFGHIJ --managed-login-version 2",
    ])
    error_message = "With version 2 the module must print the setup command that creates the brandings."
  }
}

run "alias_a_and_aaaa_records" {
  command = plan

  assert {
    condition     = toset(keys(aws_route53_record.alias)) == toset(["A", "AAAA"])
    error_message = "Both alias A and AAAA records must be planned by default."
  }
  assert {
    condition     = alltrue([for r in aws_route53_record.alias : r.name == "auth.example.com" && r.zone_id == "Z0123456789ABCDEFGHIJ"])
    error_message = "The alias records must be at the domain, in hosted_zone_id."
  }
  assert {
    condition     = alltrue([for r in aws_route53_record.alias : length(r.alias) == 1 && r.alias[0].evaluate_target_health == false])
    error_message = "The alias records must be aliases without target health evaluation (CloudFront has none)."
  }
  assert {
    condition     = alltrue([for r in aws_route53_record.alias : r.allow_overwrite == false])
    error_message = "The alias records must never overwrite a record someone else put at the domain."
  }
  assert {
    condition     = alltrue([for r in aws_route53_record.alias : r.ttl == null && r.records == null])
    error_message = "Alias records carry neither TTL nor values."
  }
  assert {
    condition     = toset(keys(output.record_fqdns)) == toset(["alias_a", "alias_aaaa"])
    error_message = "record_fqdns must list exactly the alias records here."
  }
}

# The distribution and its zone are known only once Cognito created the domain: here the domain's
# computed attributes are given, to prove that the alias records follow them.
run "alias_records_target_the_domains_cloudfront_distribution" {
  command = plan

  override_resource {
    target          = aws_cognito_user_pool_domain.this
    override_during = plan
    values = {
      cloudfront_distribution         = "d111111abcdef8.cloudfront.net"
      cloudfront_distribution_zone_id = "Z2FDTNDATAQYW2"
    }
  }

  assert {
    condition     = alltrue([for r in aws_route53_record.alias : r.alias[0].name == "d111111abcdef8.cloudfront.net"])
    error_message = "The alias records must target the CloudFront distribution Cognito returns."
  }
  assert {
    condition     = alltrue([for r in aws_route53_record.alias : r.alias[0].zone_id == "Z2FDTNDATAQYW2"])
    error_message = "The alias records must target CloudFront's hosted zone (Z2FDTNDATAQYW2)."
  }
  assert {
    condition     = output.cloudfront_distribution == "d111111abcdef8.cloudfront.net" && output.cloudfront_distribution_zone_id == "Z2FDTNDATAQYW2"
    error_message = "The outputs must report the distribution and its zone."
  }
}

run "no_aaaa_record_when_disabled" {
  command = plan

  variables {
    create_aaaa_record = false
  }

  assert {
    condition     = toset(keys(aws_route53_record.alias)) == toset(["A"])
    error_message = "create_aaaa_record = false must plan the alias A record only."
  }
  assert {
    condition     = toset(keys(output.record_fqdns)) == toset(["alias_a"])
    error_message = "record_fqdns must list only the alias A record."
  }
}

run "classic_hosted_ui" {
  command = plan

  variables {
    managed_login_version = 1
  }

  assert {
    condition     = aws_cognito_user_pool_domain.this.managed_login_version == 1
    error_message = "managed_login_version = 1 must reach the domain."
  }
  assert {
    condition     = output.managed_login_branding_command == null
    error_message = "Version 1 needs no branding: no command."
  }
}

run "rejects_a_pool_of_another_region" {
  command = plan

  variables {
    user_pool_id = "eu-west-1_AbCdEf123"
  }

  expect_failures = [aws_cognito_user_pool_domain.this]
}

run "rejects_managed_login_version_3" {
  command = plan

  variables {
    managed_login_version = 3
  }

  expect_failures = [var.managed_login_version]
}

run "rejects_managed_login_version_0" {
  command = plan

  variables {
    managed_login_version = 0
  }

  expect_failures = [var.managed_login_version]
}

run "rejects_an_apex_domain" {
  command = plan

  variables {
    domain = "example.com"
  }

  expect_failures = [var.domain]
}

run "rejects_a_single_label" {
  command = plan

  variables {
    domain = "localhost"
  }

  expect_failures = [var.domain]
}

run "rejects_an_upper_case_domain" {
  command = plan

  variables {
    domain = "Auth.Example.com"
  }

  expect_failures = [var.domain]
}

run "rejects_an_underscore" {
  command = plan

  variables {
    domain = "auth_ui.example.com"
  }

  expect_failures = [var.domain]
}

run "rejects_a_leading_hyphen" {
  command = plan

  variables {
    domain = "-auth.example.com"
  }

  expect_failures = [var.domain]
}

run "rejects_a_trailing_dot" {
  command = plan

  variables {
    domain = "auth.example.com."
  }

  expect_failures = [var.domain]
}

run "rejects_an_empty_label" {
  command = plan

  variables {
    domain = "auth..example.com"
  }

  expect_failures = [var.domain]
}

run "rejects_a_wildcard" {
  command = plan

  variables {
    domain = "*.example.com"
  }

  expect_failures = [var.domain]
}

run "rejects_a_domain_longer_than_63_characters" {
  command = plan

  variables {
    domain = "login-pages-for-the-customers-of-our-subsidiary.euxx.example.com"
  }

  expect_failures = [var.domain]
}

run "accepts_a_domain_of_exactly_63_characters" {
  command = plan

  variables {
    domain = "login-pages-for-the-customers-of-our-subsidiary.eux.example.com"
  }

  assert {
    condition     = length(aws_cognito_user_pool_domain.this.domain) == 63
    error_message = "A 63-character domain is the longest Cognito accepts and must pass."
  }
}

run "rejects_an_invalid_user_pool_id" {
  command = plan

  variables {
    user_pool_id = "AbCdEf123"
  }

  expect_failures = [var.user_pool_id]
}

run "rejects_a_hosted_zone_id_with_prefix" {
  command = plan

  variables {
    hosted_zone_id = "/hostedzone/Z0123456789ABCDEFGHIJ"
  }

  expect_failures = [var.hosted_zone_id]
}
