# EventBridge Scheduler schedules that invoke the snapshot entry with
# {"environment": ..., "label": ...}; the snapshot entry backs up and prunes by retention.

resource "aws_scheduler_schedule_group" "snapshots" {
  name = "${var.name}-snapshots"
  tags = var.tags
}

resource "aws_scheduler_schedule" "snapshot" {
  for_each   = var.schedules
  name       = "${var.name}-${each.key}"
  group_name = aws_scheduler_schedule_group.snapshots.name

  schedule_expression          = each.value.expression
  schedule_expression_timezone = each.value.timezone

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = var.snapshot_function_arn
    role_arn = aws_iam_role.scheduler.arn
    input = jsonencode({
      environment = each.value.environment
      label       = each.value.label
    })

    retry_policy {
      maximum_retry_attempts       = var.retry_attempts
      maximum_event_age_in_seconds = 3600
    }
  }
}

data "aws_iam_policy_document" "scheduler_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "scheduler" {
  name               = "${var.name}-snapshot-scheduler"
  assume_role_policy = data.aws_iam_policy_document.scheduler_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "invoke_snapshot" {
  statement {
    sid       = "InvokeSnapshotEntry"
    actions   = ["lambda:InvokeFunction"]
    resources = [var.snapshot_function_arn]
  }
}

resource "aws_iam_role_policy" "scheduler" {
  name   = "${var.name}-invoke-snapshot"
  role   = aws_iam_role.scheduler.id
  policy = data.aws_iam_policy_document.invoke_snapshot.json
}
