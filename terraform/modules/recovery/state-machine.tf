# The recovery state machine: start a run, then advance it in short invocations of the step
# function, waiting as long as the run asks; retries with backoff on Lambda errors; a notification
# when the recovery is done or failed. The definition is state-machine.asl.json.
resource "aws_sfn_state_machine" "recovery" {
  name     = "${var.name}-recovery"
  role_arn = aws_iam_role.state_machine.arn
  type     = "STANDARD"

  definition = templatefile("${path.module}/state-machine.asl.json", {
    step_function_arn = aws_lambda_alias.recovery["step"].arn
    topic_arn         = aws_sns_topic.notifications.arn
  })

  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.state_machine.arn}:*"
    include_execution_data = false
    level                  = "ERROR"
  }

  tags = var.tags
}

resource "aws_cloudwatch_log_group" "state_machine" {
  name              = "/aws/vendedlogs/states/${var.name}-recovery"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}
