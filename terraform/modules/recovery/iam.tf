# Least privilege. The provider actions below are exactly those in provider-actions.json (what the
# packaged providers call; a test keeps them equal), scoped to the configured databases and
# secrets and to the copies dbrecover creates (<instance>-rb-<run>). No action has a wildcard.

locals {
  region    = data.aws_region.current.name
  account   = data.aws_caller_identity.current.account_id
  partition = data.aws_partition.current.partition
  rds_arn   = "arn:${local.partition}:rds:${local.region}:${local.account}"

  # Restored copies of each configured instance: <instance>-rb-<run id>.
  restored_instance_arns = [for a in var.rds_instance_arns : "${a}-rb-*"]

  # Aurora: restored clusters <cluster>-rb-<run id> and their writers <cluster>-rbw-<run id>.
  cluster_ids            = [for a in var.rds_cluster_arns : element(split(":", a), 6)]
  restored_cluster_arns  = [for a in var.rds_cluster_arns : "${a}-rb-*"]
  restored_writer_arns   = [for id in local.cluster_ids : "${local.rds_arn}:db:${id}-rbw-*"]
  backup_object_arns     = [for a in var.backup_bucket_arns : "${a}/*"]
}

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

# --- step and snapshot entries --------------------------------------------------------------

resource "aws_iam_role" "recovery" {
  name               = "${var.name}-recovery"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "recovery" {
  name   = "${var.name}-recovery"
  role   = aws_iam_role.recovery.id
  policy = data.aws_iam_policy_document.recovery.json
}

data "aws_iam_policy_document" "recovery" {
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [for k in ["step", "snapshot"] : "${aws_cloudwatch_log_group.function[k].arn}:*"]
  }

  dynamic "statement" {
    for_each = length(var.rds_instance_arns) > 0 ? [1] : []
    content {
      sid       = "RdsRead"
      actions   = ["rds:DescribeDBInstances", "rds:DescribeDBInstanceAutomatedBackups"]
      resources = concat(var.rds_instance_arns, local.restored_instance_arns, ["${local.rds_arn}:auto-backup:*"])
    }
  }

  dynamic "statement" {
    for_each = length(var.rds_instance_arns) > 0 ? [1] : []
    content {
      sid     = "RdsRestoreSideBySide"
      actions = ["rds:RestoreDBInstanceToPointInTime", "rds:AddTagsToResource"]
      resources = concat(
        var.rds_instance_arns,
        local.restored_instance_arns,
        ["${local.rds_arn}:subgrp:*", "${local.rds_arn}:og:*", "${local.rds_arn}:pg:*"]
      )
    }
  }

  dynamic "statement" {
    for_each = length(var.secret_arns) > 0 ? [1] : []
    content {
      sid       = "DatabaseUrlSecrets"
      actions   = ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"]
      resources = var.secret_arns
    }
  }

  dynamic "statement" {
    for_each = length(var.rds_instance_arns) > 0 ? [1] : []
    content {
      sid = "RdsSnapshots"
      actions = [
        "rds:CreateDBSnapshot",
        "rds:DescribeDBSnapshots",
        "rds:RestoreDBInstanceFromDBSnapshot",
        "rds:DeleteDBSnapshot"
      ]
      resources = concat(
        var.rds_instance_arns,
        local.restored_instance_arns,
        ["${local.rds_arn}:snapshot:*", "${local.rds_arn}:subgrp:*", "${local.rds_arn}:og:*", "${local.rds_arn}:pg:*"]
      )
    }
  }

  dynamic "statement" {
    for_each = length(var.rds_cluster_arns) > 0 ? [1] : []
    content {
      sid = "Aurora"
      actions = [
        "rds:DescribeDBClusters",
        "rds:RestoreDBClusterToPointInTime",
        "rds:CreateDBInstance",
        "rds:CreateDBClusterSnapshot",
        "rds:DescribeDBClusterSnapshots",
        "rds:RestoreDBClusterFromSnapshot",
        "rds:DeleteDBClusterSnapshot"
      ]
      resources = concat(
        var.rds_cluster_arns,
        local.restored_cluster_arns,
        local.restored_writer_arns,
        [
          "${local.rds_arn}:cluster-snapshot:*",
          "${local.rds_arn}:subgrp:*",
          "${local.rds_arn}:cluster-pg:*",
          "${local.rds_arn}:pg:*"
        ]
      )
    }
  }

  dynamic "statement" {
    for_each = length(var.ssm_parameter_arns) > 0 ? [1] : []
    content {
      sid       = "DatabaseUrlParameters"
      actions   = ["ssm:GetParameter", "ssm:GetParameterHistory", "ssm:PutParameter"]
      resources = var.ssm_parameter_arns
    }
  }

  # The module's own journal / lock table (state-store dynamodb).
  statement {
    sid = "StateTable"
    actions = [
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
      "dynamodb:DeleteItem",
      "dynamodb:GetItem",
      "dynamodb:Query"
    ]
    resources = [aws_dynamodb_table.journal.arn]
  }

  dynamic "statement" {
    for_each = length(var.assume_role_arns) > 0 ? [1] : []
    content {
      sid       = "AssumeEnvironmentRoles"
      actions   = ["sts:AssumeRole"]
      resources = var.assume_role_arns
    }
  }

  dynamic "statement" {
    for_each = length(var.backup_bucket_arns) > 0 ? [1] : []
    content {
      sid       = "BackupBucketList"
      actions   = ["s3:ListBucket"]
      resources = var.backup_bucket_arns
    }
  }

  dynamic "statement" {
    for_each = length(var.backup_bucket_arns) > 0 ? [1] : []
    content {
      sid       = "BackupObjects"
      actions   = ["s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
      resources = local.backup_object_arns
    }
  }

  dynamic "statement" {
    for_each = length(var.kms_key_arns) > 0 ? [1] : []
    content {
      sid       = "CustomerManagedKeys"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey", "kms:CreateGrant", "kms:DescribeKey"]
      resources = var.kms_key_arns
    }
  }

  # Lambda in a VPC manages its network interfaces; these actions take no resource scope.
  dynamic "statement" {
    for_each = length(var.subnet_ids) > 0 ? [1] : []
    content {
      sid = "VpcNetworkInterfaces"
      actions = [
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses"
      ]
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = var.efs_access_point_arn == null ? [] : [var.efs_access_point_arn]
    content {
      sid       = "StateDirOnEfs"
      actions   = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]
      resources = ["arn:${local.partition}:elasticfilesystem:${local.region}:${local.account}:file-system/*"]
      condition {
        test     = "StringEquals"
        variable = "elasticfilesystem:AccessPointArn"
        values   = [statement.value]
      }
    }
  }
}

# --- alarm entry ------------------------------------------------------------------------------

resource "aws_iam_role" "alarm" {
  name               = "${var.name}-alarm"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "alarm" {
  name   = "${var.name}-alarm"
  role   = aws_iam_role.alarm.id
  policy = data.aws_iam_policy_document.alarm.json
}

data "aws_iam_policy_document" "alarm" {
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.function["alarm"].arn}:*"]
  }

  statement {
    sid       = "StartRecovery"
    actions   = ["states:StartExecution"]
    resources = [aws_sfn_state_machine.recovery.arn]
  }

  # Routes by tag read the alarm's tags; only granted when a route matches by tag.
  dynamic "statement" {
    for_each = length([for r in var.alarm_routes : r if r.tag_key != null]) > 0 ? [1] : []
    content {
      sid       = "AlarmTags"
      actions   = ["cloudwatch:ListTagsForResource"]
      resources = ["arn:${local.partition}:cloudwatch:${local.region}:${local.account}:alarm:*"]
    }
  }
}

