output "orders_table_name" {
  description = "The table whose stream is fanned out."
  value       = aws_dynamodb_table.orders.name
}

output "orders_stream_arn" {
  description = "Its stream; the fan-out function's mapping is its only reader."
  value       = aws_dynamodb_table.orders.stream_arn
}

output "ledger_table_name" {
  description = "Where the example consumers record each order they took."
  value       = aws_dynamodb_table.ledger.name
}

output "consumer_function_names" {
  description = "The four consumer functions, by consumer."
  value       = { for k, c in module.consumer : k => c.function_name }
}

output "fanout_function_name" {
  description = "The fan-out function."
  value       = module.fanout.function_name
}

output "fanout_config_json" {
  description = "The fan-out configuration the module built (check it with `quirks fanout check`)."
  value       = module.fanout.config_json
}

output "fanout_event_source_mapping_uuid" {
  description = "The stream's one event source mapping."
  value       = module.fanout.event_source_mapping_uuid
}

output "failure_queue_url" {
  description = "Records the fan-out function diverted (in full) from a failing target."
  value       = module.fanout.failure_queue_url
}

output "analytics_failures_queue_url" {
  description = "The analytics consumer's async on-failure destination (its events, records included)."
  value       = aws_sqs_queue.analytics_failures.url
}

output "pointer_queue_url" {
  description = "Pointers to batches the mapping abandoned (the recovery function archives them)."
  value       = module.recovery.pointer_queue_url
}

output "archive_uri" {
  description = "Where recovered records are archived."
  value       = module.recovery.archive_uri
}

output "alerts_function_name" {
  description = "The error notifier."
  value       = module.alerts.function_name
}

output "alarms_topic_arn" {
  description = "The SNS topic every alarm notifies."
  value       = aws_sns_topic.alarms.arn
}

output "slack_webhook_secret_arn" {
  description = "Put the webhook URL in this secret (docs/deploy.md); Terraform never sees it."
  value       = aws_secretsmanager_secret.slack_webhook.arn
}
