variable "name" {
  description = "Prefix of every resource this module creates, e.g. dbrecover-prod."
  type        = string
  default     = "dbrecover"

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9-]{0,39}$", var.name))
    error_message = "name must start with a letter and use letters, digits and '-' (at most 40 characters)."
  }
}

variable "recovery_jar" {
  description = "Path to lambda/target/dbrecover-lambda.jar (step and snapshot entries)."
  type        = string

  validation {
    condition     = can(regex("\\.jar$", var.recovery_jar))
    error_message = "recovery_jar must be the path of dbrecover-lambda.jar."
  }
}

variable "alarm_jar" {
  description = "Path to lambda/target/dbrecover-lambda-alarm.jar (alarm entry)."
  type        = string

  validation {
    condition     = can(regex("\\.jar$", var.alarm_jar))
    error_message = "alarm_jar must be the path of dbrecover-lambda-alarm.jar."
  }
}

variable "config_file" {
  description = "Path to the dbrecover.yaml the handlers read (shipped as a Lambda layer, read at /opt/dbrecover.yaml)."
  type        = string
}

variable "config_environment" {
  description = "Variables that dbrecover.yaml interpolates as $${VAR}. Lambda encrypts them at rest; prefer url-target secretsmanager over passwords here."
  type        = map(string)
  default     = {}
  sensitive   = true
}

variable "alarm_routes" {
  description = "Which environment each alarm is about: exactly one of alarm (exact name), alarm_prefix or tag_key (with tag_value or any value; the alarm's CloudWatch tags, read only when no name route matches); kind is data, schema or app; the damage is taken to start look_back_minutes before the alarm's state change."
  type = list(object({
    alarm             = optional(string)
    alarm_prefix      = optional(string)
    tag_key           = optional(string)
    tag_value         = optional(string)
    environment       = string
    kind              = optional(string, "data")
    look_back_minutes = optional(number, 0)
  }))
  default = []

  validation {
    condition     = alltrue([for r in var.alarm_routes : length([for m in [r.alarm, r.alarm_prefix, r.tag_key] : m if m != null]) == 1])
    error_message = "Each alarm route needs exactly one of alarm, alarm_prefix or tag_key."
  }

  validation {
    condition     = alltrue([for r in var.alarm_routes : contains(["data", "schema", "app"], r.kind)])
    error_message = "kind must be data, schema or app."
  }

  validation {
    condition     = alltrue([for r in var.alarm_routes : r.look_back_minutes >= 0 && r.look_back_minutes <= 10080])
    error_message = "look_back_minutes must be between 0 and 10080 (7 days)."
  }
}

variable "direct_alarm_arns" {
  description = "CloudWatch alarms that invoke the alarm entry directly (Lambda alarm action) instead of through the alarms SNS topic."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.direct_alarm_arns : can(regex("^arn:aws[a-z-]*:cloudwatch:[a-z0-9-]+:[0-9]{12}:alarm:[A-Za-z0-9_-]{1,90}$", a))])
    error_message = "direct_alarm_arns must be CloudWatch alarm ARNs whose names use letters, digits, '_' and '-' (the name becomes the invoke permission's id)."
  }
}

variable "rds_instance_arns" {
  description = "RDS instances dbrecover may restore (arn:aws:rds:<region>:<account>:db:<id>). Restored copies are named <id>-rb-<run>, which the policy also allows."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.rds_instance_arns : can(regex("^arn:aws[a-z-]*:rds:[a-z0-9-]+:[0-9]{12}:db:[A-Za-z][A-Za-z0-9-]*$", a))])
    error_message = "rds_instance_arns must be RDS instance ARNs (arn:aws:rds:<region>:<account>:db:<id>)."
  }
}

variable "secret_arns" {
  description = "Secrets Manager secrets holding DATABASE_URL (url-target secretsmanager) that dbrecover reads and swaps."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.secret_arns : can(regex("^arn:aws[a-z-]*:secretsmanager:", a))])
    error_message = "secret_arns must be Secrets Manager secret ARNs."
  }
}

