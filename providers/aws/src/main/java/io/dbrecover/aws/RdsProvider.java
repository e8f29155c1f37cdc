package io.dbrecover.aws;

import io.dbrecover.aws.internal.Endpoints;
import io.dbrecover.aws.internal.InstanceNames;
import io.dbrecover.aws.internal.RdsApi;
import io.dbrecover.aws.internal.RestoreRuns;
import io.dbrecover.aws.internal.RestoreSettings;
import io.dbrecover.aws.internal.Sleeper;
import io.dbrecover.aws.internal.SnapshotWait;
import io.dbrecover.aws.internal.Snapshots;
import io.dbrecover.engine.api.BackupCheck;
import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.Method;
import io.dbrecover.engine.api.RecoveryPoint;
import io.dbrecover.engine.api.RestoreWindow;
import io.dbrecover.engine.spi.BackupRequest;
import io.dbrecover.engine.spi.Capabilities;
import io.dbrecover.engine.spi.DatabaseInspector;
import io.dbrecover.engine.spi.Provider;
import io.dbrecover.engine.spi.ProviderContext;
import io.dbrecover.engine.spi.RestoreRequest;
import io.dbrecover.engine.spi.RestoreStatus;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.rds.model.DBInstance;
import software.amazon.awssdk.services.rds.model.DBSnapshot;

/**
 * RDS for PostgreSQL instances: point-in-time restore side by side into a new instance named after
 * the run ({@code <instance>-rb-<run>}), with the source's network, parameter and option groups,
 * class, storage, Multi-AZ, tags, deletion protection and IAM authentication. The original is never
 * touched. Restores are asynchronous: {@link #startRestore} returns at once, {@link #pollRestore}
 * reads the instance's status.
 */
public final class RdsProvider implements Provider {
  /** The config name. */
  public static final String NAME = "rds";

  /** The database option naming the source DB instance identifier. */
  public static final String INSTANCE = "instance";

  private static final Set<String> OPTIONS =
      Set.of(INSTANCE, AwsSettings.REGION, AwsSettings.ENDPOINT_OVERRIDE, AwsSettings.ROLE_ARN);

  /** Statuses from which an instance does not become available on its own. */
  private static final Set<String> FAILED =
      Set.of(
          "failed",
          "incompatible-restore",
          "incompatible-parameters",
          "incompatible-network",
          "incompatible-option-group",
          "inaccessible-encryption-credentials",
          "inaccessible-encryption-credentials-recoverable",
          "storage-full",
          "deleting",
          "deleted");

  private final AwsClients clients;
  private final Sleeper sleeper;

  public RdsProvider(AwsClients clients) {
    this(clients, Sleeper.SYSTEM);
  }

  /**
   * @param clients the SDK clients
   * @param sleeper waits between polls while a snapshot is being taken
   */
  public RdsProvider(AwsClients clients, Sleeper sleeper) {
    this.clients = Objects.requireNonNull(clients, "clients");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
  }

  @Override
  public String name() {
    return NAME;
  }

  /**
   * The configured {@code database.url}; without one, the instance's endpoint with its master user
   * and database name (no password: the URL target or {@code ~/.pgpass} supplies it).
   */
  @Override
  public DbUrl configuredUrl(EnvironmentConfig environment, Path stateDir) {
    String url = environment.database().url();
    if (url != null && !url.isBlank()) {
      return DbUrl.parse(url);
    }
    DBInstance instance = api(environment).require(instanceId(environment));
    if (instance.endpoint() == null) {
      throw new DbRecoverException(
          ErrorCode.PROVIDER_API,
          "RDS instance '"
              + instance.dbInstanceIdentifier()
              + "' has no endpoint yet (status "
              + instance.dbInstanceStatus()
              + "); wait until it is available");
    }
    return DbUrl.of(
        instance.endpoint().address(),
        instance.endpoint().port(),
        instance.dbName() == null ? "postgres" : instance.dbName(),
        instance.masterUsername(),
        null);
  }

