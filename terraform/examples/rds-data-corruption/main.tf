# An RDS data-corruption alarm wired to the recovery stack, and nightly snapshots.
# The application counts orders whose total is not positive and publishes the count as the
# App/Orders InvalidOrderTotals metric; one such order means corrupted data.

data "aws_caller_identity" "current" {}

locals {
  db_arn = "arn:aws:rds:${var.region}:${data.aws_caller_identity.current.account_id}:db:${var.db_instance_id}"
}

module "recovery" {
  source = "../../modules/recovery"

  name          = "dbrecover-orders"
  recovery_jar  = "${path.root}/../../../lambda/target/dbrecover-lambda.jar"
  alarm_jar     = "${path.root}/../../../lambda/target/dbrecover-lambda-alarm.jar"
  config_file   = "${path.module}/dbrecover.yaml"
  config_environment = {
    ORDERS_DATABASE_URL = var.orders_database_url
  }

  alarm_routes = [
    {
      alarm             = "orders-data-corruption"
      environment       = "production"
      kind              = "data"
      look_back_minutes = 10
    }
  ]

  rds_instance_arns    = [local.db_arn]
  secret_arns          = [var.database_url_secret_arn]
  subnet_ids           = var.subnet_ids
  security_group_ids   = var.security_group_ids
  efs_access_point_arn = var.efs_access_point_arn
  layers               = [var.pg_client_layer_arn]
  notification_emails  = [var.oncall_email]
}

resource "aws_cloudwatch_metric_alarm" "orders_data_corruption" {
  alarm_name          = "orders-data-corruption"
  alarm_description   = "Orders with a total that is not positive appeared: corrupted data."
  namespace           = "App/Orders"
  metric_name         = "InvalidOrderTotals"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [module.recovery.alarms_topic_arn]
}

module "snapshots" {
  source = "../../modules/snapshot-schedule"

  name                  = "dbrecover-orders"
  snapshot_function_arn = module.recovery.snapshot_function_arn
  schedules = {
    nightly = {
      environment = "production"
      expression  = "cron(0 3 * * ? *)"
      timezone    = "Europe/Dublin"
      label       = "nightly"
    }
  }
}
