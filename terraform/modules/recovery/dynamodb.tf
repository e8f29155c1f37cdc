# The journal / lock table for the DynamoDB state store (state-store: dynamodb, laid out as
# docs/providers/aws.md describes: string keys pk and sk). The handlers of this build keep runs in
# DBRECOVER_STATE_DIR (see docs/lambda.md); the functions may use the table through the state
# store's configuration.
resource "aws_dynamodb_table" "journal" {
  name         = "${var.name}-journal"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  range_key    = "sk"

  attribute {
    name = "pk"
    type = "S"
  }

  attribute {
    name = "sk"
    type = "S"
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }

  tags = var.tags
}
