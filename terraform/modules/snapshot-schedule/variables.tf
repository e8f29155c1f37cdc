variable "name" {
  description = "Prefix of the schedules and the scheduler role."
  type        = string
  default     = "dbrecover"

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9-]{0,39}$", var.name))
    error_message = "name must start with a letter and use letters, digits and '-' (at most 40 characters)."
  }
}

variable "snapshot_function_arn" {
  description = "The snapshot entry to invoke: the recovery module's snapshot_function_arn output."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:lambda:", var.snapshot_function_arn))
    error_message = "snapshot_function_arn must be a Lambda function (or alias) ARN."
  }
}

variable "schedules" {
  description = "Snapshot schedules by name: the environment, an EventBridge Scheduler expression (cron(...), rate(...) or at(...)), its time zone, and the backup label."
  type = map(object({
    environment = string
    expression  = string
    timezone    = optional(string, "UTC")
    label       = optional(string, "scheduled")
  }))

  validation {
    condition     = alltrue([for s in values(var.schedules) : can(regex("^(cron|rate|at)\\(.+\\)$", s.expression))])
    error_message = "Each expression must be cron(...), rate(...) or at(...)."
  }

  validation {
    condition     = alltrue([for s in values(var.schedules) : can(regex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,50}$", s.label))])
    error_message = "Each label must start with a letter or digit and use letters, digits, '.', '_' and '-'."
  }

  validation {
    condition     = alltrue([for k in keys(var.schedules) : can(regex("^[A-Za-z0-9_-]{1,20}$", k))])
    error_message = "Schedule names must be 1-20 letters, digits, '_' or '-'."
  }
}

variable "retry_attempts" {
  description = "How often the scheduler retries a failed invocation."
  type        = number
  default     = 2

  validation {
    condition     = var.retry_attempts >= 0 && var.retry_attempts <= 185
    error_message = "retry_attempts must be between 0 and 185."
  }
}

variable "tags" {
  description = "Tags on the scheduler role and the schedule group."
  type        = map(string)
  default     = {}
}
