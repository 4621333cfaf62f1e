################################################################################
# Shared function settings (the same in every serverless-quirks module)
################################################################################

variable "name" {
  description = "Prefix of every resource name (function `<name>-recovery`, queues `<name>-pointers` and `<name>-pointers-dlq`, bucket `<name>-archive-<account id>`, alarms `<name>-recovery-*`)."
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
  description = "Function timeout in seconds (60-900). The handler stops reading 20 s before its deadline to write archives and the manifest; docs/recovery.md recommends 5 minutes or more. The pointer queue's visibility timeout is derived from it (6 x timeout + batching window)."
  type        = number
  default     = 300

  validation {
    condition     = var.timeout >= 60 && var.timeout <= 900
    error_message = "timeout must be between 60 and 900 seconds: the recovery handler keeps a 20 s deadline reserve for writing archives and the manifest, so below 60 s it has almost no time to read a range and silently settles nothing (every pointer goes back to the queue)."
  }
}

variable "memory_size" {
  description = "Function memory in MB (128-10240). Ranges are read 1,000 records per page and gzipped in memory."
  type        = number
  default     = 512

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
  description = "Customer managed KMS key ARN for the log group, the environment variables, both queues and the archive bucket; null uses AWS managed encryption (SSE-SQS, SSE-S3). Its key policy must allow CloudWatch Logs, and the consumers' execution roles (kms:GenerateDataKey) when they send on-failure pointers to the queue."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-zA-Z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not an alias: IAM is scoped to it."
  }
}

variable "tags" {
  description = "Tags for every resource. Must not contain managed-by = serverless-quirks: that tag marks alarms owned by the quirks alarms handler, which would then treat this module's alarms as its own (and prune them)."
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
  description = "Reserved concurrency of the function: -1 for none, otherwise at least maximum_concurrency (a lower value throttles the SQS trigger, and every throttled receive counts towards max_receive_count)."
  type        = number
  default     = -1

  validation {
    condition     = var.reserved_concurrent_executions == -1 || var.reserved_concurrent_executions >= 2
    error_message = "reserved_concurrent_executions must be -1 (unreserved) or at least 2, the lowest maximum concurrency of an SQS trigger (0 would disable recovery)."
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
  description = "SNS topic ARNs notified when one of this module's alarms fires."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.alarm_actions : can(regex("^arn:aws[a-zA-Z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_.-]{1,256}$", a))])
    error_message = "alarm_actions must be SNS topic ARNs (arn:aws:sns:<region>:<account>:<topic>)."
  }
}

variable "ok_actions" {
  description = "SNS topic ARNs notified when one of this module's alarms returns to OK."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.ok_actions : can(regex("^arn:aws[a-zA-Z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_.-]{1,256}$", a))])
    error_message = "ok_actions must be SNS topic ARNs (arn:aws:sns:<region>:<account>:<topic>)."
  }
}

################################################################################
# Streams and the pointer queue
################################################################################

variable "stream_arns" {
  description = "DynamoDB stream ARNs whose on-failure pointers this function recovers (arn:aws:dynamodb:<region>:<account>:table/<table>/stream/<label>, or stream/* for every stream of a table, which survives re-enabling the stream). The stream read permissions are limited to exactly these."
  type        = list(string)

  validation {
    condition     = length(var.stream_arns) >= 1
    error_message = "stream_arns must name at least one DynamoDB stream."
  }

  validation {
    condition     = alltrue([for a in var.stream_arns : can(regex("^arn:aws[a-zA-Z-]*:dynamodb:[a-z0-9-]+:[0-9]{12}:table/[A-Za-z0-9_.-]{3,255}/stream/([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}|\\*)$", a))])
    error_message = "stream_arns must be DynamoDB stream ARNs: arn:aws:dynamodb:<region>:<account>:table/<table>/stream/<label> (label like 2024-01-31T12:00:00.000, or * for every stream of the table). IAM is limited to them."
  }

  validation {
    condition     = length(distinct(var.stream_arns)) == length(var.stream_arns)
    error_message = "stream_arns must not repeat an ARN."
  }
}

variable "create_pointer_queue" {
  description = "Create the pointer queue (SSE, 14-day retention, redrive to a DLQ the module also creates). Set it to false and pass pointer_queue_arn to use your own queue instead: exactly one of the two."
  type        = bool
  default     = true
}

