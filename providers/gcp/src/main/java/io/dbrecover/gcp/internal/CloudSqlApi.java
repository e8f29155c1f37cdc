package io.dbrecover.gcp.internal;

import com.google.api.services.sqladmin.SQLAdmin;
import com.google.api.services.sqladmin.model.BackupRun;
import com.google.api.services.sqladmin.model.BackupRunsListResponse;
import com.google.api.services.sqladmin.model.CloneContext;
import com.google.api.services.sqladmin.model.DatabaseInstance;
import com.google.api.services.sqladmin.model.InstancesCloneRequest;
import com.google.api.services.sqladmin.model.InstancesRestoreBackupRequest;
import com.google.api.services.sqladmin.model.Operation;
import com.google.api.services.sqladmin.model.OperationsListResponse;
import com.google.api.services.sqladmin.model.RestoreBackupContext;
import com.google.api.services.sqladmin.model.SqlInstancesGetLatestRecoveryTimeResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The Cloud SQL Admin API calls dbrecover makes, for one project, each through {@link GoogleCalls}
 * (retries, error mapping); no client exception leaves this class.
 */
public final class CloudSqlApi {
  private static final int PAGE = 100;
  private static final long PAGE_L = PAGE;
  private static final int MAX_PAGES = 20;

  private final SQLAdmin admin;
  private final GoogleCalls calls;
  private final String project;

  public CloudSqlApi(SQLAdmin admin, GoogleCalls calls, String project) {
    this.admin = Objects.requireNonNull(admin, "admin");
    this.calls = Objects.requireNonNull(calls, "calls");
    this.project = Objects.requireNonNull(project, "project");
  }

  public String project() {
    return project;
  }

  /** The instance, or empty when Cloud SQL does not know it (404). */
  public Optional<DatabaseInstance> findInstance(String instance) {
    return calls.executeOr(
        ApiCall.INSTANCES_GET,
        instance(instance),
        build(() -> admin.instances().get(project, instance)),
        e -> e.getStatusCode() == 404);
  }

  /** The instance; a missing one is a configuration error (exit 1). */
  public DatabaseInstance requireInstance(String instance) {
    return calls.execute(
        ApiCall.INSTANCES_GET,
        instance(instance),
        build(() -> admin.instances().get(project, instance)));
  }

  /** {@code instances.getLatestRecoveryTime}: the earliest and latest time a clone can take. */
  public SqlInstancesGetLatestRecoveryTimeResponse latestRecoveryTime(String instance) {
    return calls.execute(
        ApiCall.INSTANCES_GET_LATEST_RECOVERY_TIME,
        instance(instance),
        build(() -> admin.projects().instances().getLatestRecoveryTime(project, instance)));
  }

  /**
   * Clones {@code source} at {@code pointInTime} into a new instance {@code destination}; empty
   * when the name is taken (409 {@code instanceAlreadyExists}), so the caller decides whether it is
   * ours.
   */
  public Optional<Operation> clone(String source, String destination, Instant pointInTime) {
    CloneContext context =
        new CloneContext()
            .setKind("sql#cloneContext")
            .setDestinationInstanceName(destination)
            .setPointInTime(pointInTime.toString());
    return calls.executeOr(
        ApiCall.INSTANCES_CLONE,
        instance(source) + " (clone to '" + destination + "' at " + pointInTime + ")",
        build(
            () ->
                admin
                    .instances()
                    .clone(project, source, new InstancesCloneRequest().setCloneContext(context))),
        e -> e.getStatusCode() == 409 && "instanceAlreadyExists".equals(GcpErrors.reason(e)));
  }

  /** Creates an instance; empty when the name is taken (409 {@code instanceAlreadyExists}). */
  public Optional<Operation> insertInstance(DatabaseInstance instance) {
    return calls.executeOr(
        ApiCall.INSTANCES_INSERT,
        instance(instance.getName()),
        build(() -> admin.instances().insert(project, instance)),
        e -> e.getStatusCode() == 409 && "instanceAlreadyExists".equals(GcpErrors.reason(e)));
  }

