# The certificate: created in us-east-1 through the aws.us_east_1 provider and DNS-validated in the
# domain's zone, or taken as given (and then only from us-east-1).
#
# Each provider gets a default tag naming it, so the certificate's tags_all shows which provider
# configuration creates it.

provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  default_tags {
    tags = { provider_under_test = "default" }
  }
}

provider "aws" {
  alias                       = "us_east_1"
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  default_tags {
    tags = { provider_under_test = "us_east_1" }
  }
}

# A caller's mistake: the "us_east_1" provider points elsewhere.
provider "aws" {
  alias                       = "eu_central_1"
  region                      = "eu-central-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

variables {
  user_pool_id           = "eu-west-1_AbCdEf123"
  domain                 = "auth.example.com"
  hosted_zone_id         = "Z0123456789ABCDEFGHIJ"
  create_parent_a_record = false
  tags                   = { Project = "serverless-quirks" }
}

run "created_in_us_east_1_and_dns_validated" {
  command = plan

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  assert {
    condition     = length(aws_acm_certificate.this) == 1
    error_message = "Without certificate_arn the module must create the certificate."
  }
  assert {
    condition     = aws_acm_certificate.this[0].tags_all["provider_under_test"] == "us_east_1"
    error_message = "The certificate must be created with the aws.us_east_1 provider, not the pool's default provider."
  }
  assert {
    condition     = aws_acm_certificate.this[0].domain_name == "auth.example.com"
    error_message = "The certificate must name the custom domain."
  }
  assert {
    condition     = aws_acm_certificate.this[0].subject_alternative_names == toset(["auth.example.com"])
    error_message = "The certificate must name only the domain (no other alternative names)."
  }
  assert {
    condition     = aws_acm_certificate.this[0].validation_method == "DNS"
    error_message = "The certificate must be validated by DNS (email validation would block the apply)."
  }
  assert {
    condition     = aws_acm_certificate.this[0].options[0].certificate_transparency_logging_preference == "ENABLED"
    error_message = "Certificate transparency logging must stay enabled."
  }
  assert {
    condition     = aws_acm_certificate.this[0].tags["Project"] == "serverless-quirks"
    error_message = "The certificate must carry var.tags."
  }
  assert {
    condition     = data.aws_region.acm.name == "us-east-1" && data.aws_region.current.name == "eu-west-1"
    error_message = "The module must read the region of both providers (pool: eu-west-1, certificate: us-east-1)."
  }
  assert {
    condition     = toset(keys(aws_route53_record.validation)) == toset(["auth.example.com"])
    error_message = "One DNS validation record, for the domain, must be planned."
  }
  assert {
    condition     = aws_route53_record.validation["auth.example.com"].zone_id == "Z0123456789ABCDEFGHIJ"
    error_message = "The validation record must go into the domain's hosted zone."
  }
  assert {
    condition     = aws_route53_record.validation["auth.example.com"].ttl == 60
    error_message = "The validation record must have TTL 60."
  }
  assert {
    condition     = aws_route53_record.validation["auth.example.com"].allow_overwrite == true
    error_message = "The validation record (the same for every certificate of this name in the account) may be taken over."
  }
  assert {
    condition     = length(aws_acm_certificate_validation.this) == 1
    error_message = "The module must wait for the certificate to be ISSUED before the domain uses it."
  }
  assert {
    condition     = contains(keys(output.record_fqdns), "certificate_validation")
    error_message = "record_fqdns must list the validation record."
  }
}

run "existing_certificate_is_used_as_given" {
  command = plan

  variables {
    certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
  }

  assert {
    condition     = length(aws_acm_certificate.this) == 0 && length(aws_acm_certificate_validation.this) == 0
    error_message = "With certificate_arn the module must not create a certificate."
  }
  assert {
    condition     = length(aws_route53_record.validation) == 0
    error_message = "With certificate_arn the module must not create validation records."
  }
  assert {
    condition     = aws_cognito_user_pool_domain.this.certificate_arn == var.certificate_arn
    error_message = "The domain must use the given certificate."
  }
  assert {
    condition     = output.certificate_arn == var.certificate_arn
    error_message = "The certificate_arn output must be the given certificate."
  }
  assert {
    condition     = !contains(keys(output.record_fqdns), "certificate_validation")
    error_message = "record_fqdns must not list a validation record that does not exist."
  }
}

run "rejects_certificate_in_another_region" {
  command = plan

  variables {
    certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
  }

  expect_failures = [var.certificate_arn]
}

run "rejects_a_certificate_arn_that_is_not_an_acm_arn" {
  command = plan

  variables {
    certificate_arn = "arn:aws:iam::123456789012:server-certificate/auth"
  }

  expect_failures = [var.certificate_arn]
}

run "rejects_a_us_east_1_provider_in_another_region" {
  command = plan

  providers = {
    aws           = aws
    aws.us_east_1 = aws.eu_central_1
  }

  expect_failures = [aws_acm_certificate.this]
}
