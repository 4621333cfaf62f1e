# `terraform validate` cannot check a module that declares configuration_aliases on its own: it
# reports "Provider configuration not present" for every object of the aliased provider
# (hashicorp/terraform#28490, open). This root module calls the module the way users do, with both
# providers, so `terraform init && terraform validate` here validates the module. Never applied:
# the providers use fake credentials and skip every AWS call.

terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.70, < 6.0"
    }
  }
}

provider "aws" {
  region                      = "eu-west-1"
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

module "cognito_custom_domain" {
  source = "../.."

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  user_pool_id           = "eu-west-1_AbCdEf123"
  domain                 = "auth.example.com"
  hosted_zone_id         = "Z0123456789ABCDEFGHIJ"
  create_parent_a_record = true
}
