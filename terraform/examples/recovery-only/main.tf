# For teams that keep their direct event source mappings (at most two readers on the stream): each
# mapping's on-failure destination receives only a pointer to the failed batch, and the stream
# trims those records 24 hours later. The recovery function turns each pointer into the records
# themselves, archived in S3, minutes after the failure.

locals {
  # Two direct readers: DynamoDB Streams serves about two per shard.
  consumers = toset(["billing", "search"])
}

resource "aws_dynamodb_table" "orders" {
  # checkov:skip=CKV_AWS_119: encrypted with the AWS managed key; a customer key would also need kms:Decrypt in every stream reader's role
  name             = "${var.name}-orders"
  billing_mode     = "PAY_PER_REQUEST"
  hash_key         = "pk"
  stream_enabled   = true
  stream_view_type = "NEW_AND_OLD_IMAGES"

  attribute {
    name = "pk"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }
}

resource "aws_dynamodb_table" "ledger" {
  # checkov:skip=CKV_AWS_28: the example consumers' scratch ledger, rebuilt from the stream at will
  # checkov:skip=CKV_AWS_119: the example consumers' scratch ledger: the AWS managed key suffices
  name         = "${var.name}-consumer-ledger"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"

  attribute {
    name = "pk"
    type = "S"
  }

  server_side_encryption {
    enabled = true
  }
}

module "consumer" {
  source   = "../modules/consumer"
  for_each = local.consumers

  name              = "${var.name}-${each.key}"
  consumer          = each.key
  package_file      = var.consumers_package_file
  ledger_table_arn  = aws_dynamodb_table.ledger.arn
  ledger_table_name = aws_dynamodb_table.ledger.name
  # search rejects multiples of 7, so its failed batches show the recovery path.
  reject_multiples_of = each.key == "search" ? 7 : 0
}

resource "aws_lambda_event_source_mapping" "consumer" {
  for_each = local.consumers

  event_source_arn  = aws_dynamodb_table.orders.stream_arn
  function_name     = module.consumer[each.key].function_arn
  starting_position = "LATEST"
  batch_size        = 100
  # Finite retries and age, and bisection, so a poison record cannot block the shard for 24 hours;
  # what is given up on becomes a pointer on the recovery queue.
  maximum_retry_attempts         = 3
  maximum_record_age_in_seconds  = 3600
  bisect_batch_on_function_error = true

  destination_config {
    on_failure {
      destination_arn = module.recovery.pointer_queue_arn
    }
  }
}

data "aws_iam_policy_document" "consumer_stream" {
  statement {
    sid       = "ReadTheStream"
    actions   = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"]
    resources = [aws_dynamodb_table.orders.stream_arn]
  }
  statement {
    sid       = "ListStreams"
    actions   = ["dynamodb:ListStreams"]
    resources = ["*"] # ListStreams has no resource-level permission
  }
  statement {
    sid       = "SendPointers"
    actions   = ["sqs:SendMessage"]
    resources = [module.recovery.pointer_queue_arn]
  }
}

resource "aws_iam_role_policy" "consumer_stream" {
  for_each = local.consumers

  name   = "read-orders-stream"
  role   = module.consumer[each.key].role_name
  policy = data.aws_iam_policy_document.consumer_stream.json
}

module "recovery" {
  source = "../../modules/stream-recovery"

  name          = var.name
  package_file  = var.package_file
  stream_arns   = [aws_dynamodb_table.orders.stream_arn]
  force_destroy = var.force_destroy
}
