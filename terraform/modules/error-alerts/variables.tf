# --------------------------------------------------------------------------------------------
# Shared contract (every serverless-quirks function module)
# --------------------------------------------------------------------------------------------

variable "name" {
  description = "Prefix of every resource name: the function is `<name>-alerts`."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,40}$", var.name))
    error_message = "name must be 1-40 characters of A-Z, a-z, 0-9, _ and -."
  }
}

variable "package_file" {
  description = "Path to the zip built by `quirks package` (all handlers and their dependencies)."
  type        = string

  validation {
    condition     = endswith(var.package_file, ".zip")
    error_message = "package_file must be the path of the .zip that `quirks package` builds."
  }
}

variable "package_hash" {
  description = "Base64 SHA-256 of the zip (`code_sha256` of `quirks package --json`); null = filebase64sha256(package_file)."
  type        = string
  default     = null

  validation {
    condition     = var.package_hash == null || can(regex("^[A-Za-z0-9+/]{43}=$", var.package_hash))
    error_message = "package_hash must be a base64 SHA-256 (44 characters ending in =), e.g. code_sha256 from `quirks package --json`."
  }
}

variable "runtime" {
  description = "Lambda runtime (python3.11 is deprecated by AWS since 2026-06-30)."
  type        = string
  default     = "python3.13"

  validation {
    condition     = contains(["python3.12", "python3.13"], var.runtime)
    error_message = "runtime must be python3.12 or python3.13."
  }
}

variable "architecture" {
  description = "Instruction set of the function."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "architecture must be x86_64 or arm64."
  }
}

variable "timeout" {
  description = "Function timeout in seconds (at least 15: the notifier keeps a 5 s deadline reserve and paces Slack at 1 message/s)."
  type        = number
  default     = 60

  validation {
    condition     = var.timeout >= 15 && var.timeout <= 900
    error_message = "timeout must be between 15 and 900 seconds: the notifier stops sending 5 s before its deadline (DEADLINE_RESERVE_MS) and sends at most one Slack message per second, so below 15 s it silently sends almost nothing and only logs the unsent alerts."
  }
}

variable "memory_size" {
  description = "Function memory in MB."
  type        = number
  default     = 256

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240 && floor(var.memory_size) == var.memory_size
    error_message = "memory_size must be a whole number of MB between 128 and 10240."
  }
}

variable "log_retention_days" {
  description = "Retention of the notifier's log group, in days (a value CloudWatch Logs accepts)."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "log_level" {
  description = "Application log level (Lambda advanced logging and POWERTOOLS_LOG_LEVEL)."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARN", "ERROR"], var.log_level)
    error_message = "log_level must be DEBUG, INFO, WARN or ERROR."
  }
}

variable "kms_key_arn" {
  description = "Customer managed KMS key ARN for the log group, the environment, the failure queue, the created Chatbot topic and the dedupe table; null = AWS managed encryption."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not an alias."
  }
}

variable "tags" {
  description = "Tags for every resource that takes tags."
  type        = map(string)
  default     = {}
}

variable "layers" {
  description = "Lambda layer version ARNs (at most 5)."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.layers) <= 5
    error_message = "A Lambda function can use at most 5 layers."
  }
}

variable "reserved_concurrent_executions" {
  description = "Reserved concurrency; -1 = unreserved. Each container paces Slack on its own, so a small value also bounds the message rate."
  type        = number
  default     = -1

  validation {
    condition     = var.reserved_concurrent_executions >= -1 && floor(var.reserved_concurrent_executions) == var.reserved_concurrent_executions
    error_message = "reserved_concurrent_executions must be -1 (unreserved) or a whole number >= 0."
  }
}

variable "alarm_actions" {
  description = "SNS topic ARNs notified when one of the module's alarms fires."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.alarm_actions : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_.-]+$", a))])
    error_message = "alarm_actions must be SNS topic ARNs."
  }
}

variable "ok_actions" {
  description = "SNS topic ARNs notified when one of the module's alarms returns to OK."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.ok_actions : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_.-]+$", a))])
    error_message = "ok_actions must be SNS topic ARNs."
  }
}

variable "tracing_mode" {
  description = "X-Ray tracing mode; Active also grants the X-Ray write actions."
  type        = string
  default     = "PassThrough"

  validation {
    condition     = contains(["PassThrough", "Active"], var.tracing_mode)
    error_message = "tracing_mode must be PassThrough or Active."
  }
}

