variable "region" {
  description = "Region of the database and of the recovery stack."
  type        = string
  default     = "eu-west-1"
}

variable "db_instance_id" {
  description = "The RDS for PostgreSQL instance to protect."
  type        = string
  default     = "orders"

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9-]{0,62}$", var.db_instance_id))
    error_message = "db_instance_id must be an RDS instance identifier."
  }
}

variable "database_url_secret_arn" {
  description = "The Secrets Manager secret the application reads DATABASE_URL from (url-target secretsmanager in dbrecover.yaml)."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets from which the functions reach the database."
  type        = list(string)
}

variable "security_group_ids" {
  description = "Security groups allowed into the database."
  type        = list(string)
}

variable "efs_access_point_arn" {
  description = "EFS access point mounted at /mnt/dbrecover: this example's backup-store (pg_dump backups) and reports; runs live in the DynamoDB table (see docs/lambda.md)."
  type        = string
}

variable "pg_client_layer_arn" {
  description = "A Lambda layer with pg_dump and pg_restore (PostgreSQL 15 client) in /opt/bin."
  type        = string
}

variable "oncall_email" {
  description = "Who is told when a recovery is done or has failed."
  type        = string
}

variable "orders_database_url" {
  description = "The live database's URL for dbrecover.yaml ($${ORDERS_DATABASE_URL}); its user needs to read every table and create databases."
  type        = string
  sensitive   = true
}
