# A Cognito user pool custom domain in one `terraform apply` (docs/cognito.md):
#
#   1. the parent's placeholder A record (only when requested), and the us-east-1 certificate,
#      created and DNS-validated, unless an existing one is given;
#   2. the user pool domain, after both (explicit depends_on);
#   3. the alias A and AAAA records to the CloudFront distribution Cognito returns, after the
#      domain (the provider waits until the domain is ACTIVE before it returns).
#
# Destroy runs the same graph backwards, which is `quirks cognito-domain teardown`'s order: aliases,
# then the domain, then the placeholder and the certificate.

data "aws_region" "current" {}

# The region the aws.us_east_1 provider really points at: the certificate is created there.
data "aws_region" "acm" {
  provider = aws.us_east_1
}

locals {
  labels = split(".", var.domain)
  # auth.example.com -> example.com (quirks.cognito.names.parent_of)
  parent = join(".", slice(local.labels, 1, length(local.labels)))

  create_certificate    = var.certificate_arn == null
  parent_hosted_zone_id = coalesce(var.parent_hosted_zone_id, var.hosted_zone_id)

  # The validated ARN when the module makes the certificate: whatever reads it waits for ISSUED.
  certificate_arn = local.create_certificate ? aws_acm_certificate_validation.this[0].certificate_arn : var.certificate_arn

  # The user pool id starts with its region: eu-west-1_AbCdEf123.
  user_pool_region = split("_", var.user_pool_id)[0]

  # Same TTL as quirks.cognito.model.PLACEHOLDER_TTL.
  placeholder_ttl = 60

  alias_types = var.create_aaaa_record ? ["A", "AAAA"] : ["A"]
}

################################################################################
# 1a. The parent's placeholder A record
################################################################################

# Cognito resolves the parent when the domain is created and refuses the domain without an A
# record there. Unlike `quirks cognito-domain setup`, no `_quirks-placeholder` TXT marker is
# written: this record belongs to Terraform's state, and the marker would make the quirks CLI
# delete it behind Terraform's back.
resource "aws_route53_record" "parent_a" {
  # checkov:skip=CKV2_AWS_23: the placeholder deliberately points at no resource: Cognito only needs the parent to resolve, and the default 192.0.2.1 is TEST-NET-1 (RFC 5737), reserved for documentation, so it can never dangle onto someone else's address
  count = var.create_parent_a_record ? 1 : 0

  zone_id = local.parent_hosted_zone_id
  name    = local.parent
  type    = "A"
  ttl     = local.placeholder_ttl
  records = [var.parent_a_record_ip]

  # CREATE, never UPSERT: an A record someone else made at the parent makes the apply fail
  # instead of being overwritten.
  allow_overwrite = false
}

################################################################################
# 1b. The certificate, in us-east-1 whatever the pool's region
################################################################################

resource "aws_acm_certificate" "this" {
  count    = local.create_certificate ? 1 : 0
  provider = aws.us_east_1

  domain_name       = var.domain
  validation_method = "DNS"

  options {
    certificate_transparency_logging_preference = "ENABLED"
  }

  tags = var.tags

  lifecycle {
    # A replacement is issued and attached to the domain before the old one is deleted.
    create_before_destroy = true

    precondition {
      condition     = data.aws_region.acm.name == "us-east-1"
      error_message = "The aws.us_east_1 provider passed to this module is configured for ${data.aws_region.acm.name}: Cognito custom domains need the certificate in us-east-1. Pass providers = { aws = aws, aws.us_east_1 = <a provider with region = \"us-east-1\"> }."
    }
  }
}

resource "aws_route53_record" "validation" {
  for_each = {
    for option in(local.create_certificate ? aws_acm_certificate.this[0].domain_validation_options : []) :
    option.domain_name => option
  }

  zone_id = var.hosted_zone_id
  name    = each.value.resource_record_name
  type    = each.value.resource_record_type
  ttl     = 60
  records = [each.value.resource_record_value]

  # ACM's validation record is the same for every certificate of this name in this account: one
  # left by an earlier certificate is ours to take over.
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "this" {
  count    = local.create_certificate ? 1 : 0
  provider = aws.us_east_1

  certificate_arn         = aws_acm_certificate.this[0].arn
  validation_record_fqdns = [for record in aws_route53_record.validation : record.fqdn]
}

################################################################################
# 2. The user pool domain
################################################################################

resource "aws_cognito_user_pool_domain" "this" {
  user_pool_id          = var.user_pool_id
  domain                = var.domain
  certificate_arn       = local.certificate_arn
  managed_login_version = var.managed_login_version

  # Cognito checks the parent's A record and the certificate when the domain is created.
  depends_on = [
    aws_route53_record.parent_a,
    aws_acm_certificate_validation.this,
  ]

  lifecycle {
    precondition {
      condition     = local.user_pool_region == data.aws_region.current.name
      error_message = "user_pool_id ${var.user_pool_id} is a user pool of ${local.user_pool_region}, but the module's default aws provider is configured for ${data.aws_region.current.name}: pass the provider of the pool's region as aws."
    }

    # Known at plan time for a given certificate_arn (its variable validation says the same);
    # for a certificate made here, it proves the aws.us_east_1 provider put it in us-east-1.
    precondition {
      condition     = split(":", local.certificate_arn)[3] == "us-east-1"
      error_message = "The custom domain's certificate ${local.certificate_arn} is not in us-east-1: Cognito (through CloudFront) only uses ACM certificates from us-east-1."
    }
  }
}

################################################################################
# 3. Alias A and AAAA records to Cognito's CloudFront distribution
################################################################################

resource "aws_route53_record" "alias" {
  for_each = toset(local.alias_types)

  zone_id = var.hosted_zone_id
  name    = var.domain
  type    = each.key

  alias {
    name                   = aws_cognito_user_pool_domain.this.cloudfront_distribution
    zone_id                = aws_cognito_user_pool_domain.this.cloudfront_distribution_zone_id # Z2FDTNDATAQYW2
    evaluate_target_health = false
  }

  # An A/AAAA/CNAME record already at the domain belongs to someone else (the quirks check
  # `domain_records`): the apply fails instead of overwriting it.
  allow_overwrite = false
}