# --------------------------------------------------------------------------------------------
# Routes (at least one): Slack through a secret or a SecureString, and/or Chatbot through SNS
# --------------------------------------------------------------------------------------------

variable "slack_webhook_secret_arn" {
  description = "Full ARN of the Secrets Manager secret holding the Slack webhook URL (or JSON {\"url\": ...}); passed as QUIRKS_SLACK_WEBHOOK_SECRET. Never the URL itself."
  type        = string
  default     = null

  validation {
    condition     = var.slack_webhook_secret_arn == null || can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$", var.slack_webhook_secret_arn))
    error_message = "slack_webhook_secret_arn must be the full ARN of a Secrets Manager secret (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>), never the webhook URL: the IAM grant is on that exact ARN."
  }
}

variable "slack_webhook_ssm_parameter_name" {
  description = "Name of the SSM SecureString parameter holding the Slack webhook URL, e.g. /quirks/slack-webhook; passed as QUIRKS_SLACK_WEBHOOK_SSM. Never the URL itself."
  type        = string
  default     = null

  validation {
    condition = var.slack_webhook_ssm_parameter_name == null ? true : (
      can(regex("^([A-Za-z0-9_.-]+|(/[A-Za-z0-9_.-]+)+)$", var.slack_webhook_ssm_parameter_name))
      && length(var.slack_webhook_ssm_parameter_name) <= 1011
    )
    error_message = "slack_webhook_ssm_parameter_name must be an SSM parameter name (a-z, A-Z, 0-9, _ . - and / path separators, a path starting with /), never the webhook URL."
  }
}

variable "slack_webhook_kms_key_arn" {
  description = "Customer managed KMS key ARN of the secret / SecureString (kms:Decrypt through that service only); null for the AWS managed key."
  type        = string
  default     = null

  validation {
    condition     = var.slack_webhook_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.slack_webhook_kms_key_arn))
    error_message = "slack_webhook_kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not an alias."
  }
}

variable "chatbot_sns_topic_arn" {
  description = "ARN of an existing standard SNS topic that AWS Chatbot (Amazon Q Developer in chat applications) subscribes to; passed as QUIRKS_ALERTS_SNS_TOPIC."
  type        = string
  default     = null

  validation {
    condition     = var.chatbot_sns_topic_arn == null || can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", var.chatbot_sns_topic_arn))
    error_message = "chatbot_sns_topic_arn must be the ARN of a standard (not FIFO) SNS topic."
  }
}

variable "chatbot_sns_topic_kms_key_arn" {
  description = "Customer managed KMS key ARN that encrypts chatbot_sns_topic_arn, if any (kms:GenerateDataKey and kms:Decrypt through SNS only)."
  type        = string
  default     = null

  validation {
    condition     = var.chatbot_sns_topic_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.chatbot_sns_topic_kms_key_arn))
    error_message = "chatbot_sns_topic_kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not an alias."
  }
}

variable "create_chatbot_topic" {
  description = "Create an encrypted SNS topic `<name>-alerts-chatbot` for AWS Chatbot and route alerts to it."
  type        = bool
  default     = false
}

# --------------------------------------------------------------------------------------------
# Noise control and redaction (quirks.alerts.config)
# --------------------------------------------------------------------------------------------

variable "create_dedupe_table" {
  description = "Create the DynamoDB suppression table (QUIRKS_ALERTS_DEDUPE_TABLE) so windows are shared by all containers; false = per container."
  type        = bool
  default     = true
}

variable "window_seconds" {
  description = "Suppression window per fingerprint in seconds (QUIRKS_ALERTS_WINDOW_SECONDS); 0 disables suppression."
  type        = number
  default     = 900

  validation {
    condition     = var.window_seconds >= 0 && floor(var.window_seconds) == var.window_seconds
    error_message = "window_seconds must be a whole number >= 0 (0 disables suppression)."
  }
}

variable "max_messages" {
  description = "Messages per delivery before the rest go out as one digest (QUIRKS_ALERTS_MAX_MESSAGES)."
  type        = number
  default     = 10

  validation {
    condition     = var.max_messages >= 2 && floor(var.max_messages) == var.max_messages
    error_message = "max_messages must be a whole number >= 2 (the notifier rejects less)."
  }
}

variable "slack_min_interval" {
  description = "Seconds between two messages to the webhook per container (QUIRKS_SLACK_MIN_INTERVAL); Slack allows about 1 message/s."
  type        = number
  default     = 1

  validation {
    condition     = var.slack_min_interval >= 0 && var.slack_min_interval <= 10
    error_message = "slack_min_interval must be between 0 and 10 seconds."
  }
}

