output "alarms_topic_arn" {
  description = "Put this in a CloudWatch alarm's alarm_actions to start a recovery when it fires."
  value       = aws_sns_topic.alarms.arn
}

output "alarm_function_arn" {
  description = "The alarm entry's live alias, for alarms that invoke it directly (add their ARNs to direct_alarm_arns)."
  value       = aws_lambda_alias.alarm.arn
}

output "snapshot_function_arn" {
  description = "The snapshot entry's live alias: invoke it from a deploy pipeline or an EventBridge Scheduler schedule."
  value       = aws_lambda_alias.recovery["snapshot"].arn
}

output "step_function_arn" {
  description = "The step entry's live alias, which the state machine invokes."
  value       = aws_lambda_alias.recovery["step"].arn
}

output "state_machine_arn" {
  description = "The recovery state machine."
  value       = aws_sfn_state_machine.recovery.arn
}

output "notifications_topic_arn" {
  description = "Recovery done / failed notifications."
  value       = aws_sns_topic.notifications.arn
}

output "journal_table_name" {
  description = "The DynamoDB journal / lock / execution table; the functions get it as DBRECOVER_STATE_TABLE for dbrecover.yaml's state-store (see docs/lambda.md)."
  value       = aws_dynamodb_table.journal.name
}

output "approver_policy_json" {
  description = "An IAM policy for the people who answer approval requests with `dbrecover approve <run-id>`: states:SendTaskSuccess / SendTaskFailure, and reading (and recording answers to) the approval items of the journal table. Attach it to the on-call role (aws_iam_role_policy or aws_iam_policy)."
  value       = data.aws_iam_policy_document.approver.json
}
