################################################################################
# Shared inputs (the same in every serverless-quirks module)
################################################################################

variable "name" {
  description = "Prefix of every resource name (the function is `<name>-fanout`)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,40}$", var.name))
    error_message = "name must be 1-40 characters of A-Z a-z 0-9 _ -."
  }
}

variable "package_file" {
  description = "Path to the zip built by `quirks package` (all four handlers and their dependencies)."
  type        = string

  validation {
    condition     = endswith(var.package_file, ".zip")
    error_message = "package_file must be the path of the .zip that `quirks package` builds."
  }
}

variable "package_hash" {
  description = "Base64 SHA-256 of the zip (`code_sha256` of `quirks package --json`); null computes it with filebase64sha256(package_file)."
  type        = string
  default     = null

  validation {
    condition     = var.package_hash == null || can(regex("^[A-Za-z0-9+/]{43}=$", var.package_hash))
    error_message = "package_hash must be a base64 SHA-256 (44 characters ending in '='), as `quirks package --json` prints it in code_sha256."
  }
}

variable "runtime" {
  description = "Lambda runtime of the function."
  type        = string
  default     = "python3.13"

  validation {
    condition     = contains(["python3.12", "python3.13"], var.runtime)
    error_message = "runtime must be python3.12 or python3.13 (python3.11 is deprecated by AWS since 2026-06-30)."
  }
}

variable "architecture" {
  description = "Instruction set of the function: the zip from `quirks package` must be built for it."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "architecture must be x86_64 or arm64."
  }
}

variable "timeout" {
  description = "Function timeout in seconds; at least 30 (the handler's retries with backoff need the time)."
  type        = number
  default     = 60

  validation {
    condition     = var.timeout >= 30 && var.timeout <= 900
    error_message = "timeout must be 30..900 seconds: the fan-out handler retries every failed entry with backoff (max_attempts x the slowest call) and keeps a deadline reserve; below 30 s it logs an ERROR at cold start and batches time out mid-delivery, so Lambda retries them and targets that already had the records get them again."
  }
}

variable "memory_size" {
  description = "Function memory in MB (CPU scales with it: the handler JSON-encodes every batch)."
  type        = number
  default     = 512

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240 && floor(var.memory_size) == var.memory_size
    error_message = "memory_size must be a whole number of MB, 128..10240."
  }
}

variable "log_retention_days" {
  description = "Retention of the function's log group, in days (a value CloudWatch Logs accepts)."
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
    error_message = "log_level must be DEBUG, INFO, WARN or ERROR."
  }
}

variable "kms_key_arn" {
  description = "KMS key for the log group, the environment, the SSM configuration, the failure queue, the buckets and the checkpoint table; null uses AWS-managed encryption. Its key policy must let CloudWatch Logs use it."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>); aliases cannot be used for log groups."
  }
}

variable "tags" {
  description = "Tags for every resource that takes them."
  type        = map(string)
  default     = {}
}

variable "layers" {
  description = "Lambda layer version ARNs to add to the function (at most 5)."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.layers) <= 5 && alltrue([for l in var.layers : can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:layer:[A-Za-z0-9_-]+:[0-9]+$", l))])
    error_message = "layers must be at most 5 layer version ARNs (arn:aws:lambda:<region>:<account>:layer:<name>:<version>)."
  }
}

variable "reserved_concurrent_executions" {
  description = "Reserved concurrency of the function; -1 for none. Leave room for (shards x parallelization_factor) concurrent batches."
  type        = number
  default     = -1

  validation {
    condition     = var.reserved_concurrent_executions == -1 || (var.reserved_concurrent_executions >= 1 && floor(var.reserved_concurrent_executions) == var.reserved_concurrent_executions)
    error_message = "reserved_concurrent_executions must be -1 (unreserved) or a whole number >= 1: 0 would stop the stream's only reader."
  }
}

variable "alarm_actions" {
  description = "SNS topic ARNs notified when one of the module's alarms fires."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.alarm_actions : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\\.fifo)?$", a))])
    error_message = "alarm_actions must be SNS topic ARNs."
  }
}

variable "ok_actions" {
  description = "SNS topic ARNs notified when one of the module's alarms recovers."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.ok_actions : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\\.fifo)?$", a))])
    error_message = "ok_actions must be SNS topic ARNs."
  }
}

