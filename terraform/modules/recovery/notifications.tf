# Alarms publish to this topic (their alarm_actions); the alarm entry is subscribed to it.
resource "aws_sns_topic" "alarms" {
  name = "${var.name}-alarms"
  tags = var.tags
}

resource "aws_sns_topic_policy" "alarms" {
  arn    = aws_sns_topic.alarms.arn
  policy = data.aws_iam_policy_document.alarms_topic.json
}

data "aws_iam_policy_document" "alarms_topic" {
  statement {
    sid       = "CloudWatchAlarmsPublish"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_sns_topic_subscription" "alarm_entry" {
  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "lambda"
  endpoint  = aws_lambda_alias.alarm.arn
}

resource "aws_lambda_permission" "alarms_topic" {
  statement_id  = "AllowAlarmsTopic"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.alarm.function_name
  qualifier     = aws_lambda_alias.alarm.name
  principal     = "sns.amazonaws.com"
  source_arn    = aws_sns_topic.alarms.arn
}

# Alarms whose action is the alarm entry itself.
locals {
  # By alarm name (the ARN's last field), which is unique in an account and region.
  direct_alarms = { for arn in var.direct_alarm_arns : reverse(split(":", arn))[0] => arn }
}

resource "aws_lambda_permission" "direct_alarm" {
  for_each      = local.direct_alarms
  statement_id  = "AllowAlarm-${each.key}"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.alarm.function_name
  qualifier     = aws_lambda_alias.alarm.name
  principal     = "lambda.alarms.cloudwatch.amazonaws.com"
  source_arn    = each.value
}

# Recovery done / failed, from the state machine.
resource "aws_sns_topic" "notifications" {
  name = "${var.name}-notifications"
  tags = var.tags
}

resource "aws_sns_topic_subscription" "email" {
  for_each  = toset(var.notification_emails)
  topic_arn = aws_sns_topic.notifications.arn
  protocol  = "email"
  endpoint  = each.value
}
