# The journal / lock table for the DynamoDB state store (state-store: dynamodb, laid out as
# docs/providers/aws.md describes: string keys pk and sk), also holding the step entry's
# execution -> run records (pk execution#<name>). Used when dbrecover.yaml says
# `state-store: {type: dynamodb, options: {table: "${DBRECOVER_STATE_TABLE}"}}` (see docs/lambda.md);
# the functions get the table's name in DBRECOVER_STATE_TABLE.
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