  @Override
  public Capabilities capabilities(ProviderContext ctx) {
    RdsApi api = api(ctx.environment());
    DBInstance source = api.require(instanceId(ctx.environment()));
    Optional<RestoreWindow> window = api.window(source);
    if (window.isEmpty()) {
      return new Capabilities(
          Set.of(Method.SNAPSHOT_RESTORE), null, Set.of(noWindowReason(source)));
    }
    return new Capabilities(
        Set.of(Method.POINT_IN_TIME, Method.SNAPSHOT_RESTORE), window.get(), Set.of());
  }

  /** The available manual DB snapshots dbrecover took of the instance, newest first. */
  @Override
  public List<RecoveryPoint> recoveryPoints(ProviderContext ctx) {
    String sourceId = instanceId(ctx.environment());
    return api(ctx.environment()).manualSnapshots(sourceId).stream()
        .filter(Snapshots::ours)
        .filter(snap -> "available".equals(snap.status()) && snap.snapshotCreateTime() != null)
        .map(Snapshots::point)
        .sorted(Comparator.comparing(RecoveryPoint::takenAt).reversed())
        .toList();
  }

  /**
   * Takes a manual DB snapshot ({@code <instance>-dbr-<time>[-<label>]}, or {@code
   * <instance>-dbr-safety-<run>} for a run) tagged with the label, the run and the live database's
   * last migration, and waits until it is available. A retried safety backup finds the first.
   */
  @Override
  public RecoveryPoint backup(ProviderContext ctx, BackupRequest request) {
    if (request.physical()) {
      throw new ConfigurationException(
          "RDS keeps its own point-in-time history; take a DB snapshot (backup without"
              + " --physical)");
    }
    String sourceId = instanceId(ctx.environment());
    RdsApi api = api(ctx.environment());
    String id =
        InstanceNames.snapshot(sourceId, request.runId(), ctx.clock().instant(), request.label());
    Optional<DBSnapshot> existing =
        request.runId() == null ? Optional.empty() : api.findSnapshot(id);
    DBSnapshot snapshot;
    if (existing.isPresent()) {
      snapshot = existing.get();
    } else {
      api.require(sourceId);
      ctx.progress().update("taking RDS DB snapshot " + id + " of " + sourceId);
      snapshot =
          api.createSnapshot(Snapshots.create(sourceId, id, request, lastMigration(ctx)))
              .orElseGet(() -> api.findSnapshot(id).orElseThrow(() -> snapshotGone(id)));
    }
    if (!Snapshots.ours(snapshot)) {
      throw new ConfigurationException(
          "RDS DB snapshot '"
              + id
              + "' exists and was not taken by dbrecover (no tag "
              + Snapshots.BACKUP_TAG
              + "); rename or delete it");
    }
    return Snapshots.point(awaitSnapshot(ctx, api, snapshot));
  }

  private DBSnapshot awaitSnapshot(ProviderContext ctx, RdsApi api, DBSnapshot snapshot) {
    String id = snapshot.dbSnapshotIdentifier();
    return SnapshotWait.available(
        ctx,
        sleeper,
        "RDS DB snapshot '" + id + "'",
        snapshot,
        () -> api.findSnapshot(id).orElseThrow(() -> snapshotGone(id)),
        DBSnapshot::status,
        DBSnapshot::percentProgress);
  }

  private static DbRecoverException snapshotGone(String id) {
    return new DbRecoverException(
        ErrorCode.BACKUP_NOT_FOUND,
        "RDS DB snapshot '" + id + "' disappeared while dbrecover waited for it (deleted?)");
  }

  /** The live database's last applied migration, when it can be read. */
  static Optional<String> lastMigration(ProviderContext ctx) {
    try (Connection c = DatabaseInspector.connect(ctx.liveUrl())) {
      return DatabaseInspector.migrationState(c).last();
    } catch (SQLException | DbRecoverException e) {
      // The tag is for people reading the snapshot list; a snapshot without it is still whole.
      return Optional.empty();
    }
  }

