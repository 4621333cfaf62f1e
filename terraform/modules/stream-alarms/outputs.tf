output "function_name" {
  description = "Name of the alarms function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the alarms function."
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

output "schedule_rule_name" {
  description = "Name of the EventBridge rule that runs the function."
  value       = aws_cloudwatch_event_rule.this.name
}

output "schedule_rule_arn" {
  description = "ARN of the EventBridge rule that runs the function."
  value       = aws_cloudwatch_event_rule.this.arn
}

output "config_json" {
  description = "The alarms config as the function receives it (JSON)."
  value       = local.config_json
}

output "config_parameter_name" {
  description = "Name of the SSM parameter holding the config (QUIRKS_ALARMS_CONFIG_PARAMETER); null when the config is passed in QUIRKS_ALARMS_CONFIG."
  value       = local.config_in_ssm ? aws_ssm_parameter.config[0].name : null
}

output "managed_alarms_arn_pattern" {
  description = "ARN pattern of the alarms the function writes (quirks-*): the scope of its cloudwatch:PutMetricAlarm, TagResource and DeleteAlarms permissions."
  value       = local.managed_alarms_arn
}

output "alarm_arns" {
  description = "ARNs of this module's own alarms by kind: errors (the function's Errors)."
  value = {
    errors = aws_cloudwatch_metric_alarm.errors.arn
  }
}
