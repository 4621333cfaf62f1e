output "function_name" {
  description = "Name of the notifier function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the notifier function (the destination of the subscriptions)."
  value       = aws_lambda_function.this.arn
}

output "role_name" {
  description = "Name of the notifier's IAM role."
  value       = aws_iam_role.this.name
}

output "role_arn" {
  description = "ARN of the notifier's IAM role."
  value       = aws_iam_role.this.arn
}

output "log_group_name" {
  description = "The notifier's own log group (never subscribed: its errors reach you through the alarms)."
  value       = aws_cloudwatch_log_group.this.name
}

output "subscription_filter_names" {
  description = "Subscription filter name per subscribed log group (empty with the account-level policy)."
  value       = { for group, filter in aws_cloudwatch_log_subscription_filter.this : group => filter.name }
}

output "account_policy_name" {
  description = "Name of the account-level subscription filter policy, or null."
  value       = one(aws_cloudwatch_log_account_policy.this[*].policy_name)
}

output "chatbot_topic_arn" {
  description = "SNS topic the alerts go to for AWS Chatbot (created or given), or null."
  value       = var.create_chatbot_topic ? aws_sns_topic.chatbot[0].arn : var.chatbot_sns_topic_arn
}

output "dedupe_table_name" {
  description = "Name of the DynamoDB suppression table, or null."
  value       = one(aws_dynamodb_table.dedupe[*].name)
}

output "failure_queue_arn" {
  description = "ARN of the SQS queue receiving deliveries the notifier failed to process."
  value       = aws_sqs_queue.failures.arn
}

output "failure_queue_url" {
  description = "URL of the failure queue (to inspect or redrive failed deliveries)."
  value       = aws_sqs_queue.failures.url
}

output "alarm_arns" {
  description = "ARNs of the module's alarms: errors (function Errors), failure_queue (queue depth), delivery_failed (\"alert delivery failed\" in the notifier's logs)."
  value = {
    errors          = aws_cloudwatch_metric_alarm.errors.arn
    failure_queue   = aws_cloudwatch_metric_alarm.failure_queue.arn
    delivery_failed = aws_cloudwatch_metric_alarm.delivery_failed.arn
  }
}