  /** Checks that a snapshot dbrecover took exists and is available; RDS keeps the data itself. */
  @Override
  public BackupCheck verifyBackup(ProviderContext ctx, String backupId, boolean deep) {
    Optional<DBSnapshot> snapshot =
        deep
            ? Optional.empty()
            : api(ctx.environment()).findSnapshot(backupId).filter(Snapshots::ours);
    return Snapshots.check(
        "RDS DB snapshot",
        ctx.environment().name(),
        backupId,
        deep,
        snapshot.map(DBSnapshot::status),
        snapshot.map(DBSnapshot::dbInstanceIdentifier).orElse(null),
        instanceId(ctx.environment()));
  }

  /**
   * Starts the point-in-time or snapshot restore, or finds the instance an earlier try of the same
   * run started (then no second restore is issued). A target time is checked against the window
   * before any call that changes anything: outside it, exit 2 with the window.
   */
  @Override
  public RestoreStatus startRestore(ProviderContext ctx, RestoreRequest request) {
    if (request.inPlace()) {
      throw new ConfigurationException(
          "the rds provider restores side by side only; run without --in-place and let dbrecover"
              + " swap DATABASE_URL (url-target)");
    }
    String sourceId = instanceId(ctx.environment());
    String targetId = InstanceNames.restored(sourceId, request.runId());
    RdsApi api = api(ctx.environment());
    Optional<DBInstance> existing = api.find(targetId);
    if (existing.isPresent()) {
      return status(ctx, adopt(existing.get(), request.runId()), sourceId);
    }
    if (request.point().kind() == RecoveryPoint.Kind.SNAPSHOT) {
      return startSnapshotRestore(ctx, api, request, sourceId, targetId);
    }
    Instant target = RestoreRuns.targetTime(request, NAME, "DB snapshots", "RDS");
    DBInstance source = api.require(sourceId);
    RestoreWindow window =
        api.window(source)
            .orElseThrow(
                () ->
                    new DbRecoverException(
                        ErrorCode.NO_RECOVERY_POINT,
                        "RDS instance '"
                            + sourceId
                            + "' cannot be restored to a point in time: "
                            + noWindowReason(source)));
    if (!window.contains(target)) {
      throw new DbRecoverException(
          ErrorCode.NO_RECOVERY_POINT,
          "RDS instance '"
              + sourceId
              + "' can be restored to "
              + window
              + ", not to "
              + target
              + "; pick a time inside the window or restore a snapshot");
    }
    // RDS takes millisecond precision; rounding down keeps the restore before the target.
    Instant restoreTime =
        target.equals(window.latest()) ? null : target.truncatedTo(ChronoUnit.MILLIS);
    ctx.progress()
        .update(
            "restoring RDS instance "
                + sourceId
                + " to "
                + (restoreTime == null ? "its latest restorable time" : restoreTime)
                + " as "
                + targetId);
    DBInstance created =
        api.restoreToPointInTime(
                RestoreSettings.pointInTime(source, targetId, restoreTime, request.runId()), window)
            // Created between our describe and the restore call (a concurrent retry).
            .orElseGet(() -> adopt(api.require(targetId), request.runId()));
    return status(ctx, created, sourceId);
  }

  private RestoreStatus startSnapshotRestore(
      ProviderContext ctx, RdsApi api, RestoreRequest request, String sourceId, String targetId) {
    String snapshotId = request.point().id();
    DBInstance source = api.require(sourceId);
    ctx.progress()
        .update("restoring RDS DB snapshot " + snapshotId + " of " + sourceId + " as " + targetId);
    DBInstance created =
        api.restoreFromSnapshot(
                RestoreSettings.fromSnapshot(source, snapshotId, targetId, request.runId()))
            .orElseGet(() -> adopt(api.require(targetId), request.runId()));
    return status(ctx, created, sourceId);
  }

  @Override
  public RestoreStatus pollRestore(ProviderContext ctx, RestoreRequest request) {
    String sourceId = instanceId(ctx.environment());
    String targetId = InstanceNames.restored(sourceId, request.runId());
    return api(ctx.environment())
        .find(targetId)
        .map(instance -> status(ctx, adopt(instance, request.runId()), sourceId))
        .orElseGet(
            () ->
                new RestoreStatus.Failed(
                    "RDS instance '"
                        + targetId
                        + "' does not exist: the restore was not started, or the instance was"
                        + " deleted"));
  }