variable "pointer_queue_arn" {
  description = "ARN of an existing SQS queue that receives the on-failure pointers (only with create_pointer_queue = false). Its visibility timeout must be at least 6 x timeout, and it should have its own redrive policy."
  type        = string
  default     = null

  validation {
    condition     = var.pointer_queue_arn == null || can(regex("^arn:aws[a-zA-Z-]*:sqs:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,80}$", var.pointer_queue_arn))
    error_message = "pointer_queue_arn must be a standard SQS queue ARN (arn:aws:sqs:<region>:<account>:<queue>)."
  }
}

variable "max_receive_count" {
  description = "Receives after which a pointer that is never settled (garbage, or a range that keeps failing) moves from the pointer queue to the DLQ (1-1000)."
  type        = number
  default     = 5

  validation {
    condition     = var.max_receive_count >= 1 && var.max_receive_count <= 1000 && floor(var.max_receive_count) == var.max_receive_count
    error_message = "max_receive_count must be a whole number between 1 and 1000."
  }
}

################################################################################
# The archive
################################################################################

variable "create_archive_bucket" {
  description = "Create the archive bucket (versioned, SSE, public access blocked, TLS only, lifecycle). false archives into the existing bucket archive_bucket_name."
  type        = bool
  default     = true
}

variable "archive_bucket_name" {
  description = "Name of the archive bucket: null creates `<name>-archive-<account id>` (lower case); required with create_archive_bucket = false (an existing bucket)."
  type        = string
  default     = null

  validation {
    condition     = var.archive_bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.archive_bucket_name))
    error_message = "archive_bucket_name must be a valid S3 bucket name: 3-63 characters of a-z, 0-9, '.' and '-', starting and ending with a letter or digit."
  }
}

variable "archive_prefix" {
  description = "Key prefix of archives and manifests in the bucket (QUIRKS_ARCHIVE = s3://<bucket>/<prefix>); s3:PutObject is limited to it. \"\" is the bucket root."
  type        = string
  default     = "archive/"

  validation {
    condition     = can(regex("^([A-Za-z0-9!_.'()-]+/?)*$", var.archive_prefix)) && !can(regex("(^|/)\\.\\.?(/|$)", var.archive_prefix)) && length(var.archive_prefix) <= 512
    error_message = "archive_prefix must be a relative key prefix such as \"archive/\": letters, digits, ! _ . ' ( ) - and single '/' separators, no leading '/', no '.' or '..' segments, no '*'."
  }
}

variable "force_destroy" {
  description = "Allow `terraform destroy` to delete the created archive bucket with every archive in it. Keep false: archives are often the only copy of the records."
  type        = bool
  default     = false
}

variable "archive_noncurrent_version_expiration_days" {
  description = "Days after which noncurrent versions of archives and manifests expire (re-runs rewrite identical archives, leaving noncurrent versions)."
  type        = number
  default     = 30

  validation {
    condition     = var.archive_noncurrent_version_expiration_days >= 1 && floor(var.archive_noncurrent_version_expiration_days) == var.archive_noncurrent_version_expiration_days
    error_message = "archive_noncurrent_version_expiration_days must be a whole number of days, at least 1."
  }
}

variable "archive_transition_days" {
  description = "Days after which current archives move to archive_transition_storage_class; null never transitions."
  type        = number
  default     = 90

  validation {
    condition     = var.archive_transition_days == null || try(var.archive_transition_days >= 30 && floor(var.archive_transition_days) == var.archive_transition_days, false)
    error_message = "archive_transition_days must be null or a whole number of days, at least 30 (S3's minimum before a transition to an infrequent-access class)."
  }
}

variable "archive_transition_storage_class" {
  description = "Storage class current archives move to after archive_transition_days."
  type        = string
  default     = "STANDARD_IA"

  validation {
    condition     = contains(["STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"], var.archive_transition_storage_class)
    error_message = "archive_transition_storage_class must be one of STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER_IR, GLACIER, DEEP_ARCHIVE."
  }
}

