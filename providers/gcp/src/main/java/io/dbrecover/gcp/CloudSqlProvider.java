package io.dbrecover.gcp;

import com.google.api.services.sqladmin.model.BackupConfiguration;
import com.google.api.services.sqladmin.model.BackupRun;
import com.google.api.services.sqladmin.model.DatabaseInstance;
import com.google.api.services.sqladmin.model.IpMapping;
import com.google.api.services.sqladmin.model.Operation;
import com.google.api.services.sqladmin.model.OperationError;
import com.google.api.services.sqladmin.model.SqlInstancesGetLatestRecoveryTimeResponse;
import io.dbrecover.engine.api.BackupCheck;
import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.Method;
import io.dbrecover.engine.api.ProviderException;
import io.dbrecover.engine.api.RecoveryPoint;
import io.dbrecover.engine.api.RestoreWindow;
import io.dbrecover.engine.spi.BackupRequest;
import io.dbrecover.engine.spi.Capabilities;
import io.dbrecover.engine.spi.Provider;
import io.dbrecover.engine.spi.ProviderContext;
import io.dbrecover.engine.spi.RestoreRequest;
import io.dbrecover.engine.spi.RestoreStatus;
import io.dbrecover.gcp.internal.BackupDescriptions;
import io.dbrecover.gcp.internal.CloudSqlApi;
import io.dbrecover.gcp.internal.InstanceNames;
import io.dbrecover.gcp.internal.Sleeper;
import io.dbrecover.gcp.internal.TargetInstances;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Google Cloud SQL for PostgreSQL ({@code cloudsql}): point-in-time restore with {@code
 * instances.clone} into a new instance named after the run, on-demand backup runs, and restore of a
 * backup run into a new instance created from the source's settings ({@code instances.insert}, then
 * {@code instances.restoreBackup}). The original instance is only written by {@link
 * #replaceOriginal}, which the engine calls for {@code --in-place} after a verified safety backup.
 * Restores are asynchronous: {@link #startRestore} returns at once, {@link #pollRestore} reads the
 * operations and the new instance.
 */
public final class CloudSqlProvider implements Provider {
  /** The config name. */
  public static final String NAME = "cloudsql";

  static final Duration POLL = Duration.ofSeconds(20);
  static final Duration BACKUP_TIMEOUT = Duration.ofHours(2);
  static final String RUN_LABEL = "dbrecover-run";
  static final String SOURCE_LABEL = "dbrecover-source";

  private final GcpClients clients;
  private final Sleeper sleeper;
  private final Map<String, String> env;

  /**
   * @param clients the Google clients
   * @param sleeper waits between polls of a backup operation
   * @param env the process environment (the git SHA of a backup's description)
   */
  public CloudSqlProvider(GcpClients clients, Sleeper sleeper, Map<String, String> env) {
    this.clients = Objects.requireNonNull(clients, "clients");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.env = Map.copyOf(env);
  }

  @Override
  public String name() {
    return NAME;
  }

  /**
   * The configured {@code database.url}; without one, the instance's address with database {@code
   * postgres} and no user or password (set {@code database.url} for anything real).
   */
  @Override
  public DbUrl configuredUrl(EnvironmentConfig environment, Path stateDir) {
    String url = environment.database().url();
    if (url != null && !url.isBlank()) {
      return DbUrl.parse(url);
    }
    GcpSettings s = settings(environment);
    DatabaseInstance instance = api(s).requireInstance(s.instance());
    String ip =
        address(instance, s.ipType())
            .orElseThrow(
                () ->
                    new ConfigurationException(
                        "Cloud SQL instance '"
                            + s.instance()
                            + "' has no "
                            + s.ipType()
                            + " address; set database.url or database.options.ip-type"));
    return DbUrl.of(ip, s.port(), "postgres", null, null);
  }

  @Override
  public Capabilities capabilities(ProviderContext ctx) {
    GcpSettings s = settings(ctx.environment());
    CloudSqlApi api = api(s);
    DatabaseInstance source = api.requireInstance(s.instance());
    Set<String> notes = new LinkedHashSet<>();
    BackupConfiguration bc = backupConfiguration(source);
    if (!Boolean.TRUE.equals(bc.getEnabled())) {
      notes.add(
          "automated backups are off for Cloud SQL instance '"
              + s.instance()
              + "'; only on-demand backups (dbrecover backup) can be restored");
    }
    if (!Boolean.TRUE.equals(bc.getPointInTimeRecoveryEnabled())) {
      notes.add(pitrOff(s.instance()));
      return new Capabilities(Set.of(Method.SNAPSHOT_RESTORE), null, notes);
    }
    RestoreWindow window = window(api, s.instance(), bc, ctx.clock().instant());
    notes.add(
        "Cloud SQL keeps "
            + retentionDays(bc)
            + " days of transaction logs for '"
            + s.instance()
            + "': point in time from "
            + window);
    return new Capabilities(Set.of(Method.POINT_IN_TIME, Method.SNAPSHOT_RESTORE), window, notes);
  }

  /** The successful backup runs of the instance, newest first. */
  @Override
  public List<RecoveryPoint> recoveryPoints(ProviderContext ctx) {
    GcpSettings s = settings(ctx.environment());
    List<RecoveryPoint> points = new ArrayList<>();
    for (BackupRun run : api(s).listBackupRuns(s.instance())) {
      if ("SUCCESSFUL".equals(run.getStatus()) && run.getId() != null) {
        points.add(point(s.instance(), run));
      }
    }
    points.sort(Comparator.comparing(RecoveryPoint::takenAt).reversed());
    return points;
  }

  /**
   * Runs an on-demand backup ({@code backupRuns.insert}) whose description carries the label, the
   * run id and the git SHA, and waits for its operation. A safety backup retried by the same run
   * finds the first one by its description instead of taking another.
   */
  @Override
  public RecoveryPoint backup(ProviderContext ctx, BackupRequest request) {
    GcpSettings s = settings(ctx.environment());
    CloudSqlApi api = api(s);
    if (request.runId() != null) {
      for (BackupRun run : api.listBackupRuns(s.instance())) {
        Optional<BackupDescriptions.Parsed> d = BackupDescriptions.parse(run.getDescription());
        if (d.isPresent()
            && request.runId().equals(d.get().runId())
            && d.get().safety() == request.safety()
            && "SUCCESSFUL".equals(run.getStatus())) {
          return point(s.instance(), run);
        }
      }
    }
    String description =
        BackupDescriptions.of(
            request.label(),
            request.runId(),
            request.gitSha() != null ? request.gitSha() : GcpSettings.gitSha(env),
            request.safety());
    ctx.progress().update("taking an on-demand backup of Cloud SQL instance " + s.instance());
    Operation op = api.insertBackupRun(s.instance(), description);
    Operation done = await(ctx, api, op, "backup of " + s.instance());
    Long id = done.getBackupContext() == null ? null : done.getBackupContext().getBackupId();
    BackupRun run =
        (id == null ? Optional.<BackupRun>empty() : api.findBackupRun(s.instance(), id))
            .or(
                () ->
                    api.listBackupRuns(s.instance()).stream()
                        .filter(r -> description.equals(r.getDescription()))
                        .findFirst())
            .orElseThrow(
                () ->
                    new ProviderException(
                        "Cloud SQL finished backup operation "
                            + done.getName()
                            + " but lists no backup run for it; look at the instance's backups",
                        null,
                        null));
    return point(s.instance(), run);
  }

  @Override
  public BackupCheck verifyBackup(ProviderContext ctx, String backupId, boolean deep) {
    if (deep) {
      throw new ConfigurationException(
          "Cloud SQL keeps its backups itself, so there is no file to check deeply; restore backup "
              + backupId
              + " side by side instead: dbrecover restore "
              + ctx.environment().name()
              + " --from "
              + backupId);
    }
    GcpSettings s = settings(ctx.environment());
    BackupRun run = requireBackupRun(api(s), s.instance(), backupId);
    boolean ok = "SUCCESSFUL".equals(run.getStatus());
    return new BackupCheck(
        backupId,
        List.of(
            new BackupCheck.Item(
                "status",
                ok,
                "backup run " + backupId + " is " + run.getStatus() + errorText(run.getError()))));
  }

  @Override
  public RestoreStatus startRestore(ProviderContext ctx, RestoreRequest request) {
    if (request.inPlace()) {
      throw new ConfigurationException(
          "Cloud SQL restores into a new instance first; the engine replaces the original only"
              + " after verifying it (restore with --in-place)");
    }
    GcpSettings s = settings(ctx.environment());
    CloudSqlApi api = api(s);
    String target = InstanceNames.restored(s.instance(), request.runId());
    RecoveryPoint point = request.point();
    if (point.kind() == RecoveryPoint.Kind.POINT_IN_TIME) {
      return startClone(ctx, s, api, request, target);
    }
    if (point.kind() == RecoveryPoint.Kind.SNAPSHOT) {
      return startBackupRestore(ctx, s, api, request, target);
    }
    throw new ConfigurationException(
        "the cloudsql provider restores points in time and backup runs, not a "
            + point.kind().method().label()
            + " ("
            + point.id()
            + ")");
  }

  private RestoreStatus startClone(
      ProviderContext ctx, GcpSettings s, CloudSqlApi api, RestoreRequest request, String target) {
    if (request.point().targetLsn().isPresent()) {
      throw new ConfigurationException(
          "Cloud SQL clones to a time, not to a WAL position (LSN "
              + request.point().targetLsn().get()
              + ")");
    }
    Optional<DatabaseInstance> existing = api.findInstance(target);
    Optional<Operation> earlier = cloneOperation(api, s.instance(), target, existing.isPresent());
    if (existing.isPresent() || earlier.isPresent()) {
      // A retried start: the first try cloned already.
      existing.ifPresent(i -> requireClonedByRun(i, earlier, request.runId()));
      return pollClone(ctx, s, api, request, target);
    }
    Instant at = request.point().takenAt();
    DatabaseInstance source = api.requireInstance(s.instance());
    BackupConfiguration bc = backupConfiguration(source);
    if (!Boolean.TRUE.equals(bc.getPointInTimeRecoveryEnabled())) {
      throw new DbRecoverException(ErrorCode.NO_RECOVERY_POINT, pitrOff(s.instance()));
    }
    RestoreWindow window = window(api, s.instance(), bc, ctx.clock().instant());
    if (!window.contains(at)) {
      throw new DbRecoverException(
          ErrorCode.NO_RECOVERY_POINT,
          "Cloud SQL instance '"
              + s.instance()
              + "' can be restored to "
              + window
              + ", not to "
              + at
              + "; pick a time inside the window or restore a backup run (dbrecover list-backups "
              + ctx.environment().name()
              + ")");
    }
    ctx.progress()
        .update("cloning Cloud SQL instance " + s.instance() + " at " + at + " into " + target);
    Optional<Operation> op = api.clone(s.instance(), target, at);
    if (op.isEmpty()) {
      // 409 instanceAlreadyExists: ours only when this run's clone made it.
      Optional<DatabaseInstance> now = api.findInstance(target);
      Optional<Operation> clone = cloneOperation(api, s.instance(), target, now.isPresent());
      boolean ours =
          clone.isPresent() || (now.isPresent() && clonedByRun(now.get(), clone, request.runId()));
      if (!ours) {
        throw nameTaken(target, request.runId());
      }
      return pollClone(ctx, s, api, request, target);
    }
    return new RestoreStatus.Running(
        ctx.clock().instant().plus(POLL),
        "Cloud SQL is cloning "
            + s.instance()
            + " into "
            + target
            + " (operation "
            + op.get().getName()
            + ", "
            + op.get().getStatus()
            + ")");
  }

  private RestoreStatus startBackupRestore(
      ProviderContext ctx, GcpSettings s, CloudSqlApi api, RestoreRequest request, String target) {
    Optional<DatabaseInstance> existing = api.findInstance(target);
    if (existing.isPresent()) {
      requireLabelledByRun(existing.get(), request.runId());
      return pollBackupRestore(ctx, s, api, request, target);
    }
    BackupRun run = requireBackupRun(api, s.instance(), request.point().id());
    if (!"SUCCESSFUL".equals(run.getStatus())) {
      throw new DbRecoverException(
          ErrorCode.BACKUP_NOT_FOUND,
          "backup run "
              + request.point().id()
              + " of Cloud SQL instance '"
              + s.instance()
              + "' is "
              + run.getStatus()
              + ", not SUCCESSFUL; pick another backup (dbrecover list-backups "
              + ctx.environment().name()
              + ")");
    }
    DatabaseInstance source = api.requireInstance(s.instance());
    ctx.progress()
        .update(
            "creating Cloud SQL instance "
                + target
                + " with the settings of "
                + s.instance()
                + " to restore backup run "
                + request.point().id()
                + " into");
    Optional<Operation> op =
        api.insertInstance(
            TargetInstances.from(
                source, target, InstanceNames.label(request.runId()), RUN_LABEL, SOURCE_LABEL));
    if (op.isEmpty()) {
      DatabaseInstance taken = api.findInstance(target).orElseThrow(() -> nameTaken(target, null));
      requireLabelledByRun(taken, request.runId());
      return pollBackupRestore(ctx, s, api, request, target);
    }
    return new RestoreStatus.Running(
        ctx.clock().instant().plus(POLL),
        "Cloud SQL is creating instance " + target + " (operation " + op.get().getName() + ")");
  }

  @Override
  public RestoreStatus pollRestore(ProviderContext ctx, RestoreRequest request) {
    GcpSettings s = settings(ctx.environment());
    CloudSqlApi api = api(s);
    String target = InstanceNames.restored(s.instance(), request.runId());
    if (request.point().kind() == RecoveryPoint.Kind.SNAPSHOT) {
      return pollBackupRestore(ctx, s, api, request, target);
    }
    return pollClone(ctx, s, api, request, target);
  }

  private RestoreStatus pollClone(
      ProviderContext ctx, GcpSettings s, CloudSqlApi api, RestoreRequest request, String target) {
    Optional<DatabaseInstance> instance = api.findInstance(target);
    Optional<Operation> op = cloneOperation(api, s.instance(), target, instance.isPresent());
    if (op.isPresent()) {
      Optional<RestoreStatus> pending = pending(ctx, op.get(), "clone of " + s.instance(), target);
      if (pending.isPresent()) {
        return pending.get();
      }
    }
    if (instance.isEmpty()) {
      return op.isPresent()
          ? new RestoreStatus.Running(
              ctx.clock().instant().plus(POLL),
              "Cloud SQL finished the clone; instance " + target + " is not listed yet")
          : new RestoreStatus.Failed(
              "Cloud SQL instance '"
                  + target
                  + "' does not exist and no clone operation for it was found: the restore was"
                  + " not started, or the instance was deleted");
    }
    return ready(ctx, s, instance.get(), "clone of " + s.instance());
  }

  private RestoreStatus pollBackupRestore(
      ProviderContext ctx, GcpSettings s, CloudSqlApi api, RestoreRequest request, String target) {
    Optional<DatabaseInstance> instance = api.findInstance(target);
    if (instance.isEmpty()) {
      return new RestoreStatus.Failed(
          "Cloud SQL instance '"
              + target
              + "' does not exist: the restore was not started, or the instance was deleted");
    }
    requireLabelledByRun(instance.get(), request.runId());
    List<Operation> ops = api.operations(target);
    Optional<Operation> create = first(ops, "CREATE");
    Optional<Operation> restore = first(ops, "RESTORE_VOLUME");
    if (restore.isEmpty()) {
      if (create.isPresent()) {
        Optional<RestoreStatus> pending =
            pending(ctx, create.get(), "creation of " + target, target);
        if (pending.isPresent()) {
          return pending.get();
        }
      }
      if (!"RUNNABLE".equals(instance.get().getState())) {
        return new RestoreStatus.Running(
            ctx.clock().instant().plus(POLL),
            "Cloud SQL instance " + target + " is " + instance.get().getState());
      }
      long id = backupRunId(request.point().id());
      ctx.progress()
          .update("restoring backup run " + id + " of " + s.instance() + " into " + target);
      Operation started = api.restoreBackup(target, s.instance(), id);
      return new RestoreStatus.Running(
          ctx.clock().instant().plus(POLL),
          "Cloud SQL is restoring backup run "
              + id
              + " into "
              + target
              + " (operation "
              + started.getName()
              + ")");
    }
    Optional<RestoreStatus> pending =
        pending(ctx, restore.get(), "restore of backup run " + request.point().id(), target);
    if (pending.isPresent()) {
      return pending.get();
    }
    return ready(
        ctx, s, instance.get(), "backup run " + request.point().id() + " of " + s.instance());
  }

  /**
   * Puts a backup run back onto the original instance ({@code instances.restoreBackup} on it) and
   * waits for the operation. The engine calls this only after a verified safety backup exists and
   * the restored copy passed verification. Idempotent: a restore of the same backup already on the
   * original since the run started is waited for, not repeated. Point-in-time restores always live
   * in a new instance; for them this refuses (exit 1).
   */
  @Override
  public void replaceOriginal(ProviderContext ctx, RestoreRequest restored, String originalName) {
    GcpSettings s = settings(ctx.environment());
    if (restored.point().kind() != RecoveryPoint.Kind.SNAPSHOT) {
      throw new ConfigurationException(
          "Cloud SQL point-in-time restores create a new instance ("
              + InstanceNames.restored(s.instance(), restored.runId())
              + ") and cannot be put onto '"
              + s.instance()
              + "'; run without --in-place and let dbrecover swap DATABASE_URL");
    }
    CloudSqlApi api = api(s);
    Instant since = InstanceNames.started(restored.runId()).orElse(Instant.EPOCH);
    Optional<Operation> earlier =
        api.operations(s.instance()).stream()
            .filter(o -> "RESTORE_VOLUME".equals(o.getOperationType()))
            .filter(o -> !time(o.getInsertTime()).isBefore(since))
            .findFirst();
    long id = backupRunId(restored.point().id());
    Operation op;
    if (earlier.isPresent()) {
      op = earlier.get();
    } else {
      ctx.progress()
          .update("restoring backup run " + id + " onto the original instance " + s.instance());
      op = api.restoreBackup(s.instance(), s.instance(), id);
    }
    Operation done = await(ctx, api, op, "restore of backup run " + id + " onto " + s.instance());
    if (done.getError() != null) {
      throw new DbRecoverException(
          ErrorCode.RESTORE_FAILED,
          "Cloud SQL could not restore backup run "
              + id
              + " onto '"
              + s.instance()
              + "': "
              + operationErrors(done)
              + "; restore the safety backup of this run onto it the same way");
    }
  }

  /** Deletes an on-demand backup run dbrecover took; others (automated ones) are left alone. */
  @Override
  public boolean deleteBackup(ProviderContext ctx, String backupId) {
    GcpSettings s = settings(ctx.environment());
    CloudSqlApi api = api(s);
    Optional<BackupRun> run = api.findBackupRun(s.instance(), backupRunId(backupId));
    if (run.isEmpty() || BackupDescriptions.parse(run.get().getDescription()).isEmpty()) {
      return false;
    }
    return api.deleteBackupRun(s.instance(), backupRunId(backupId));
  }

  // --- helpers -------------------------------------------------------------------------------

  /** Running while the operation is; Failed when it ended with an error; empty when it is done. */
  private Optional<RestoreStatus> pending(
      ProviderContext ctx, Operation op, String what, String target) {
    if (!"DONE".equals(op.getStatus())) {
      return Optional.of(
          new RestoreStatus.Running(
              ctx.clock().instant().plus(POLL),
              "Cloud SQL " + what + " (operation " + op.getName() + ") is " + op.getStatus()));
    }
    if (op.getError() != null) {
      return Optional.of(
          new RestoreStatus.Failed(
              "Cloud SQL "
                  + what
                  + " into '"
                  + target
                  + "' failed (operation "
                  + op.getName()
                  + "): "
                  + operationErrors(op)));
    }
    return Optional.empty();
  }

  private RestoreStatus ready(
      ProviderContext ctx, GcpSettings s, DatabaseInstance instance, String what) {
    String state = instance.getState() == null ? "UNKNOWN" : instance.getState();
    if (state.equals("FAILED") || state.equals("SUSPENDED")) {
      return new RestoreStatus.Failed(
          "Cloud SQL instance '" + instance.getName() + "' is " + state + " after the " + what);
    }
    Optional<String> ip = address(instance, s.ipType());
    if (!state.equals("RUNNABLE") || ip.isEmpty()) {
      return new RestoreStatus.Running(
          ctx.clock().instant().plus(POLL),
          "Cloud SQL instance "
              + instance.getName()
              + " is "
              + state
              + (ip.isEmpty() ? " (no " + s.ipType() + " address yet)" : ""));
    }
    DbUrl url = withEndpoint(ctx.liveUrl(), ip.get(), s.port());
    return new RestoreStatus.Done(
        url, "Cloud SQL instance " + instance.getName() + " (" + what + ")");
  }

  /**
   * The clone operation that made {@code target}: listed on the source with {@code targetId} the
   * new instance, or listed on the new instance itself.
   */
  private static Optional<Operation> cloneOperation(
      CloudSqlApi api, String source, String target, boolean targetExists) {
    Optional<Operation> onSource =
        api.operations(source).stream()
            .filter(o -> "CLONE".equals(o.getOperationType()))
            .filter(
                o ->
                    target.equals(o.getTargetId())
                        || (o.getTargetLink() != null
                            && o.getTargetLink().endsWith("/instances/" + target)))
            .findFirst();
    if (onSource.isPresent() || !targetExists) {
      return onSource;
    }
    return first(api.operations(target), "CLONE");
  }

  private static Optional<Operation> first(List<Operation> ops, String type) {
    return ops.stream().filter(o -> type.equals(o.getOperationType())).findFirst();
  }

  /**
   * A clone carries the source's labels, not ours; an existing target is this run's when a clone
   * operation made it, or when it was created after the run started (its name holds the run id).
   */
  private static boolean clonedByRun(
      DatabaseInstance instance, Optional<Operation> clone, String runId) {
    if (clone.isPresent()) {
      return true;
    }
    Optional<Instant> started = InstanceNames.started(runId);
    return started.isPresent()
        && instance.getCreateTime() != null
        && !time(instance.getCreateTime()).isBefore(started.get());
  }

  private static void requireClonedByRun(
      DatabaseInstance instance, Optional<Operation> clone, String runId) {
    if (!clonedByRun(instance, clone, runId)) {
      throw nameTaken(instance.getName(), runId);
    }
  }

  private static void requireLabelledByRun(DatabaseInstance instance, String runId) {
    Map<String, String> labels =
        instance.getSettings() == null ? null : instance.getSettings().getUserLabels();
    if (labels == null || !InstanceNames.label(runId).equals(labels.get(RUN_LABEL))) {
      throw nameTaken(instance.getName(), runId);
    }
  }

  private static ProviderException nameTaken(String name, String runId) {
    return new ProviderException(
        "the Cloud SQL instance name '"
            + name
            + "' is in use"
            + (runId == null ? "" : " and not by run " + runId)
            + " (an instance of that name exists, or one was deleted in the last week: Cloud SQL"
            + " keeps deleted names); delete or rename it, or start a new run",
        null,
        null);
  }

  private Operation await(ProviderContext ctx, CloudSqlApi api, Operation op, String what) {
    Instant deadline = ctx.clock().instant().plus(BACKUP_TIMEOUT);
    Operation current = op;
    while (!"DONE".equals(current.getStatus())) {
      if (!ctx.clock().instant().isBefore(deadline)) {
        throw new ProviderException(
            "Cloud SQL "
                + what
                + " (operation "
                + current.getName()
                + ") is still "
                + current.getStatus()
                + " after "
                + BACKUP_TIMEOUT
                + "; look at the instance's operations in the console",
            null,
            null);
      }
      ctx.progress().update("Cloud SQL " + what + " is " + current.getStatus());
      try {
        sleeper.sleep(POLL);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new DbRecoverException(
            ErrorCode.CANCELLED, "interrupted while waiting for Cloud SQL", e);
      }
      current = api.operation(current.getName());
    }
    if (current.getError() != null && what.startsWith("backup")) {
      throw new ProviderException(
          "Cloud SQL "
              + what
              + " failed (operation "
              + current.getName()
              + "): "
              + operationErrors(current),
          null,
          null);
    }
    return current;
  }

  /**
   * The point-in-time window: {@code getLatestRecoveryTime}'s earliest and latest recovery time;
   * when Cloud SQL gives no earliest time, the retention period back from the latest.
   */
  private static RestoreWindow window(
      CloudSqlApi api, String instance, BackupConfiguration bc, Instant now) {
    SqlInstancesGetLatestRecoveryTimeResponse r = api.latestRecoveryTime(instance);
    Instant latest = r.getLatestRecoveryTime() == null ? now : time(r.getLatestRecoveryTime());
    Instant earliest =
        r.getEarliestRecoveryTime() != null
            ? time(r.getEarliestRecoveryTime())
            : latest.minus(Duration.ofDays(retentionDays(bc)));
    return new RestoreWindow(earliest.isAfter(latest) ? latest : earliest, latest);
  }

  private static int retentionDays(BackupConfiguration bc) {
    // Cloud SQL's default when the field is unset: 7 days.
    return bc.getTransactionLogRetentionDays() == null ? 7 : bc.getTransactionLogRetentionDays();
  }

  static String pitrOff(String instance) {
    return "point-in-time recovery is off for Cloud SQL instance '"
        + instance
        + "' (settings.backupConfiguration.pointInTimeRecoveryEnabled is false; it is off by"
        + " default for instances created with gcloud, Terraform or the API). Turn it on with"
        + " `gcloud sql instances patch "
        + instance
        + " --enable-point-in-time-recovery` (automated backups must be on:"
        + " --backup-start-time=HH:MM), or in Terraform with backup_configuration {"
        + " point_in_time_recovery_enabled = true }. It covers only the time after it was turned"
        + " on; until then restore a backup run";
  }

  private static BackupConfiguration backupConfiguration(DatabaseInstance instance) {
    if (instance.getSettings() == null || instance.getSettings().getBackupConfiguration() == null) {
      return new BackupConfiguration();
    }
    return instance.getSettings().getBackupConfiguration();
  }

  private static RecoveryPoint point(String instance, BackupRun run) {
    Optional<BackupDescriptions.Parsed> d = BackupDescriptions.parse(run.getDescription());
    String when = run.getEndTime() != null ? run.getEndTime() : run.getStartTime();
    return new RecoveryPoint(
        String.valueOf(run.getId()),
        RecoveryPoint.Kind.SNAPSHOT,
        when == null ? Instant.EPOCH : time(when),
        d.map(BackupDescriptions.Parsed::label).orElse(null),
        d.map(BackupDescriptions.Parsed::safety).orElse(false),
        0,
        null,
        null,
        null,
        "Cloud SQL backup run "
            + run.getId()
            + " of "
            + instance
            + " ("
            + (run.getType() == null ? "unknown type" : run.getType())
            + d.map(p -> p.gitSha() == null ? "" : ", git " + p.gitSha()).orElse("")
            + ")");
  }

  private static BackupRun requireBackupRun(CloudSqlApi api, String instance, String backupId) {
    return api.findBackupRun(instance, backupRunId(backupId))
        .orElseThrow(
            () ->
                new DbRecoverException(
                    ErrorCode.BACKUP_NOT_FOUND,
                    "Cloud SQL instance '"
                        + instance
                        + "' has no backup run "
                        + backupId
                        + "; list them with dbrecover list-backups"));
  }

  private static long backupRunId(String id) {
    try {
      return Long.parseLong(id);
    } catch (NumberFormatException e) {
      throw new DbRecoverException(
          ErrorCode.BACKUP_NOT_FOUND,
          "'"
              + id
              + "' is not a Cloud SQL backup run id (a number, as dbrecover list-backups shows)");
    }
  }

  private static Optional<String> address(DatabaseInstance instance, String type) {
    if (instance.getIpAddresses() == null) {
      return Optional.empty();
    }
    return instance.getIpAddresses().stream()
        .filter(ip -> type.equals(ip.getType()))
        .map(IpMapping::getIpAddress)
        .filter(Objects::nonNull)
        .findFirst();
  }

  private static String operationErrors(Operation op) {
    if (op.getError() == null || op.getError().getErrors() == null) {
      return "no error detail";
    }
    List<String> parts = new ArrayList<>();
    for (OperationError e : op.getError().getErrors()) {
      parts.add(e.getCode() + ": " + DbUrl.redact(e.getMessage()));
    }
    return String.join("; ", parts);
  }

  private static String errorText(OperationError e) {
    return e == null ? "" : " (" + e.getCode() + ": " + DbUrl.redact(e.getMessage()) + ")";
  }

  static Instant time(String text) {
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      throw new ProviderException("Cloud SQL gave a time dbrecover cannot read: " + text, null, e);
    }
  }

  /** {@code live} with its host and port replaced; user, password, database and params kept. */
  static DbUrl withEndpoint(DbUrl live, String host, int port) {
    StringBuilder sb = new StringBuilder("postgresql://");
    live.user()
        .ifPresent(
            u -> {
              sb.append(encode(u));
              live.password().ifPresent(p -> sb.append(':').append(encode(p.reveal())));
              sb.append('@');
            });
    sb.append(host.contains(":") ? "[" + host + "]" : host)
        .append(':')
        .append(port)
        .append('/')
        .append(encode(live.database()));
    String sep = "?";
    for (Map.Entry<String, String> e : live.params().entrySet()) {
      sb.append(sep).append(encode(e.getKey())).append('=').append(encode(e.getValue()));
      sep = "&";
    }
    return DbUrl.parse(sb.toString());
  }

  private static String encode(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8)
        .replace("+", "%20");
  }

  private CloudSqlApi api(GcpSettings s) {
    return clients.cloudSql(s);
  }

  static GcpSettings settings(EnvironmentConfig environment) {
    return GcpSettings.from(environment.database());
  }
}