  @Override
  public void replaceOriginal(ProviderContext ctx, RestoreRequest restored, String originalName) {
    throw new ConfigurationException(
        "the rds provider restores side by side only: the restored instance "
            + InstanceNames.restored(instanceId(ctx.environment()), restored.runId())
            + " runs next to the original; point the application at it (url-target)");
  }

  @Override
  public boolean deleteBackup(ProviderContext ctx, String backupId) {
    RdsApi api = api(ctx.environment());
    Optional<DBSnapshot> snapshot = api.findSnapshot(backupId);
    if (snapshot.isEmpty()) {
      return false;
    }
    if (!Snapshots.ours(snapshot.get())) {
      throw new ConfigurationException(
          "RDS DB snapshot '"
              + backupId
              + "' was not taken by dbrecover (no tag "
              + Snapshots.BACKUP_TAG
              + "); delete it in the RDS console if it is no longer needed");
    }
    return api.deleteSnapshot(backupId);
  }

  private RestoreStatus status(ProviderContext ctx, DBInstance instance, String sourceId) {
    String id = instance.dbInstanceIdentifier();
    String status = instance.dbInstanceStatus() == null ? "unknown" : instance.dbInstanceStatus();
    if (FAILED.contains(status)) {
      return new RestoreStatus.Failed(
          "RDS instance '"
              + id
              + "' is "
              + status
              + "; the original '"
              + sourceId
              + "' is untouched. Look at the instance's events in the RDS console");
    }
    if (status.equals("available") && instance.endpoint() != null) {
      DbUrl url =
          Endpoints.withEndpoint(
              ctx.liveUrl(), instance.endpoint().address(), instance.endpoint().port());
      return new RestoreStatus.Done(
          url, "RDS instance " + id + " (restored from " + sourceId + ")");
    }
    Instant now = ctx.clock().instant();
    return new RestoreStatus.Running(
        now.plus(RestoreRuns.pollInterval(instance.instanceCreateTime(), now)),
        "RDS instance " + id + " is " + status);
  }

  /** An existing target instance is ours only when it carries this run's tag. */
  private static DBInstance adopt(DBInstance instance, String runId) {
    RestoreRuns.requireRunTag(
        instance.tagList(), "RDS instance '" + instance.dbInstanceIdentifier() + "'", runId);
    return instance;
  }

  private static String noWindowReason(DBInstance source) {
    Integer retention = source.backupRetentionPeriod();
    if (retention == null || retention == 0) {
      return "automated backups are off (backup retention 0 days): set a retention of at least"
          + " 1 day to restore to a point in time";
    }
    return "RDS reports no restorable time yet for '"
        + source.dbInstanceIdentifier()
        + "' (a new instance, or its first backup is still running)";
  }

  private RdsApi api(EnvironmentConfig environment) {
    return new RdsApi(clients.rds(settings(environment)));
  }

  static AwsSettings settings(EnvironmentConfig environment) {
    Map<String, String> options = environment.database().options();
    for (String key : options.keySet()) {
      if (!OPTIONS.contains(key)) {
        throw new ConfigurationException(
            "environment '"
                + environment.name()
                + "': database.options."
                + key
                + " is not an rds option; valid: "
                + String.join(", ", new java.util.TreeSet<>(OPTIONS)));
      }
    }
    return AwsSettings.fromOptions(options);
  }

  static String instanceId(EnvironmentConfig environment) {
    settings(environment);
    String id = environment.database().options().get(INSTANCE);
    if (id == null || id.isBlank()) {
      throw new ConfigurationException(
          "environment '"
              + environment.name()
              + "': the rds provider needs database.options.instance, the DB instance identifier");
    }
    if (!InstanceNames.isValid(id)) {
      throw new ConfigurationException(
          "environment '"
              + environment.name()
              + "': '"
              + id
              + "' is not an RDS instance identifier (letters, digits and single hyphens, starting"
              + " with a letter, at most 63 characters)");
    }
    return id;
  }
}