variable "tracing_mode" {
  description = "X-Ray tracing of the function: PassThrough or Active (Active adds the X-Ray write permissions)."
  type        = string
  default     = "PassThrough"

  validation {
    condition     = contains(["PassThrough", "Active"], var.tracing_mode)
    error_message = "tracing_mode must be PassThrough or Active."
  }
}

################################################################################
# The stream and its targets
################################################################################

variable "stream_arn" {
  description = "ARN of the DynamoDB stream this module reads. The module must be its ONLY reader: no other event source mapping, Pipe or KCL application may read it."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:[0-9]{12}:table/[A-Za-z0-9_.-]{3,255}/stream/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}$", var.stream_arn))
    error_message = "stream_arn must be a DynamoDB stream ARN: arn:aws:dynamodb:<region>:<account>:table/<table>/stream/<YYYY-MM-DDThh:mm:ss.sss> (the table's stream_arn attribute)."
  }
}

variable "targets" {
  description = <<-EOT
    The consumers the stream is fanned out to (1..50). Each: `id` (1-64 of A-Z a-z 0-9 _ . -, unique),
    `type` (lambda|sqs|sns|eventbridge|kinesis), `destination` (the target's ARN: function, queue, topic,
    event bus or stream), `filter` (optional: an event filter pattern, or a list of patterns, as a JSON
    string, e.g. jsonencode({eventName = ["INSERT"]})), `format` (lambda-event|record, default
    lambda-event), `on_failure` (optional: `mode` divert|block, default divert; `destination` an SQS
    queue ARN or s3://bucket/prefix, default the module's failure queue), `source` / `detail_type`
    (eventbridge only), `max_attempts` (1..20, default 4), `max_message_bytes` (sns or sqs, 1024..1048576: the topic's or queue's own maximum; for sqs the
    handler reads the queue's MaximumMessageSize when it is not given).
  EOT
  # `any`, not list(object(...)): Terraform converts an object to an object type by silently dropping
  # attributes the type does not name, so a typo (`filtr`) would deliver everything to the target.
  # The first validations check the shape; main.tf fills in the defaults (local.targets).
  type = any

  validation {
    condition = can([for t in var.targets : keys(t)]) && alltrue([for t in var.targets :
      length(setsubtract(keys(t), ["id", "type", "destination", "filter", "format", "on_failure", "source", "detail_type", "max_attempts", "max_message_bytes"])) == 0
    ])
    error_message = "Every targets[] must be an object of id, type, destination, filter, format, on_failure, source, detail_type, max_attempts, max_message_bytes: another attribute is a typo that would be ignored."
  }

  validation {
    condition     = alltrue([for t in var.targets : can(tostring(t.id)) && can(tostring(t.type)) && can(tostring(t.destination))])
    error_message = "Every targets[] needs id, type and destination (strings)."
  }

  validation {
    condition     = alltrue([for t in var.targets : try(t.on_failure, null) == null || (can(keys(t.on_failure)) && length(setsubtract(try(keys(t.on_failure), []), ["mode", "destination"])) == 0)])
    error_message = "targets[].on_failure takes mode and destination only: another attribute is a typo that would be ignored."
  }

  validation {
    condition     = can(length(var.targets)) && length(var.targets) >= 1 && length(var.targets) <= 50
    error_message = "targets must hold 1..50 targets."
  }

  validation {
    condition     = alltrue([for t in var.targets : can(regex("^[A-Za-z0-9_.-]{1,64}$", t.id))])
    error_message = "Every targets[].id must be 1-64 of A-Z a-z 0-9 _ . - (it names metrics, logs, checkpoints and S3 keys)."
  }

  validation {
    condition     = length(distinct([for t in var.targets : try(t.id, "")])) == length(var.targets)
    error_message = "targets[].id must be unique: checkpoints, metrics and S3 keys are per id."
  }

  validation {
    condition     = alltrue([for t in var.targets : contains(["lambda", "sqs", "sns", "eventbridge", "kinesis"], try(t.type, ""))])
    error_message = "Every targets[].type must be one of lambda, sqs, sns, eventbridge, kinesis."
  }

  validation {
    condition = alltrue([for t in var.targets : can(regex(lookup({
      lambda      = "^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]{1,64}(:(\\$LATEST|[A-Za-z0-9_-]{1,128}))?$"
      sqs         = "^arn:aws[a-z-]*:sqs:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,80}(\\.fifo)?$"
      sns         = "^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\\.fifo)?$"
      eventbridge = "^arn:aws[a-z-]*:events:[a-z0-9-]+:[0-9]{12}:event-bus/[A-Za-z0-9/._-]{1,256}$"
      kinesis     = "^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:[0-9]{12}:stream/[A-Za-z0-9_.-]{1,128}$"
    }, try(t.type, ""), "^$"), t.destination))])
    error_message = "Every targets[].destination must be the ARN of its type: lambda arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>], sqs arn:aws:sqs:<region>:<account>:<queue>, sns arn:aws:sns:<region>:<account>:<topic>, eventbridge arn:aws:events:<region>:<account>:event-bus/<bus>, kinesis arn:aws:kinesis:<region>:<account>:stream/<stream>. (ARNs are what lets IAM be scoped to exactly these resources.)"
  }

  validation {
    condition     = alltrue([for t in var.targets : try(t.filter, null) == null || (can(jsondecode(t.filter)) && !can(tostring(jsondecode(t.filter))))])
    error_message = "Every targets[].filter must be a JSON object (a pattern) or a JSON list of patterns, as a string: filter = jsonencode({eventName = [\"INSERT\"]})."
  }

  validation {
    condition     = alltrue([for t in var.targets : contains(["lambda-event", "record"], coalesce(try(t.format, "lambda-event"), "-"))])
    error_message = "Every targets[].format must be lambda-event or record."
  }

  validation {
    condition     = alltrue([for t in var.targets : try(t.on_failure, {}) != null && contains(["divert", "block"], coalesce(try(t.on_failure.mode, "divert"), "-"))])
    error_message = "Every targets[].on_failure.mode must be divert or block."
  }

  validation {
    condition = alltrue([for t in var.targets : try(t.on_failure.destination, null) == null || can(regex(
      "^(arn:aws[a-z-]*:sqs:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,80}(\\.fifo)?|s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[A-Za-z0-9!_.*'()-]+)*/?)$",
    t.on_failure.destination))])
    error_message = "Every targets[].on_failure.destination must be an SQS queue ARN (arn:aws:sqs:<region>:<account>:<queue>) or s3://bucket/prefix."
  }

  validation {
    condition     = alltrue([for t in var.targets : try(t.type, "") == "eventbridge" || (try(t.source, null) == null && try(t.detail_type, null) == null)])
    error_message = "targets[].source and detail_type are for eventbridge targets only."
  }

  validation {
    condition     = alltrue(flatten([for t in var.targets : [for v in [try(t.source, null), try(t.detail_type, null)] : v == null || (length(coalesce(v, "-")) >= 1 && length(coalesce(v, "-")) <= 256)]]))
    error_message = "targets[].source and detail_type must be 1..256 characters."
  }

  validation {
    condition     = alltrue([for t in var.targets : try(t.max_attempts, null) == null || (try(t.max_attempts >= 1 && t.max_attempts <= 20 && floor(t.max_attempts) == t.max_attempts, false))])
    error_message = "targets[].max_attempts must be a whole number 1..20."
  }

  validation {
    condition     = alltrue([for t in var.targets : try(t.max_message_bytes, null) == null || (contains(["sns", "sqs"], try(t.type, "")) && try(t.max_message_bytes >= 1024 && t.max_message_bytes <= 1048576 && floor(t.max_message_bytes) == t.max_message_bytes, false))])
    error_message = "targets[].max_message_bytes is for sns and sqs targets only, as the topic's or queue's configured maximum: 1024..1048576."
  }
}

variable "destination_kms_key_arns" {
  description = "KMS keys of encrypted targets and failure destinations (queues, topics, streams, buckets given by you); the function gets kms:GenerateDataKey and kms:Decrypt on exactly these."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for k in var.destination_kms_key_arns : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", k))])
    error_message = "destination_kms_key_arns must be KMS key ARNs (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "concurrency" {
  description = "Targets delivered in parallel by one invocation (the config's `concurrency`, 1..64); null keeps the handler's default (8)."
  type        = number
  default     = null

  validation {
    condition     = var.concurrency == null || try(var.concurrency >= 1 && var.concurrency <= 64 && floor(var.concurrency) == var.concurrency, false)
    error_message = "concurrency must be a whole number 1..64."
  }
}

variable "config_in_ssm" {
  description = "Put the configuration in an SSM parameter (QUIRKS_FANOUT_CONFIG_SSM) instead of the environment. Needed when it does not fit Lambda's 4 KB environment (many targets or filters): a precondition says so. A flag, not a guess from the size, because targets created in the same apply have unknown ARNs at plan time."
  type        = bool
  default     = false
}

################################################################################
# The event source mapping
################################################################################

variable "batch_size" {
  description = "Records per batch (1..10000; docs/fanout.md recommends 100-1000)."
  type        = number
  default     = 100

  validation {
    condition     = var.batch_size >= 1 && var.batch_size <= 10000 && floor(var.batch_size) == var.batch_size
    error_message = "batch_size must be a whole number 1..10000."
  }
}

variable "maximum_batching_window_in_seconds" {
  description = "How long the mapping gathers records before invoking (0..300; 0-5 recommended)."
  type        = number
  default     = 1

  validation {
    condition     = var.maximum_batching_window_in_seconds >= 0 && var.maximum_batching_window_in_seconds <= 300 && floor(var.maximum_batching_window_in_seconds) == var.maximum_batching_window_in_seconds
    error_message = "maximum_batching_window_in_seconds must be a whole number 0..300."
  }
}

variable "parallelization_factor" {
  description = "Concurrent batches per shard (1..10); order per item key is kept at any factor."
  type        = number
  default     = 1

  validation {
    condition     = var.parallelization_factor >= 1 && var.parallelization_factor <= 10 && floor(var.parallelization_factor) == var.parallelization_factor
    error_message = "parallelization_factor must be a whole number 1..10."
  }
}

variable "starting_position" {
  description = "Where a new mapping starts reading: LATEST or TRIM_HORIZON (the last 24 h)."
  type        = string
  default     = "LATEST"

  validation {
    condition     = contains(["LATEST", "TRIM_HORIZON"], var.starting_position)
    error_message = "starting_position must be LATEST or TRIM_HORIZON."
  }
}

variable "maximum_retry_attempts" {
  description = "Retries of a failing batch (-1 = until the record expires, up to 10000). null: -1 when any target blocks (a held batch must be retried until the target recovers), else 10."
  type        = number
  default     = null

  validation {
    condition     = var.maximum_retry_attempts == null || try(var.maximum_retry_attempts >= -1 && var.maximum_retry_attempts <= 10000 && floor(var.maximum_retry_attempts) == var.maximum_retry_attempts, false)
    error_message = "maximum_retry_attempts must be a whole number -1..10000 (or null for the module's choice)."
  }
}

variable "maximum_record_age_in_seconds" {
  description = "Age after which the mapping abandons a record to the on-failure destination: -1 (never: the stream's 24 h retention decides) or 60..86400."
  type        = number
  default     = -1

  validation {
    condition     = var.maximum_record_age_in_seconds == -1 || (var.maximum_record_age_in_seconds >= 60 && var.maximum_record_age_in_seconds <= 86400 && floor(var.maximum_record_age_in_seconds) == var.maximum_record_age_in_seconds)
    error_message = "maximum_record_age_in_seconds must be -1 or 60..86400: a DynamoDB stream keeps records for 24 h (86400 s), so a longer age never applies."
  }
}

variable "create_on_failure_bucket" {
  description = "Create an S3 bucket as the mapping's on-failure destination (S3 destinations keep the records themselves). Set it to false and pass on_failure_destination_arn to use yours instead: exactly one of the two. A flag because the ARN of a queue created in the same apply is unknown at plan time."
  type        = bool
  default     = true
}

variable "on_failure_destination_arn" {
  description = "With create_on_failure_bucket = false: where the mapping sends a batch it abandons: an SQS queue, SNS topic (those get 24-hour pointers only, e.g. a stream-recovery module's queue) or S3 bucket ARN. FIFO queues and topics are not supported as on-failure destinations."
  type        = string
  default     = null

  validation {
    condition     = var.on_failure_destination_arn == null || can(regex("^(arn:aws[a-z-]*:sqs:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,80}|arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}|arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])$", var.on_failure_destination_arn))
    error_message = "on_failure_destination_arn must be a standard SQS queue, SNS topic or S3 bucket ARN (FIFO is not supported as an on-failure destination)."
  }
}

################################################################################
# Storage the module creates
################################################################################

variable "on_failure_bucket_name" {
  description = "Name of the S3 bucket created for abandoned batches when on_failure_destination_arn is null; null derives `<name>-failed-<account>-<region>`."
  type        = string
  default     = null

  validation {
    condition     = var.on_failure_bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.on_failure_bucket_name))
    error_message = "on_failure_bucket_name must be a valid S3 bucket name (3-63 of a-z 0-9 . -)."
  }
}