variable "archive_expiration_days" {
  description = "Days after which current archives and manifests are deleted; null (the default) never deletes them. Archives may be the only copy of records that a consumer failed to process."
  type        = number
  default     = null

  validation {
    condition     = var.archive_expiration_days == null || try(var.archive_expiration_days >= 1 && floor(var.archive_expiration_days) == var.archive_expiration_days, false)
    error_message = "archive_expiration_days must be null (never delete archives) or a whole number of days, at least 1."
  }
}

################################################################################
# Replay and the SQS trigger
################################################################################

variable "replay_function_arn" {
  description = "ARN of a function to replay the recovered records into after archiving (QUIRKS_REPLAY_FUNCTION); lambda:InvokeFunction is granted on it only. null archives without replaying."
  type        = string
  default     = null

  validation {
    condition     = var.replay_function_arn == null || can(regex("^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]{1,64}(:(\\$LATEST|[A-Za-z0-9_-]{1,128}))?$", var.replay_function_arn))
    error_message = "replay_function_arn must be a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>[:<alias or version>])."
  }
}

variable "batch_size" {
  description = "Pointer messages per invocation (1-10000; above 10 needs maximum_batching_window_in_seconds >= 1). The handler merges the whole batch, so overlapping pointers are read once."
  type        = number
  default     = 10

  validation {
    condition     = var.batch_size >= 1 && var.batch_size <= 10000 && floor(var.batch_size) == var.batch_size
    error_message = "batch_size must be a whole number between 1 and 10000 (the SQS event source mapping limits)."
  }
}

variable "maximum_batching_window_in_seconds" {
  description = "Seconds the SQS trigger waits to fill a batch (0-300). It is added to the queue's visibility timeout, as AWS recommends."
  type        = number
  default     = 0

  validation {
    condition     = var.maximum_batching_window_in_seconds >= 0 && var.maximum_batching_window_in_seconds <= 300 && floor(var.maximum_batching_window_in_seconds) == var.maximum_batching_window_in_seconds
    error_message = "maximum_batching_window_in_seconds must be a whole number between 0 and 300."
  }
}

variable "maximum_concurrency" {
  description = "Maximum concurrent invocations of the SQS trigger (2-1000; 2 is the SQS minimum). Each running invocation holds a stream reader slot while it reads a shard, and a DynamoDB stream shard serves only ~2 simultaneous readers, one of which the failing consumer's own mapping already holds: more concurrency means more throttling of recovery and of the consumers (the reader backs off and keeps the range for a retry). Keep it at 2 unless pointers come from many different shards."
  type        = number
  default     = 2

  validation {
    condition     = var.maximum_concurrency >= 2 && var.maximum_concurrency <= 1000 && floor(var.maximum_concurrency) == var.maximum_concurrency
    error_message = "maximum_concurrency must be a whole number between 2 and 1000 (the limits of an SQS event source mapping's scaling_config)."
  }
}

variable "event_source_mapping_enabled" {
  description = "Whether the SQS trigger is enabled (disable it to pause recovery while investigating; pointers wait in the queue)."
  type        = bool
  default     = true
}

################################################################################
# Alarms
################################################################################

variable "pointer_queue_depth_alarm_minutes" {
  description = "The pointer-queue alarm fires when ApproximateNumberOfMessagesVisible stays above 0 for this many consecutive minutes (the trigger normally drains it within seconds: visible pointers mean recovery is not running)."
  type        = number
  default     = 10

  validation {
    condition     = var.pointer_queue_depth_alarm_minutes >= 1 && var.pointer_queue_depth_alarm_minutes <= 1440 && floor(var.pointer_queue_depth_alarm_minutes) == var.pointer_queue_depth_alarm_minutes
    error_message = "pointer_queue_depth_alarm_minutes must be a whole number of minutes between 1 and 1440."
  }
}

variable "pointer_age_alarm_threshold_seconds" {
  description = "The pointer-age alarm fires when the oldest pointer (ApproximateAgeOfOldestMessage) is older than this. Well below 24 h: the records a pointer names leave the stream 24 h after they were written, and they were written before the pointer was sent."
  type        = number
  default     = 21600

  validation {
    condition     = var.pointer_age_alarm_threshold_seconds >= 300 && var.pointer_age_alarm_threshold_seconds <= 43200
    error_message = "pointer_age_alarm_threshold_seconds must be between 300 and 43200 (12 h): pointers name records that are trimmed 24 h after they were written, so the alarm must leave hours to act."
  }
}
