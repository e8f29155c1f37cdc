package io.dbrecover.gcp.internal;

/**
 * Every Google API call this module makes, with the IAM permission it needs. The resource {@code
 * io/dbrecover/gcp/iam-permissions.json} lists the same permissions for the docs and Terraform; a
 * test keeps the two equal, and every call checks its request against its entry here.
 */
public enum ApiCall {
  INSTANCES_GET(
      "instances.get",
      "cloudsql.instances.get",
      "GET",
      "v1/projects/{project}/instances/{instance}"),
  // Google documents no permission of its own for getLatestRecoveryTime; instances.get covers it.
  INSTANCES_GET_LATEST_RECOVERY_TIME(
      "instances.getLatestRecoveryTime",
      "cloudsql.instances.get",
      "GET",
      "v1/projects/{project}/instances/{instance}/getLatestRecoveryTime"),
  INSTANCES_CLONE(
      "instances.clone",
      "cloudsql.instances.clone",
      "POST",
      "v1/projects/{project}/instances/{instance}/clone"),
  INSTANCES_INSERT(
      "instances.insert", "cloudsql.instances.create", "POST", "v1/projects/{project}/instances"),
  INSTANCES_RESTORE_BACKUP(
      "instances.restoreBackup",
      "cloudsql.instances.restoreBackup",
      "POST",
      "v1/projects/{project}/instances/{instance}/restoreBackup"),
  BACKUP_RUNS_INSERT(
      "backupRuns.insert",
      "cloudsql.backupRuns.create",
      "POST",
      "v1/projects/{project}/instances/{instance}/backupRuns"),
  BACKUP_RUNS_LIST(
      "backupRuns.list",
      "cloudsql.backupRuns.list",
      "GET",
      "v1/projects/{project}/instances/{instance}/backupRuns"),
  BACKUP_RUNS_GET(
      "backupRuns.get",
      "cloudsql.backupRuns.get",
      "GET",
      "v1/projects/{project}/instances/{instance}/backupRuns/{id}"),
  BACKUP_RUNS_DELETE(
      "backupRuns.delete",
      "cloudsql.backupRuns.delete",
      "DELETE",
      "v1/projects/{project}/instances/{instance}/backupRuns/{id}"),
  OPERATIONS_GET(
      "operations.get",
      "cloudsql.instances.get",
      "GET",
      "v1/projects/{project}/operations/{operation}"),
  OPERATIONS_LIST(
      "operations.list", "cloudsql.instances.get", "GET", "v1/projects/{project}/operations"),
  SECRET_VERSIONS_ADD(
      "secrets.addVersion",
      "secretmanager.versions.add",
      "POST",
      "v1/projects/{project}/secrets/{secret}:addVersion"),
  SECRET_VERSIONS_ACCESS(
      "secrets.versions.access",
      "secretmanager.versions.access",
      "GET",
      "v1/projects/{project}/secrets/{secret}/versions/{version}:access"),
  SECRET_VERSIONS_GET(
      "secrets.versions.get",
      "secretmanager.versions.get",
      "GET",
      "v1/projects/{project}/secrets/{secret}/versions/{version}");

  private final String restMethod;
  private final String permission;
  private final String httpMethod;
  private final String uriTemplate;

  ApiCall(String restMethod, String permission, String httpMethod, String uriTemplate) {
    this.restMethod = restMethod;
    this.permission = permission;
    this.httpMethod = httpMethod;
    this.uriTemplate = uriTemplate;
  }

  /** The REST method as Google's reference spells it, e.g. {@code instances.clone}. */
  public String restMethod() {
    return restMethod;
  }

  /** The IAM permission the caller needs, e.g. {@code cloudsql.instances.clone}. */
  public String permission() {
    return permission;
  }

  public String httpMethod() {
    return httpMethod;
  }

  /** The REST path template under the API root, as the generated client spells it. */
  public String uriTemplate() {
    return uriTemplate;
  }
}