variable "on_failure_bucket_expiration_days" {
  description = "Days after which objects in the created on-failure bucket expire."
  type        = number
  default     = 90

  validation {
    condition     = var.on_failure_bucket_expiration_days >= 1 && floor(var.on_failure_bucket_expiration_days) == var.on_failure_bucket_expiration_days
    error_message = "on_failure_bucket_expiration_days must be a whole number >= 1."
  }
}

variable "create_claim_check_bucket" {
  description = "Create the S3 bucket for claim checks (records too large for a target). false: use claim_check_bucket_name as an existing bucket, or, when that is null too, no claim checks (oversized records fail for that target)."
  type        = bool
  default     = true
}

variable "claim_check_bucket_name" {
  description = "Name of the claim-check bucket: the bucket to create (null derives `<name>-claims-<account>-<region>`) or, with create_claim_check_bucket = false, an existing bucket."
  type        = string
  default     = null

  validation {
    condition     = var.claim_check_bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.claim_check_bucket_name))
    error_message = "claim_check_bucket_name must be a valid S3 bucket name (3-63 of a-z 0-9 . -)."
  }
}

variable "claim_check_prefix" {
  description = "Key prefix of the claim checks in the bucket (no leading or trailing slash); objects are `<prefix>/<target id>/<SequenceNumber>-<eventID>.json`."
  type        = string
  default     = "claims"

  validation {
    condition     = can(regex("^[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*$", var.claim_check_prefix))
    error_message = "claim_check_prefix must be a non-empty S3 key prefix without leading or trailing slash, e.g. claims or fanout/claims."
  }
}