  /**
   * Restores backup run {@code backupRunId} of {@code source} into {@code target}, overwriting it.
   */
  public Operation restoreBackup(String target, String source, long backupRunId) {
    RestoreBackupContext context =
        new RestoreBackupContext()
            .setKind("sql#restoreBackupContext")
            .setBackupRunId(backupRunId)
            .setInstanceId(source)
            .setProject(project);
    return calls.execute(
        ApiCall.INSTANCES_RESTORE_BACKUP,
        instance(target) + " (restore of backup run " + backupRunId + " of '" + source + "')",
        build(
            () ->
                admin
                    .instances()
                    .restoreBackup(
                        project,
                        target,
                        new InstancesRestoreBackupRequest().setRestoreBackupContext(context))));
  }

  /** Starts an on-demand backup run with {@code description}. */
  public Operation insertBackupRun(String instance, String description) {
    BackupRun run = new BackupRun().setKind("sql#backupRun").setDescription(description);
    return calls.execute(
        ApiCall.BACKUP_RUNS_INSERT,
        instance(instance) + " (on-demand backup)",
        build(() -> admin.backupRuns().insert(project, instance, run)));
  }

  /** Every backup run of {@code instance}, as Cloud SQL lists them (newest first). */
  public List<BackupRun> listBackupRuns(String instance) {
    List<BackupRun> out = new ArrayList<>();
    String token = null;
    for (int page = 0; page < MAX_PAGES; page++) {
      String pageToken = token;
      BackupRunsListResponse response =
          calls.execute(
              ApiCall.BACKUP_RUNS_LIST,
              instance(instance),
              build(
                  () ->
                      admin
                          .backupRuns()
                          .list(project, instance)
                          .setMaxResults(PAGE)
                          .setPageToken(pageToken)));
      if (response.getItems() != null) {
        out.addAll(response.getItems());
      }
      token = response.getNextPageToken();
      if (token == null || token.isEmpty()) {
        break;
      }
    }
    return out;
  }

  /** A backup run, or empty when there is none with that id (404). */
  public Optional<BackupRun> findBackupRun(String instance, long id) {
    return calls.executeOr(
        ApiCall.BACKUP_RUNS_GET,
        "backup run " + id + " of " + instance(instance),
        build(() -> admin.backupRuns().get(project, instance, id)),
        e -> e.getStatusCode() == 404);
  }

  /** Deletes a backup run; false when there was none (404). */
  public boolean deleteBackupRun(String instance, long id) {
    return calls
        .executeOr(
            ApiCall.BACKUP_RUNS_DELETE,
            "backup run " + id + " of " + instance(instance),
            build(() -> admin.backupRuns().delete(project, instance, id)),
            e -> e.getStatusCode() == 404)
        .isPresent();
  }

  public Operation operation(String name) {
    return calls.execute(
        ApiCall.OPERATIONS_GET,
        "operation " + name,
        build(() -> admin.operations().get(project, name)));
  }

  /** The operations of {@code instance}, newest first (one page: recent ones are what matter). */
  public List<Operation> operations(String instance) {
    return calls
        .executeOr(
            ApiCall.OPERATIONS_LIST,
            "operations of " + instance(instance),
            build(
                () -> admin.operations().list(project).setInstance(instance).setMaxResults(PAGE_L)),
            e -> e.getStatusCode() == 404)
        .map(OperationsListResponse::getItems)
        .orElse(List.of());
  }

  static String instance(String id) {
    return "Cloud SQL instance '" + id + "'";
  }

  /** Building a request does no I/O; the client only declares IOException. */
  private static <R> R build(Builder<R> builder) {
    try {
      return builder.build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FunctionalInterface
  private interface Builder<R> {
    R build() throws IOException;
  }
}
