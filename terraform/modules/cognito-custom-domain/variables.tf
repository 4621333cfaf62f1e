variable "user_pool_id" {
  description = "Id of the Cognito user pool that gets the custom domain (e.g. `eu-west-1_AbCdEf123`). The pool must be in the region of the default `aws` provider."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+_[0-9A-Za-z]+$", var.user_pool_id)) && length(var.user_pool_id) <= 55
    error_message = "user_pool_id must be a Cognito user pool id such as eu-west-1_AbCdEf123 (<region>_<id>, at most 55 characters)."
  }
}

variable "domain" {
  description = "The custom domain, e.g. `auth.example.com`: a lower-case host name with at least three labels (Cognito resolves its parent, which an apex does not have), at most 63 characters (the CreateUserPoolDomain limit). No trailing dot."
  type        = string

  validation {
    condition = (
      length(var.domain) <= 63 &&
      alltrue([for label in split(".", var.domain) : can(regex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", label))])
    )
    error_message = "domain must be a valid lower-case host name of at most 63 characters: labels of a-z, 0-9 and inner hyphens, separated by single dots, no trailing dot (e.g. auth.example.com)."
  }

  validation {
    condition     = length(split(".", var.domain)) >= 3
    error_message = "domain is an apex domain: Cognito needs a subdomain such as auth.example.com (at least three labels), because it resolves the domain's parent when the domain is created."
  }
}

variable "hosted_zone_id" {
  description = "Id of the public Route53 hosted zone that holds `domain` (its alias A/AAAA records and the certificate's DNS validation record go there)."
  type        = string

  validation {
    condition     = can(regex("^Z[0-9A-Z]{1,31}$", var.hosted_zone_id))
    error_message = "hosted_zone_id must be a Route53 hosted zone id such as Z0123456789ABCDEFGHIJ (without the /hostedzone/ prefix)."
  }
}

variable "certificate_arn" {
  description = "ARN of an existing ACM certificate in us-east-1 that is ISSUED and covers `domain` (its name or a SAN equals the domain or is `*.<parent>`; check it with `quirks cognito-domain check`). When null the module requests one in us-east-1 (through the `aws.us_east_1` provider) and validates it by DNS in `hosted_zone_id`."
  type        = string
  default     = null

  validation {
    condition     = var.certificate_arn == null || can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9A-Za-z-]+$", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN (arn:aws:acm:us-east-1:<account>:certificate/<id>) or null."
  }

  validation {
    condition     = var.certificate_arn == null || try(split(":", var.certificate_arn)[3] == "us-east-1", false)
    error_message = "certificate_arn must be in us-east-1: Cognito serves custom domains through CloudFront, which only uses ACM certificates from us-east-1, whatever the user pool's region. Request or import the certificate in us-east-1 (aws acm request-certificate --region us-east-1 --domain-name <domain>), or leave certificate_arn null to let the module create it."
  }
}

variable "create_parent_a_record" {
  description = "The parent domain (`example.com` for `auth.example.com`) has no A record: create a placeholder `<parent> 60 IN A <parent_a_record_ip>` in `parent_hosted_zone_id` before the domain. Cognito refuses the domain otherwise: CreateUserPoolDomain fails with \"Was not able to resolve the root domain, please ensure an A record exists for the root domain\". Set false when the parent already has an A record (the record is CREATEd, never overwritten, so a true here with an existing A record fails the apply instead of replacing it). No default: only you know the parent's DNS."
  type        = bool
}

variable "parent_a_record_ip" {
  description = "Address of the placeholder A record on the parent. The default 192.0.2.1 is TEST-NET-1 (RFC 5737), reserved for documentation: never someone's real address."
  type        = string
  default     = "192.0.2.1"

  validation {
    condition     = can(regex("^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$", var.parent_a_record_ip))
    error_message = "parent_a_record_ip must be a dotted-quad IPv4 address such as 192.0.2.1 (an A record holds IPv4 only)."
  }
}

variable "parent_hosted_zone_id" {
  description = "Id of the public hosted zone holding the parent domain, when it is not `hosted_zone_id` (e.g. `auth.example.com` is a delegated zone of its own). Null means `hosted_zone_id`. Only used when `create_parent_a_record` is true."
  type        = string
  default     = null

  validation {
    condition     = var.parent_hosted_zone_id == null || can(regex("^Z[0-9A-Z]{1,31}$", var.parent_hosted_zone_id))
    error_message = "parent_hosted_zone_id must be a Route53 hosted zone id such as Z0123456789ABCDEFGHIJ (without the /hostedzone/ prefix), or null."
  }
}

variable "managed_login_version" {
  description = "1: the classic hosted UI; 2: managed login (needs a feature plan that supports it, otherwise CreateUserPoolDomain fails with FeatureUnavailableInTierException). With 2, each app client also needs a managed login branding, which provider 5.x cannot create: see the `managed_login_branding_command` output."
  type        = number
  default     = 2

  validation {
    condition     = contains([1, 2], var.managed_login_version)
    error_message = "managed_login_version must be 1 (classic hosted UI) or 2 (managed login)."
  }
}

variable "create_aaaa_record" {
  description = "Also create the alias AAAA record (IPv6) to Cognito's CloudFront distribution, beside the alias A record."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags for the resources that take tags (the ACM certificate; Route53 records and the user pool domain have none)."
  type        = map(string)
  default     = {}
}
