output "function_name" {
  description = "Name of the fan-out function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the fan-out function."
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
  description = "Name of the function's log group (`/aws/lambda/<function name>`)."
  value       = aws_cloudwatch_log_group.this.name
}

output "log_group_arn" {
  description = "ARN of the function's log group."
  value       = aws_cloudwatch_log_group.this.arn
}

output "event_source_mapping_uuid" {
  description = "UUID of the event source mapping: the stream's only reader."
  value       = aws_lambda_event_source_mapping.this.uuid
}

output "config_json" {
  description = "The fan-out configuration JSON the function loads (no secrets: names and ARNs only)."
  value       = local.config_json
}

output "config_ssm_parameter_name" {
  description = "Name of the SSM parameter holding the configuration (QUIRKS_FANOUT_CONFIG_SSM), or null when it is inline (QUIRKS_FANOUT_CONFIG)."
  value       = local.config_in_ssm ? aws_ssm_parameter.config[0].name : null
}

output "failure_queue_arn" {
  description = "ARN of the failure queue for diverted records (the config's failure_destination), or null when every target has its own."
  value       = local.create_failure_queue ? aws_sqs_queue.failures[0].arn : null
}

output "failure_queue_url" {
  description = "URL of the failure queue for diverted records, or null when every target has its own."
  value       = local.create_failure_queue ? aws_sqs_queue.failures[0].url : null
}

output "on_failure_bucket_name" {
  description = "Name of the S3 bucket created as the mapping's on-failure destination, or null when on_failure_destination_arn is given."
  value       = local.create_on_failure_bucket ? aws_s3_bucket.this["on-failure"].bucket : null
}

output "on_failure_destination_arn" {
  description = "ARN of the mapping's on-failure destination (the created bucket or on_failure_destination_arn)."
  value       = local.on_failure_destination_arn
}

output "claim_check_bucket_name" {
  description = "Name of the claim-check bucket (created or given), or null when claim checks are off."
  value       = var.create_claim_check_bucket ? aws_s3_bucket.this["claim-checks"].bucket : local.claim_check_bucket_name
}

output "claim_check_uri" {
  description = "Where claim checks are written (`s3://bucket/prefix`), or null when claim checks are off. Give consumers s3:GetObject below it."
  value       = local.claim_check_uri
}

output "checkpoint_table_name" {
  description = "Name of the checkpoint table, or null when no target uses block."
  value       = local.blocking ? aws_dynamodb_table.checkpoints[0].name : null
}

output "alarm_arns" {
  description = "ARNs of the module's alarms by kind: iterator-age-warning, iterator-age-critical, destination-delivery-failures, errors, failure-queue-depth-<queue>, held-<target id>, diverted-<target id>; empty when create_alarms is false."
  value = merge(
    { for k, a in {
      iterator-age-warning          = aws_cloudwatch_metric_alarm.iterator_age_warning
      iterator-age-critical         = aws_cloudwatch_metric_alarm.iterator_age_critical
      destination-delivery-failures = aws_cloudwatch_metric_alarm.destination_delivery_failures
      errors                        = aws_cloudwatch_metric_alarm.errors
    } : k => a[0].arn if length(a) > 0 },
    { for q, a in aws_cloudwatch_metric_alarm.failure_queue_depth : "failure-queue-depth-${q}" => a.arn },
    { for k, a in aws_cloudwatch_metric_alarm.target : k => a.arn },
  )
}
