output "function_name" {
  description = "Name of the recovery function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the recovery function."
  value       = aws_lambda_function.this.arn
}

output "role_name" {
  description = "Name of the function's execution role."
  value       = aws_iam_role.this.name
}

output "role_arn" {
  description = "ARN of the function's execution role."
  value       = aws_iam_role.this.arn
}

output "log_group_name" {
  description = "Name of the function's log group (/aws/lambda/<function name>)."
  value       = aws_cloudwatch_log_group.this.name
}

output "pointer_queue_arn" {
  description = "ARN of the pointer queue: use it as the on-failure destination (destination_config.on_failure.destination_arn) of the DynamoDB stream event source mappings listed in stream_arns."
  value       = var.create_pointer_queue ? aws_sqs_queue.pointers[0].arn : var.pointer_queue_arn
}

output "pointer_queue_url" {
  description = "URL of the pointer queue (for quirks recover --queue); null when the queue was passed in as pointer_queue_arn."
  value       = var.create_pointer_queue ? aws_sqs_queue.pointers[0].url : null
}

output "consumer_policy_json" {
  description = "IAM policy JSON to attach to the execution role of every consumer whose on-failure destination is the pointer queue: Lambda sends the pointer with that role (sqs:SendMessage, plus the KMS key when kms_key_arn is set)."
  value       = data.aws_iam_policy_document.consumer.json
}

output "dlq_arn" {
  description = "ARN of the pointer queue's dead-letter queue; null when the queue was passed in as pointer_queue_arn."
  value       = var.create_pointer_queue ? aws_sqs_queue.dlq[0].arn : null
}

output "archive_bucket_name" {
  description = "Name of the archive bucket."
  value       = var.create_archive_bucket ? aws_s3_bucket.archive[0].bucket : local.bucket_name
}

output "archive_bucket_arn" {
  description = "ARN of the archive bucket."
  value       = var.create_archive_bucket ? aws_s3_bucket.archive[0].arn : local.bucket_arn
}

output "archive_uri" {
  description = "Where archives and manifests go (QUIRKS_ARCHIVE): s3://<bucket>/<prefix>. Replay with quirks recover replay, read with quirks streams cat."
  value       = local.archive_uri
}

output "event_source_mapping_uuid" {
  description = "UUID of the SQS event source mapping from the pointer queue to the function."
  value       = aws_lambda_event_source_mapping.this.uuid
}

output "alarm_arns" {
  description = "ARNs of the module's CloudWatch alarms by kind: pointer_queue_depth, pointer_age, dlq_depth (only with a created queue), errors, records_lost."
  value = merge(
    {
      pointer_queue_depth = aws_cloudwatch_metric_alarm.pointer_queue_depth.arn
      pointer_age         = aws_cloudwatch_metric_alarm.pointer_age.arn
      errors              = aws_cloudwatch_metric_alarm.errors.arn
      records_lost        = aws_cloudwatch_metric_alarm.records_lost.arn
    },
    var.create_pointer_queue ? { dlq_depth = aws_cloudwatch_metric_alarm.dlq_depth[0].arn } : {},
  )
}
