output "domain" {
  description = "The custom domain of the user pool."
  value       = aws_cognito_user_pool_domain.this.domain
}

output "cloudfront_distribution" {
  description = "The CloudFront domain Cognito serves the custom domain from (the alias records' target)."
  value       = aws_cognito_user_pool_domain.this.cloudfront_distribution
}

output "cloudfront_distribution_zone_id" {
  description = "The Route53 hosted zone id of that CloudFront distribution (Z2FDTNDATAQYW2 in the aws partition)."
  value       = aws_cognito_user_pool_domain.this.cloudfront_distribution_zone_id
}

output "certificate_arn" {
  description = "ARN of the us-east-1 certificate the domain uses: the given one, or the one the module created (after its DNS validation)."
  value       = local.certificate_arn
}

output "parent_a_record_created" {
  description = "Whether the module created the placeholder A record on the parent domain."
  value       = var.create_parent_a_record
}

output "record_fqdns" {
  description = "FQDNs of the Route53 records the module manages, by role: `alias_a`, `alias_aaaa` (when create_aaaa_record), `parent_a` (when create_parent_a_record), `certificate_validation` (when the module creates the certificate)."
  value = merge(
    { for type, record in aws_route53_record.alias : "alias_${lower(type)}" => record.fqdn },
    { for record in aws_route53_record.parent_a : "parent_a" => record.fqdn },
    { for record in aws_route53_record.validation : "certificate_validation" => record.fqdn },
  )
}

output "hosted_ui_base_url" {
  description = "Base URL of the hosted UI / managed login pages and OAuth endpoints (`/oauth2/authorize`, `/oauth2/token`, `/login`, ...)."
  value       = "https://${aws_cognito_user_pool_domain.this.domain}"
}

output "managed_login_version" {
  description = "The managed login version of the domain (1: classic hosted UI, 2: managed login)."
  value       = aws_cognito_user_pool_domain.this.managed_login_version
}

output "managed_login_branding_command" {
  description = "With managed_login_version 2: the command that creates the missing managed login brandings (Cognito-provided values) for every app client of the pool. Provider 5.x has no aws_cognito_managed_login_branding resource; after this apply, the command finds the domain, certificate, aliases and parent in place and only creates the brandings. Null with version 1."
  value = var.managed_login_version == 2 ? join(" ", [
    "quirks cognito-domain setup",
    "--user-pool-id ${var.user_pool_id}",
    "--domain ${var.domain}",
    "--certificate-arn ${local.certificate_arn}",
    "--hosted-zone-id ${var.hosted_zone_id}",
    "--managed-login-version 2",
  ]) : null
}