variable "redact_patterns" {
  description = "Extra regular expressions (Python syntax) redacted before anything leaves (QUIRKS_ALERTS_REDACT)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for p in var.redact_patterns : length(p) > 0])
    error_message = "redact_patterns must not contain empty strings (an empty pattern matches everywhere)."
  }
}

variable "redact_defaults" {
  description = "Keep the default redactions (e-mail addresses, bearer tokens); false sets QUIRKS_ALERTS_REDACT_DEFAULTS=false."
  type        = bool
  default     = true
}

# --------------------------------------------------------------------------------------------
# Subscriptions
# --------------------------------------------------------------------------------------------

variable "log_group_names" {
  description = "Existing log groups to subscribe (one subscription filter and one invoke permission each). A log group allows at most 2 subscription filters. Never the notifier's own group."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for n in var.log_group_names : can(regex("^[A-Za-z0-9_/.#-]{1,512}$", n))])
    error_message = "log_group_names must be log group names (1-512 characters of A-Z, a-z, 0-9, _ / . # -)."
  }
  validation {
    condition     = length(distinct(var.log_group_names)) == length(var.log_group_names)
    error_message = "log_group_names must not repeat a log group."
  }
}

variable "filter_pattern" {
  description = "CloudWatch Logs filter pattern of the subscriptions; the default is the one `quirks alerts attach` uses (quirks.alerts.patterns.DEFAULT_PATTERN)."
  type        = string
  default     = "?ERROR ?CRITICAL ?FATAL ?\"Task timed out\" ?\"Runtime exited\" ?\"Runtime.ExitError\" ?\"\\\"timeout\\\"\""

  validation {
    condition     = length(var.filter_pattern) <= 1024
    error_message = "filter_pattern must be at most 1024 characters."
  }
}

variable "subscription_filter_name" {
  description = "Name of each subscription filter; the default is the name `quirks alerts attach` manages, so attach sees these filters as its own instead of taking a group's second slot."
  type        = string
  default     = "quirks-errors"

  validation {
    condition     = can(regex("^[^:*]{1,512}$", var.subscription_filter_name))
    error_message = "subscription_filter_name must be 1-512 characters without : or *."
  }
}

variable "account_level_subscription" {
  description = "Subscribe every log group of the account and region with one SUBSCRIPTION_FILTER_POLICY account policy (excluding the notifier's own group) instead of log_group_names."
  type        = bool
  default     = false
}

variable "account_policy_name" {
  description = "Name of the account-level subscription filter policy (the name `quirks alerts attach --account-policy` uses by default)."
  type        = string
  default     = "quirks-errors"

  validation {
    condition     = can(regex("^[A-Za-z0-9_./#-]{1,256}$", var.account_policy_name))
    error_message = "account_policy_name must be 1-256 characters of A-Z, a-z, 0-9, _ . / # -."
  }
}

variable "account_policy_excluded_log_groups" {
  description = "More log groups the account policy leaves alone (the notifier's own group is always excluded; at most 50 names in all)."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.account_policy_excluded_log_groups) <= 49
    error_message = "account_policy_excluded_log_groups takes at most 49 names: the selection criteria exclude at most 50, one of them the notifier's own group."
  }
  validation {
    condition     = alltrue([for n in var.account_policy_excluded_log_groups : can(regex("^[A-Za-z0-9_/.#-]{1,512}$", n))])
    error_message = "account_policy_excluded_log_groups must be log group names (1-512 characters of A-Z, a-z, 0-9, _ / . # -)."
  }
}

# --------------------------------------------------------------------------------------------
# Asynchronous invocation
# --------------------------------------------------------------------------------------------

variable "maximum_retry_attempts" {
  description = "Retries of a failed asynchronous invocation (a delivery) before it goes to the failure queue."
  type        = number
  default     = 2

  validation {
    condition     = contains([0, 1, 2], var.maximum_retry_attempts)
    error_message = "maximum_retry_attempts must be 0, 1 or 2."
  }
}

variable "maximum_event_age_in_seconds" {
  description = "Maximum age of a delivery before Lambda stops retrying it and sends it to the failure queue."
  type        = number
  default     = 21600

  validation {
    condition     = var.maximum_event_age_in_seconds >= 60 && var.maximum_event_age_in_seconds <= 21600 && floor(var.maximum_event_age_in_seconds) == var.maximum_event_age_in_seconds
    error_message = "maximum_event_age_in_seconds must be a whole number between 60 and 21600."
  }
}