# --- state machine ----------------------------------------------------------------------------

data "aws_iam_policy_document" "states_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["states.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}

resource "aws_iam_role" "state_machine" {
  name               = "${var.name}-state-machine"
  assume_role_policy = data.aws_iam_policy_document.states_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "state_machine" {
  name   = "${var.name}-state-machine"
  role   = aws_iam_role.state_machine.id
  policy = data.aws_iam_policy_document.state_machine.json
}

data "aws_iam_policy_document" "state_machine" {
  statement {
    sid       = "InvokeStep"
    actions   = ["lambda:InvokeFunction"]
    resources = [aws_lambda_alias.recovery["step"].arn]
  }

  statement {
    sid       = "Notify"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.notifications.arn]
  }

  # Vended logs delivery for logging_configuration; these actions take no resource scope.
  statement {
    sid = "ExecutionLogs"
    actions = [
      "logs:CreateLogDelivery",
      "logs:GetLogDelivery",
      "logs:UpdateLogDelivery",
      "logs:DeleteLogDelivery",
      "logs:ListLogDeliveries",
      "logs:PutResourcePolicy",
      "logs:DescribeResourcePolicies",
      "logs:DescribeLogGroups"
    ]
    resources = ["*"]
  }
}

# --- approvers (dbrecover approve) --------------------------------------------------------------
# Attached to nothing here: attach the approver_policy_json output to the on-call role only.
# dbrecover approve reads the approval request the step entry recorded in the journal table (its
# items doc#approvals / doc#approval-answers, and nothing else of the table), answers the waiting
# task with its token, and records the answer.
data "aws_iam_policy_document" "approver" {
  # The task-token actions name no resource AWS could scope them to (the token is the
  # capability), so they take *; only the on-call role should get them.
  statement {
    sid       = "AnswerApprovals"
    actions   = ["states:SendTaskSuccess", "states:SendTaskFailure"]
    resources = ["*"]
  }

  statement {
    sid       = "ApprovalRequests"
    actions   = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"]
    resources = [aws_dynamodb_table.journal.arn]

    condition {
      test     = "ForAllValues:StringEquals"
      variable = "dynamodb:LeadingKeys"
      values   = ["doc#approvals", "doc#approval-answers"]
    }
  }
}
