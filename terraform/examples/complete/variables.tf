variable "region" {
  description = "The region to deploy to."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Prefix of every resource name."
  type        = string
  default     = "orders"

  validation {
    condition     = can(regex("^[a-z0-9-]{1,20}$", var.name))
    error_message = "name must be 1-20 of a-z 0-9 - (it prefixes table, queue, bucket and function names)."
  }
}

variable "package_file" {
  description = "The handlers' zip from `make package` (`quirks package`)."
  type        = string
  default     = "../../../dist/lambda/quirks-lambda-python3.13-arm64.zip"
}

variable "consumers_package_file" {
  description = "The example consumers' zip from `make package` (`quirks package --code terraform/examples/consumers`)."
  type        = string
  default     = "../../../dist/lambda/consumers.zip"
}

variable "consumer_package_files" {
  description = "A zip of its own for some consumers, by consumer (billing, search, notifications, analytics); the others run `consumers_package_file`. Changing one consumer's zip updates only that function."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.consumer_package_files) : contains(["billing", "search", "notifications", "analytics"], k)])
    error_message = "consumer_package_files keys must be consumers of this example: billing, search, notifications, analytics."
  }
}

variable "slack_webhook_secret_name" {
  description = "Name of the Secrets Manager secret this example creates for the Slack webhook URL. Terraform creates the secret only; put the URL in it yourself (docs/deploy.md), so it never enters Terraform state."
  type        = string
  default     = "orders/slack-webhook"
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete buckets that still hold archives (for throw-away environments only)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags on every resource."
  type        = map(string)
  default = {
    Project = "serverless-quirks-example"
  }
}
