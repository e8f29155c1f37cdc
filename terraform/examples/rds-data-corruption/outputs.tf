output "snapshot_function_arn" {
  description = "What the CI job invokes before each deploy (see ../ci-pre-deploy-snapshot)."
  value       = module.recovery.snapshot_function_arn
}

output "state_machine_arn" {
  description = "Where to watch a recovery (Step Functions console or aws stepfunctions list-executions)."
  value       = module.recovery.state_machine_arn
}

output "approver_policy_json" {
  description = "Attach to the on-call role so it can run `dbrecover approve <run-id>` (see docs/lambda.md#approve)."
  value       = module.recovery.approver_policy_json
}