variable "rds_cluster_arns" {
  description = "Aurora clusters dbrecover may restore (arn:aws:rds:<region>:<account>:cluster:<id>). Restored clusters are named <id>-rb-<run> and their writers <id>-rbw-<run>, which the policy also allows."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.rds_cluster_arns : can(regex("^arn:aws[a-z-]*:rds:[a-z0-9-]+:[0-9]{12}:cluster:[A-Za-z][A-Za-z0-9-]*$", a))])
    error_message = "rds_cluster_arns must be Aurora cluster ARNs (arn:aws:rds:<region>:<account>:cluster:<id>)."
  }
}

variable "ssm_parameter_arns" {
  description = "SSM parameters holding DATABASE_URL (url-target ssm) that dbrecover reads and swaps."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.ssm_parameter_arns : can(regex("^arn:aws[a-z-]*:ssm:[a-z0-9-]+:[0-9]{12}:parameter/", a))])
    error_message = "ssm_parameter_arns must be SSM parameter ARNs."
  }
}

variable "assume_role_arns" {
  description = "Roles the functions assume per environment (role-arn in dbrecover.yaml)."
  type        = list(string)
  default     = []
}

variable "backup_bucket_arns" {
  description = "S3 buckets of backup-store s3://... (arn:aws:s3:::<bucket>); objects anywhere in them."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.backup_bucket_arns : can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9.-]+$", a))])
    error_message = "backup_bucket_arns must be S3 bucket ARNs (arn:aws:s3:::<bucket>)."
  }
}

variable "kms_key_arns" {
  description = "Customer managed KMS keys of the secrets, parameters, buckets or instances dbrecover uses."
  type        = list(string)
  default     = []
}

variable "notification_emails" {
  description = "E-mail addresses subscribed to the notifications topic (recovery done or failed)."
  type        = list(string)
  default     = []
}

variable "subnet_ids" {
  description = "Subnets for the step and snapshot functions, which connect to the databases (empty: no VPC)."
  type        = list(string)
  default     = []
}

variable "security_group_ids" {
  description = "Security groups for the step and snapshot functions when subnet_ids is set."
  type        = list(string)
  default     = []
}

variable "efs_access_point_arn" {
  description = "EFS access point mounted at /mnt/dbrecover as the state directory (reports; with the files state store also journals, locks and execution records, which every invocation must then see). Null: /tmp, enough with the recommended state-store dynamodb (see docs/lambda.md)."
  type        = string
  default     = null
}

variable "layers" {
  description = "Extra Lambda layers for the step and snapshot functions, e.g. one with pg_dump and pg_restore on PATH (/opt/bin) for pg_dump backups and restores."
  type        = list(string)
  default     = []
}

variable "runtime" {
  description = "Lambda Java runtime."
  type        = string
  default     = "java17"

  validation {
    condition     = contains(["java17", "java21"], var.runtime)
    error_message = "runtime must be java17 or java21."
  }
}

variable "memory_mb" {
  description = "Memory of the step and snapshot functions (CPU grows with it)."
  type        = number
  default     = 2048

  validation {
    condition     = var.memory_mb >= 512 && var.memory_mb <= 10240
    error_message = "memory_mb must be between 512 and 10240."
  }
}

variable "step_timeout_seconds" {
  description = "Timeout of the step and snapshot functions; each step invocation stops advancing step_margin_seconds before it."
  type        = number
  default     = 900

  validation {
    condition     = var.step_timeout_seconds >= 60 && var.step_timeout_seconds <= 900
    error_message = "step_timeout_seconds must be between 60 and 900."
  }
}

variable "step_margin_seconds" {
  description = "Time left unused at the end of each step invocation."
  type        = number
  default     = 30

  validation {
    condition     = var.step_margin_seconds >= 5 && var.step_margin_seconds <= 300
    error_message = "step_margin_seconds must be between 5 and 300."
  }
}

variable "snap_start" {
  description = "Publish versions with SnapStart (clients are built at init, so a snapshot holds them)."
  type        = bool
  default     = true
}

variable "log_retention_days" {
  description = "Retention of the functions' CloudWatch log groups."
  type        = number
  default     = 90
}

variable "tags" {
  description = "Tags on every resource."
  type        = map(string)
  default     = {}
}
