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

variable "force_destroy" {
  description = "Let `terraform destroy` delete the archive bucket while it holds archives (throw-away environments only)."
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
