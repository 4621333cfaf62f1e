################################################################################
# Shared function settings (the same in every serverless-quirks module)
################################################################################

variable "name" {
  description = "Prefix of every resource name (function and role `<name>-alarms`, schedule rule `<name>-alarms-schedule`, SSM parameter `/<name>/quirks-alarms/config`, alarm `<name>-alarms-errors`)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,40}$", var.name))
    error_message = "name must be 1-40 characters of A-Z, a-z, 0-9, '_' and '-' (it prefixes function, role, queue and alarm names, which have length limits)."
  }
}

variable "package_file" {
  description = "Path to the deployment zip built by `quirks package` (one deterministic zip with all handlers and their dependencies)."
  type        = string

  validation {
    condition     = endswith(var.package_file, ".zip")
    error_message = "package_file must be the path of the .zip that `quirks package` writes."
  }
}

variable "package_hash" {
  description = "Base64 SHA-256 of the zip (`code_sha256` in `quirks package --json`); null computes it with filebase64sha256(package_file)."
  type        = string
  default     = null

  validation {
    condition     = var.package_hash == null || can(regex("^[A-Za-z0-9+/]{43}=$", var.package_hash))
    error_message = "package_hash must be a base64-encoded SHA-256 (44 characters ending in '='), as `quirks package --json` prints it in code_sha256."
  }
}

variable "runtime" {
  description = "Lambda runtime: python3.12 or python3.13 (python3.11 is deprecated by AWS since 2026-06-30)."
  type        = string
  default     = "python3.13"

  validation {
    condition     = contains(["python3.12", "python3.13"], var.runtime)
    error_message = "runtime must be python3.12 or python3.13 (python3.11 is deprecated by AWS since 2026-06-30)."
  }
}

variable "architecture" {
  description = "Instruction set of the function: arm64 or x86_64 (the package must have been built for it)."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64 or x86_64."
  }
}

variable "timeout" {
  description = "Function timeout in seconds (30-900). A run discovers every mapping and function of the region (one ListFunctionEventInvokeConfigs call per function, one ListTagsForResource call per quirks- alarm, one after another): an account with 500 functions takes some tens of seconds."
  type        = number
  default     = 300

  validation {
    condition     = var.timeout >= 30 && var.timeout <= 900
    error_message = "timeout must be between 30 and 900 seconds: the alarms handler's discovery and apply calls run one after another and need a time reserve; below 30 s a run is cut off before it writes the alarms and silently does nothing."
  }
}

variable "memory_size" {
  description = "Function memory in MB (128-10240)."
  type        = number
  default     = 256

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240 && floor(var.memory_size) == var.memory_size
    error_message = "memory_size must be a whole number of MB between 128 and 10240."
  }
}

variable "log_retention_days" {
  description = "Retention of the function's log group, in days (one of the values CloudWatch Logs accepts)."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "log_level" {
  description = "Application log level (Lambda's application_log_level and POWERTOOLS_LOG_LEVEL)."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARN", "ERROR"], var.log_level)
    error_message = "log_level must be one of DEBUG, INFO, WARN, ERROR."
  }
}

variable "kms_key_arn" {
  description = "Customer managed KMS key ARN for the log group, the environment variables and the SSM config parameter; null uses AWS managed keys (aws/ssm for the parameter). Its key policy must allow CloudWatch Logs to use it."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-zA-Z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not an alias: IAM is scoped to it."
  }
}

variable "tags" {
  description = "Tags for every resource. Must not contain managed-by = serverless-quirks: that tag marks the alarms this function owns, so this module's own Errors alarm would become one of them (and be pruned)."
  type        = map(string)
  default     = {}

  validation {
    condition     = lookup(var.tags, "managed-by", "") != "serverless-quirks"
    error_message = "tags must not contain managed-by = serverless-quirks: the quirks alarms handler owns (updates, prunes) every alarm carrying that tag."
  }
}

variable "layers" {
  description = "Lambda layer ARNs to add to the function (at most 5)."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.layers) <= 5 && alltrue([for l in var.layers : can(regex("^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:[0-9]{12}:layer:[A-Za-z0-9_-]+:[0-9]+$", l))])
    error_message = "layers must be at most 5 versioned layer ARNs (arn:aws:lambda:<region>:<account>:layer:<name>:<version>)."
  }
}

