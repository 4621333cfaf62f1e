# The parent's placeholder A record: present exactly when requested, with the documentation
# address, in the right zone, CREATEd (never overwriting an existing record).

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
  user_pool_id    = "us-east-1_AbCdEf123"
  domain          = "auth.example.com"
  hosted_zone_id  = "Z0123456789ABCDEFGHIJ"
  certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
}

run "placeholder_created_when_requested" {
  command = plan

  variables {
    create_parent_a_record = true
  }

  assert {
    condition     = length(aws_route53_record.parent_a) == 1
    error_message = "create_parent_a_record = true must create the placeholder."
  }
  assert {
    condition     = aws_route53_record.parent_a[0].name == "example.com"
    error_message = "The placeholder must be at the domain's parent."
  }
  assert {
    condition     = aws_route53_record.parent_a[0].type == "A"
    error_message = "The placeholder must be an A record (Cognito resolves the parent's A record)."
  }
  assert {
    condition     = aws_route53_record.parent_a[0].records == toset(["192.0.2.1"])
    error_message = "The placeholder must point at 192.0.2.1 (TEST-NET-1, RFC 5737) by default."
  }
  assert {
    condition     = aws_route53_record.parent_a[0].ttl == 60
    error_message = "The placeholder must have TTL 60, as quirks' placeholder does."
  }
  assert {
    condition     = aws_route53_record.parent_a[0].zone_id == "Z0123456789ABCDEFGHIJ"
    error_message = "Without parent_hosted_zone_id the placeholder goes into hosted_zone_id."
  }
  assert {
    condition     = aws_route53_record.parent_a[0].allow_overwrite == false
    error_message = "The placeholder must be CREATEd, never overwrite an existing A record."
  }
  assert {
    condition     = length(aws_route53_record.parent_a[0].alias) == 0
    error_message = "The placeholder must be a simple record, not an alias."
  }
  assert {
    condition     = output.parent_a_record_created == true
    error_message = "parent_a_record_created must be true."
  }
  assert {
    condition     = contains(keys(output.record_fqdns), "parent_a")
    error_message = "record_fqdns must list the placeholder."
  }
}

run "no_placeholder_unless_requested" {
  command = plan

  variables {
    create_parent_a_record = false
  }

  assert {
    condition     = length(aws_route53_record.parent_a) == 0
    error_message = "create_parent_a_record = false must not touch the parent."
  }
  assert {
    condition     = output.parent_a_record_created == false
    error_message = "parent_a_record_created must be false."
  }
  assert {
    condition     = !contains(keys(output.record_fqdns), "parent_a")
    error_message = "record_fqdns must not list a placeholder that does not exist."
  }
}

run "placeholder_in_the_parent_zone_with_a_chosen_address" {
  command = plan

  variables {
    domain                 = "login.auth.example.com"
    hosted_zone_id         = "Z0AUTHEXAMPLECOM"
    parent_hosted_zone_id  = "Z0EXAMPLECOM"
    create_parent_a_record = true
    parent_a_record_ip     = "198.51.100.7"
  }

  assert {
    condition     = aws_route53_record.parent_a[0].name == "auth.example.com"
    error_message = "The parent of login.auth.example.com is auth.example.com (one label off)."
  }
  assert {
    condition     = aws_route53_record.parent_a[0].zone_id == "Z0EXAMPLECOM"
    error_message = "The placeholder must go into parent_hosted_zone_id when given."
  }
  assert {
    condition     = aws_route53_record.parent_a[0].records == toset(["198.51.100.7"])
    error_message = "The placeholder must use parent_a_record_ip."
  }
  assert {
    condition     = alltrue([for r in aws_route53_record.alias : r.zone_id == "Z0AUTHEXAMPLECOM"])
    error_message = "The alias records stay in hosted_zone_id."
  }
}

run "rejects_an_ipv6_placeholder" {
  command = plan

  variables {
    create_parent_a_record = true
    parent_a_record_ip     = "2001:db8::1"
  }

  expect_failures = [var.parent_a_record_ip]
}

run "rejects_an_out_of_range_octet" {
  command = plan

  variables {
    create_parent_a_record = true
    parent_a_record_ip     = "192.0.2.256"
  }

  expect_failures = [var.parent_a_record_ip]
}

run "rejects_a_host_name_as_placeholder" {
  command = plan

  variables {
    create_parent_a_record = true
    parent_a_record_ip     = "example.net"
  }

  expect_failures = [var.parent_a_record_ip]
}

run "rejects_an_invalid_parent_zone_id" {
  command = plan

  variables {
    create_parent_a_record = true
    parent_hosted_zone_id  = "/hostedzone/Z0EXAMPLECOM"
  }

  expect_failures = [var.parent_hosted_zone_id]
}