variable "claim_check_expiration_days" {
  description = "Days after which claim checks in the created bucket expire: longer than your consumers' retention (an SQS queue keeps messages up to 14 days)."
  type        = number
  default     = 15

  validation {
    condition     = var.claim_check_expiration_days >= 1 && floor(var.claim_check_expiration_days) == var.claim_check_expiration_days
    error_message = "claim_check_expiration_days must be a whole number >= 1."
  }
}

variable "force_destroy" {
  description = "Let terraform destroy the created buckets even when they hold objects (abandoned batches and claim checks are lost)."
  type        = bool
  default     = false
}

variable "checkpoint_table_name" {
  description = "Name of the checkpoint table the module creates when any target uses on_failure.mode = block; null derives `<name>-fanout-checkpoints`."
  type        = string
  default     = null

  validation {
    condition     = var.checkpoint_table_name == null || can(regex("^[A-Za-z0-9_.-]{3,255}$", var.checkpoint_table_name))
    error_message = "checkpoint_table_name must be 3-255 of A-Z a-z 0-9 _ . -."
  }
}

################################################################################
# Alarms
################################################################################

variable "create_alarms" {
  description = "Create the CloudWatch alarms: IteratorAge warning and critical, DestinationDeliveryFailures, Errors, failure queue depth, and per target the handler's Held and Diverted metrics."
  type        = bool
  default     = true
}

variable "iterator_age_warning_threshold_ms" {
  description = "IteratorAge (Maximum) above which, in 5 of 5 minutes, the warning alarm fires; milliseconds (docs/alarms.md: 5 min)."
  type        = number
  default     = 300000

  validation {
    condition     = var.iterator_age_warning_threshold_ms > 0
    error_message = "iterator_age_warning_threshold_ms must be > 0 (milliseconds)."
  }
}

variable "iterator_age_critical_threshold_ms" {
  description = "IteratorAge (Maximum) above which, in 1 minute, the critical alarm fires; milliseconds (docs/alarms.md: 1 h). Not below the warning threshold."
  type        = number
  default     = 3600000

  validation {
    condition     = var.iterator_age_critical_threshold_ms > 0 && var.iterator_age_critical_threshold_ms < 86400000
    error_message = "iterator_age_critical_threshold_ms must be > 0 and below 86400000 (24 h: records are gone by then)."
  }
}