variable "reserved_concurrent_executions" {
  description = "Reserved concurrency of the function: -1 for none; 1 keeps two runs from ever overlapping (runs are idempotent, so overlapping only costs API calls)."
  type        = number
  default     = -1

  validation {
    condition     = var.reserved_concurrent_executions == -1 || var.reserved_concurrent_executions >= 1
    error_message = "reserved_concurrent_executions must be -1 (unreserved) or at least 1 (0 would stop every scheduled run)."
  }
}

variable "tracing_mode" {
  description = "X-Ray tracing mode: PassThrough or Active (Active adds the X-Ray write permissions)."
  type        = string
  default     = "PassThrough"

  validation {
    condition     = contains(["PassThrough", "Active"], var.tracing_mode)
    error_message = "tracing_mode must be PassThrough or Active."
  }
}

variable "alarm_actions" {
  description = "SNS topic ARNs notified when this module's own alarm (the function's Errors) fires. The alarms the function manages use alarm_topic_arn."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.alarm_actions : can(regex("^arn:aws[a-zA-Z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_.-]{1,256}$", a))])
    error_message = "alarm_actions must be SNS topic ARNs (arn:aws:sns:<region>:<account>:<topic>)."
  }
}

variable "ok_actions" {
  description = "SNS topic ARNs notified when this module's own alarm returns to OK."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.ok_actions : can(regex("^arn:aws[a-zA-Z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_.-]{1,256}$", a))])
    error_message = "ok_actions must be SNS topic ARNs (arn:aws:sns:<region>:<account>:<topic>)."
  }
}

################################################################################
# What the function manages
################################################################################

variable "alarm_topic_arn" {
  description = "SNS topic for the alarm and OK actions of every alarm the function manages (QUIRKS_ALARMS_TOPIC_ARN; wins over config.topic). The handler does not require one: with neither this nor config.topic the alarms change state but notify no one."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_topic_arn == null || can(regex("^arn:aws[a-zA-Z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_.-]{1,256}$", var.alarm_topic_arn))
    error_message = "alarm_topic_arn must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>)."
  }
}

