output "schedule_arns" {
  description = "The snapshot schedules by name."
  value       = { for k, s in aws_scheduler_schedule.snapshot : k => s.arn }
}

output "scheduler_role_arn" {
  description = "The role the schedules invoke the snapshot entry with."
  value       = aws_iam_role.scheduler.arn
}
