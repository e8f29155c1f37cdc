data "aws_region" "current" {}
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  state_dir = var.efs_access_point_arn == null ? "/tmp/dbrecover" : "/mnt/dbrecover"

  alarm_routes = [for r in var.alarm_routes : { for k, v in r : k => v if v != null }]

  common_environment = merge(var.config_environment, {
    DBRECOVER_CONFIG    = "/opt/dbrecover.yaml"
    DBRECOVER_STATE_DIR = local.state_dir
    # For dbrecover.yaml's `state-store: {type: dynamodb, options: {table: "${DBRECOVER_STATE_TABLE}"}}`.
    DBRECOVER_STATE_TABLE = aws_dynamodb_table.journal.name
    # Same configuration check at every cold start: a route to an unknown environment fails init.
    DBRECOVER_ALARM_ROUTES = jsonencode(local.alarm_routes)
  })

  functions = {
    step     = "io.dbrecover.lambda.StepHandler::handleRequest"
    snapshot = "io.dbrecover.lambda.SnapshotHandler::handleRequest"
  }
}

# dbrecover.yaml as a layer: the handlers read it at /opt/dbrecover.yaml.
data "archive_file" "config" {
  type        = "zip"
  output_path = "${path.module}/.build/${var.name}-config.zip"

  source {
    content  = file(var.config_file)
    filename = "dbrecover.yaml"
  }
}

resource "aws_lambda_layer_version" "config" {
  layer_name          = "${var.name}-config"
  filename            = data.archive_file.config.output_path
  source_code_hash    = data.archive_file.config.output_base64sha256
  compatible_runtimes = [var.runtime]
}

resource "aws_cloudwatch_log_group" "function" {
  for_each          = toset(["alarm", "step", "snapshot"])
  name              = "/aws/lambda/${var.name}-${each.key}"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

# Step and snapshot entries: the engine and every provider (dbrecover-lambda.jar).
resource "aws_lambda_function" "recovery" {
  for_each         = local.functions
  function_name    = "${var.name}-${each.key}"
  role             = aws_iam_role.recovery.arn
  runtime          = var.runtime
  handler          = each.value
  filename         = var.recovery_jar
  source_code_hash = filebase64sha256(var.recovery_jar)
  memory_size      = var.memory_mb
  timeout          = var.step_timeout_seconds
  publish          = var.snap_start
  layers           = concat([aws_lambda_layer_version.config.arn], var.layers)

  environment {
    variables = merge(local.common_environment, {
      DBRECOVER_STEP_MARGIN_SECONDS = tostring(var.step_margin_seconds)
    })
  }

  dynamic "vpc_config" {
    for_each = length(var.subnet_ids) > 0 ? [1] : []
    content {
      subnet_ids         = var.subnet_ids
      security_group_ids = var.security_group_ids
    }
  }

  dynamic "file_system_config" {
    for_each = var.efs_access_point_arn == null ? [] : [var.efs_access_point_arn]
    content {
      arn              = file_system_config.value
      local_mount_path = "/mnt/dbrecover"
    }
  }

  dynamic "snap_start" {
    for_each = var.snap_start ? [1] : []
    content {
      apply_on = "PublishedVersions"
    }
  }

  tags       = var.tags
  depends_on = [aws_cloudwatch_log_group.function, aws_iam_role_policy.recovery]
}

# Alarm entry: configuration and Step Functions only (dbrecover-lambda-alarm.jar).
resource "aws_lambda_function" "alarm" {
  function_name    = "${var.name}-alarm"
  role             = aws_iam_role.alarm.arn
  runtime          = var.runtime
  handler          = "io.dbrecover.lambda.AlarmHandler::handleRequest"
  filename         = var.alarm_jar
  source_code_hash = filebase64sha256(var.alarm_jar)
  memory_size      = 1024
  timeout          = 60
  publish          = var.snap_start
  layers           = [aws_lambda_layer_version.config.arn]

  environment {
    variables = merge(local.common_environment, {
      DBRECOVER_STATE_MACHINE_ARN = aws_sfn_state_machine.recovery.arn
    })
  }

  dynamic "snap_start" {
    for_each = var.snap_start ? [1] : []
    content {
      apply_on = "PublishedVersions"
    }
  }

  tags       = var.tags
  depends_on = [aws_cloudwatch_log_group.function, aws_iam_role_policy.alarm]
}

# Callers use the "live" alias: with SnapStart it names a published version (snapshot taken).
resource "aws_lambda_alias" "recovery" {
  for_each         = local.functions
  name             = "live"
  function_name    = aws_lambda_function.recovery[each.key].function_name
  function_version = var.snap_start ? aws_lambda_function.recovery[each.key].version : "$LATEST"
}

resource "aws_lambda_alias" "alarm" {
  name             = "live"
  function_name    = aws_lambda_function.alarm.function_name
  function_version = var.snap_start ? aws_lambda_function.alarm.version : "$LATEST"
}