variable "config" {
  description = "The alarms config of docs/alarms.md ('Config file'): an object, or a JSON string holding one (e.g. file(\"alarms.json\")), with optional keys topic, defaults {iterator_age_warning, iterator_age_critical, async_event_age, queue_depth}, functions {<name> = {iterator_age_warning, iterator_age_critical, async_event_age, skip = true | [kinds]}} and queues {<name> = {queue_depth, skip = bool}}. Durations are seconds or strings with units (\"500ms\", \"90s\", \"5m\", \"1h30m\", \"1d\"). Passed in QUIRKS_ALARMS_CONFIG, or in an SSM parameter when larger than 3 KB or config_in_ssm is true."
  type        = any
  default     = {}
  nullable    = false

  validation {
    condition     = can(keys(try(jsondecode(var.config), var.config)))
    error_message = "config must be an object, or a JSON string holding an object (docs/alarms.md, 'Config file')."
  }

  validation {
    condition     = try(length(setsubtract(keys(try(jsondecode(var.config), var.config)), ["topic", "defaults", "functions", "queues"])) == 0, false)
    error_message = "config may only have the keys topic, defaults, functions and queues: the handler rejects unknown settings (and fails every run)."
  }

  validation {
    condition = try(alltrue(concat(
      [for k, v in try(jsondecode(var.config), var.config) : v != null],
      [for k, v in try(try(jsondecode(var.config), var.config).defaults, {}) : v != null],
      flatten([for f, e in try(try(jsondecode(var.config), var.config).functions, {}) : [for k, v in e : v != null]]),
      flatten([for q, e in try(try(jsondecode(var.config), var.config).queues, {}) : [for k, v in e : v != null]]),
    )), false)
    error_message = "config must not contain null values (leave the key out instead), and the entries of functions and queues must be objects."
  }

  validation {
    condition     = try(try(jsondecode(var.config), var.config).topic, null) == null ? true : can(regex("^arn:aws[a-zA-Z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_.-]{1,256}$", try(jsondecode(var.config), var.config).topic))
    error_message = "config.topic must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>)."
  }

  validation {
    condition = try(
      can(keys(try(jsondecode(var.config), var.config).defaults)) &&
      length(setsubtract(keys(try(jsondecode(var.config), var.config).defaults), ["iterator_age_warning", "iterator_age_critical", "async_event_age", "queue_depth"])) == 0 &&
      alltrue([
        for k, v in try(jsondecode(var.config), var.config).defaults :
        k == "queue_depth" ? try(v == floor(v) && v >= 0, false) : can(regex("^([0-9]+(\\.[0-9]+)?|([0-9]+(\\.[0-9]+)?(ms|s|m|h|d))+)$", lower(trimspace(tostring(v)))))
      ]),
      try(!contains(keys(try(jsondecode(var.config), var.config)), "defaults"), true)
    )
    error_message = "config.defaults may only set iterator_age_warning, iterator_age_critical and async_event_age (seconds, or \"500ms\", \"90s\", \"5m\", \"1h30m\", \"1d\") and queue_depth (a whole number >= 0)."
  }

  validation {
    condition = try(
      can(keys(try(jsondecode(var.config), var.config).functions)) &&
      alltrue([
        for f, e in try(jsondecode(var.config), var.config).functions :
        length(setsubtract(keys(e), ["iterator_age_warning", "iterator_age_critical", "async_event_age", "skip"])) == 0 &&
        alltrue([
          for k, v in e :
          k == "skip" ? (v == true || v == false || try(alltrue([for kind in v : contains(["iterator-age-warning", "iterator-age-critical", "failure-queue-depth", "destination-delivery-failures", "async-event-age", "dead-letter-errors"], kind)]), false)) : can(regex("^([0-9]+(\\.[0-9]+)?|([0-9]+(\\.[0-9]+)?(ms|s|m|h|d))+)$", lower(trimspace(tostring(v)))))
        ])
      ]),
      try(!contains(keys(try(jsondecode(var.config), var.config)), "functions"), true)
    )
    error_message = "config.functions must map function names to objects with iterator_age_warning, iterator_age_critical, async_event_age (durations) and skip (true, false, or a list of the kinds iterator-age-warning, iterator-age-critical, failure-queue-depth, destination-delivery-failures, async-event-age, dead-letter-errors)."
  }

  validation {
    condition = try(
      can(keys(try(jsondecode(var.config), var.config).queues)) &&
      alltrue([
        for q, e in try(jsondecode(var.config), var.config).queues :
        length(setsubtract(keys(e), ["queue_depth", "skip"])) == 0 &&
        alltrue([for k, v in e : k == "skip" ? (v == true || v == false) : try(v == floor(v) && v >= 0, false)])
      ]),
      try(!contains(keys(try(jsondecode(var.config), var.config)), "queues"), true)
    )
    error_message = "config.queues must map queue names to objects with queue_depth (a whole number >= 0) and skip (true or false)."
  }

  validation {
    condition     = try(length(jsonencode(try(jsondecode(var.config), var.config))) <= 8192, false)
    error_message = "config must encode to at most 8192 characters of JSON (the limit of an advanced SSM parameter)."
  }
}

variable "config_in_ssm" {
  description = "Pass the config in an SSM SecureString parameter (QUIRKS_ALARMS_CONFIG_PARAMETER) instead of the environment. Configs larger than 3 KB always go to SSM: the Lambda environment is limited to 4 KB in total."
  type        = bool
  default     = false
}

variable "prune" {
  description = "Delete orphaned alarms, i.e. alarms tagged managed-by = serverless-quirks that are no longer desired (QUIRKS_ALARMS_PRUNE; adds cloudwatch:DeleteAlarms on quirks-* alarms). Alarms without the tag are never deleted."
  type        = bool
  default     = false
}

variable "schedule_expression" {
  description = "EventBridge schedule of the runs: rate(...) or cron(...) (hourly is plenty: new mappings and functions get their alarms within one period)."
  type        = string
  default     = "rate(1 hour)"

  validation {
    condition     = can(regex("^(rate\\((1 (minute|hour|day)|([2-9]|[1-9][0-9]+) (minutes|hours|days))\\)|cron\\([^ ()]+( [^ ()]+){5}\\))$", var.schedule_expression))
    error_message = "schedule_expression must be an EventBridge schedule: rate(1 hour), rate(30 minutes) (singular unit for 1, plural otherwise) or cron(<6 fields>), e.g. cron(0 * * * ? *)."
  }
}

variable "schedule_enabled" {
  description = "Whether the schedule rule is enabled (disable it to stop the runs without destroying anything)."
  type        = bool
  default     = true
}
