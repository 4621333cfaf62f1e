output "orders_table_name" {
  description = "The table whose stream the two consumers read directly."
  value       = aws_dynamodb_table.orders.name
}

output "ledger_table_name" {
  description = "Where the example consumers record each order they took."
  value       = aws_dynamodb_table.ledger.name
}

output "pointer_queue_url" {
  description = "The on-failure destination of both mappings: pointers, archived by the recovery function."
  value       = module.recovery.pointer_queue_url
}

output "archive_uri" {
  description = "Where recovered records are archived."
  value       = module.recovery.archive_uri
}

output "recovery_function_name" {
  description = "The recovery function."
  value       = module.recovery.function_name
}
