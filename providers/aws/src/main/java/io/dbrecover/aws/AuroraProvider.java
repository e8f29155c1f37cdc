package io.dbrecover.aws;

import io.dbrecover.aws.internal.AuroraApi;
import io.dbrecover.aws.internal.ClusterRestoreSettings;
import io.dbrecover.aws.internal.Endpoints;
import io.dbrecover.aws.internal.InstanceNames;
import io.dbrecover.aws.internal.RdsApi;
import io.dbrecover.aws.internal.RestoreRuns;
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
import io.dbrecover.engine.spi.Provider;
import io.dbrecover.engine.spi.ProviderContext;
import io.dbrecover.engine.spi.RestoreRequest;
import io.dbrecover.engine.spi.RestoreStatus;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import software.amazon.awssdk.services.rds.model.DBCluster;
import software.amazon.awssdk.services.rds.model.DBClusterMember;
import software.amazon.awssdk.services.rds.model.DBClusterSnapshot;
import software.amazon.awssdk.services.rds.model.DBInstance;

/**
 * Aurora PostgreSQL clusters: point-in-time restore side by side into a new cluster named after the
 * run ({@code <cluster>-rb-<run>}), a copy-on-write clone when the target is the latest restorable
 * time and a full copy otherwise, then one writer instance ({@code <cluster>-rbw-<run>}) shaped
 * like the source's writer. The original is never touched. Asynchronous: {@link #startRestore}
 * starts the cluster restore, {@link #pollRestore} creates the writer once the cluster is available
 * and is done when both are.
 */
public final class AuroraProvider implements Provider {
  /** The config name. */
  public static final String NAME = "aurora";

  /** The database option naming the source DB cluster identifier. */
  public static final String CLUSTER = "cluster";

  private static final Set<String> OPTIONS =
      Set.of(CLUSTER, AwsSettings.REGION, AwsSettings.ENDPOINT_OVERRIDE);

  /** Cluster and instance statuses from which nothing becomes available on its own. */
  private static final Set<String> FAILED =
      Set.of(
          "failed",
          "migration-failed",
          "incompatible-restore",
          "incompatible-parameters",
          "incompatible-network",
          "inaccessible-encryption-credentials",
          "inaccessible-encryption-credentials-recoverable",
          "storage-full",
          "deleting",
          "deleted");

  private final AwsClients clients;
  private final Sleeper sleeper;

  public AuroraProvider(AwsClients clients) {
    this(clients, Sleeper.SYSTEM);
  }

  /**
   * @param clients the SDK clients
   * @param sleeper waits between polls while a cluster snapshot is being taken
   */
  public AuroraProvider(AwsClients clients, Sleeper sleeper) {
    this.clients = Objects.requireNonNull(clients, "clients");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
  }

  @Override
  public String name() {
    return NAME;
  }

  /**
   * The configured {@code database.url}; without one, the cluster's writer endpoint with its master
   * user and database name (no password: the URL target or {@code ~/.pgpass} supplies it).
   */
  @Override
  public DbUrl configuredUrl(EnvironmentConfig environment, Path stateDir) {
    String url = environment.database().url();
    if (url != null && !url.isBlank()) {
      return DbUrl.parse(url);
    }
    DBCluster cluster = aurora(environment).require(clusterId(environment));
    return DbUrl.of(
        cluster.endpoint(),
        cluster.port(),
        cluster.databaseName() == null ? "postgres" : cluster.databaseName(),
        cluster.masterUsername(),
        null);
  }

  @Override
  public Capabilities capabilities(ProviderContext ctx) {
    DBCluster source = aurora(ctx.environment()).require(clusterId(ctx.environment()));
    return AuroraApi.window(source)
        .map(
            w ->
                new Capabilities(
                    Set.of(Method.POINT_IN_TIME, Method.SNAPSHOT_RESTORE), w, Set.of()))
        .orElseGet(
            () ->
                new Capabilities(
                    Set.of(Method.SNAPSHOT_RESTORE),
                    null,
                    Set.of(
                        "RDS reports no restorable time for Aurora cluster '"
                            + source.dbClusterIdentifier()
                            + "' (a new cluster, or its first backup is still running)")));
  }

  /** The available manual cluster snapshots dbrecover took of the cluster, newest first. */
  @Override
  public List<RecoveryPoint> recoveryPoints(ProviderContext ctx) {
    return aurora(ctx.environment()).manualSnapshots(clusterId(ctx.environment())).stream()
        .filter(Snapshots::ours)
        .filter(snap -> "available".equals(snap.status()) && snap.snapshotCreateTime() != null)
        .map(Snapshots::point)
        .sorted(Comparator.comparing(RecoveryPoint::takenAt).reversed())
        .toList();
  }

  /**
   * Takes a manual cluster snapshot ({@code <cluster>-dbr-<time>[-<label>]}, or {@code
   * <cluster>-dbr-safety-<run>} for a run) tagged like an RDS snapshot, and waits until it is
   * available. A retried safety backup finds the first.
   */
  @Override
  public RecoveryPoint backup(ProviderContext ctx, BackupRequest request) {
    if (request.physical()) {
      throw new ConfigurationException(
          "Aurora keeps its own point-in-time history; take a cluster snapshot (backup without"
              + " --physical)");
    }
    String sourceId = clusterId(ctx.environment());
    AuroraApi aurora = aurora(ctx.environment());
    String id =
        InstanceNames.snapshot(sourceId, request.runId(), ctx.clock().instant(), request.label());
    Optional<DBClusterSnapshot> existing =
        request.runId() == null ? Optional.empty() : aurora.findSnapshot(id);
    DBClusterSnapshot snapshot;
    if (existing.isPresent()) {
      snapshot = existing.get();
    } else {
      aurora.require(sourceId);
      ctx.progress().update("taking Aurora cluster snapshot " + id + " of " + sourceId);
      snapshot =
          aurora
              .createSnapshot(
                  Snapshots.createCluster(sourceId, id, request, RdsProvider.lastMigration(ctx)))
              .orElseGet(() -> aurora.findSnapshot(id).orElseThrow(() -> snapshotGone(id)));
    }
    if (!Snapshots.ours(snapshot)) {
      throw new ConfigurationException(
          "Aurora cluster snapshot '"
              + id
              + "' exists and was not taken by dbrecover (no tag "
              + Snapshots.BACKUP_TAG
              + "); rename or delete it");
    }
    return Snapshots.point(
        SnapshotWait.available(
            ctx,
            sleeper,
            "Aurora cluster snapshot '" + id + "'",
            snapshot,
            () -> aurora.findSnapshot(id).orElseThrow(() -> snapshotGone(id)),
            DBClusterSnapshot::status,
            DBClusterSnapshot::percentProgress));
  }

  private static DbRecoverException snapshotGone(String id) {
    return new DbRecoverException(
        ErrorCode.BACKUP_NOT_FOUND,
        "Aurora cluster snapshot '"
            + id
            + "' disappeared while dbrecover waited for it (deleted?)");
  }

  /** Checks that a cluster snapshot dbrecover took exists and is available. */
  @Override
  public BackupCheck verifyBackup(ProviderContext ctx, String backupId, boolean deep) {
    Optional<DBClusterSnapshot> snapshot =
        deep
            ? Optional.empty()
            : aurora(ctx.environment()).findSnapshot(backupId).filter(Snapshots::ours);
    return Snapshots.check(
        "Aurora cluster snapshot",
        ctx.environment().name(),
        backupId,
        deep,
        snapshot.map(DBClusterSnapshot::status),
        snapshot.map(DBClusterSnapshot::dbClusterIdentifier).orElse(null),
        clusterId(ctx.environment()));
  }

  /**
   * Starts the cluster restore, or finds the cluster an earlier try of the same run started (then
   * no second restore is issued). The target is checked against the window before any call that
   * changes anything: outside it, exit 2 with the window.
   */
  @Override
  public RestoreStatus startRestore(ProviderContext ctx, RestoreRequest request) {
    if (request.inPlace()) {
      throw new ConfigurationException(
          "the aurora provider restores side by side only; run without --in-place and let"
              + " dbrecover swap DATABASE_URL (url-target)");
    }
    String sourceId = clusterId(ctx.environment());
    String targetId = InstanceNames.restored(sourceId, request.runId());
    AuroraApi aurora = aurora(ctx.environment());
    if (aurora.find(targetId).isPresent()) {
      return pollRestore(ctx, request);
    }
    if (request.point().kind() == RecoveryPoint.Kind.SNAPSHOT) {
      String snapshotId = request.point().id();
      DBCluster source = aurora.require(sourceId);
      ctx.progress()
          .update(
              "restoring Aurora cluster snapshot "
                  + snapshotId
                  + " of "
                  + sourceId
                  + " as "
                  + targetId);
      Optional<DBCluster> created =
          aurora.restoreFromSnapshot(
              ClusterRestoreSettings.fromSnapshot(source, snapshotId, targetId, request.runId()));
      return created.isEmpty()
          ? pollRestore(ctx, request)
          : new RestoreStatus.Running(
              ctx.clock().instant().plus(RestoreRuns.MIN_POLL),
              "Aurora cluster " + targetId + " is " + orUnknown(created.get().status()));
    }
    Instant target = RestoreRuns.targetTime(request, NAME, "cluster snapshots", "Aurora");
    DBCluster source = aurora.require(sourceId);
    RestoreWindow window =
        AuroraApi.window(source)
            .orElseThrow(
                () ->
                    new DbRecoverException(
                        ErrorCode.NO_RECOVERY_POINT,
                        "Aurora cluster '"
                            + sourceId
                            + "' reports no restorable time yet; restore when its first backup"
                            + " is done"));
    if (!window.contains(target)) {
      throw new DbRecoverException(
          ErrorCode.NO_RECOVERY_POINT,
          "Aurora cluster '"
              + sourceId
              + "' can be restored to "
              + window
              + ", not to "
              + target
              + "; pick a time inside the window");
    }
    Instant restoreTime =
        target.equals(window.latest()) ? null : target.truncatedTo(ChronoUnit.MILLIS);
    // A clone shares the source's storage and is much faster, but shows the source as it is now;
    // a target in the past needs a full copy.
    String type =
        restoreTime == null ? ClusterRestoreSettings.CLONE : ClusterRestoreSettings.FULL_COPY;
    ctx.progress()
        .update(
            "restoring Aurora cluster "
                + sourceId
                + " to "
                + (restoreTime == null ? "its latest restorable time" : restoreTime)
                + " as "
                + targetId
                + " ("
                + type
                + ")");
    Optional<DBCluster> created =
        aurora.restoreToPointInTime(
            ClusterRestoreSettings.pointInTime(
                source, targetId, restoreTime, type, request.runId()),
            window);
    if (created.isEmpty()) {
      // Created between our describe and the restore call (a concurrent retry).
      return pollRestore(ctx, request);
    }
    return new RestoreStatus.Running(
        ctx.clock().instant().plus(RestoreRuns.MIN_POLL),
        "Aurora cluster " + targetId + " is " + orUnknown(created.get().status()));
  }

  /**
   * Reads the restored cluster; once it is available, creates its writer instance (idempotent on
   * the run-derived name) and waits for that.
   */
  @Override
  public RestoreStatus pollRestore(ProviderContext ctx, RestoreRequest request) {
    String sourceId = clusterId(ctx.environment());
    String targetId = InstanceNames.restored(sourceId, request.runId());
    String writerId = InstanceNames.restoredWriter(sourceId, request.runId());
    AuroraApi aurora = aurora(ctx.environment());
    Optional<DBCluster> found = aurora.find(targetId);
    if (found.isEmpty()) {
      return new RestoreStatus.Failed(
          "Aurora cluster '"
              + targetId
              + "' does not exist: the restore was not started, or the cluster was deleted");
    }
    DBCluster cluster = found.get();
    RestoreRuns.requireRunTag(
        cluster.tagList(),
        "Aurora cluster '" + cluster.dbClusterIdentifier() + "'",
        request.runId());
    String status = orUnknown(cluster.status());
    Instant now = ctx.clock().instant();
    if (FAILED.contains(status)) {
      return failed("Aurora cluster '" + targetId + "' is " + status, sourceId);
    }
    if (!status.equals("available")) {
      return new RestoreStatus.Running(
          now.plus(RestoreRuns.pollInterval(cluster.clusterCreateTime(), now)),
          "Aurora cluster " + targetId + " is " + status);
    }
    RdsApi rds = rds(ctx.environment());
    Optional<DBInstance> writer = rds.find(writerId);
    if (writer.isEmpty()) {
      DBCluster source = aurora.require(sourceId);
      DBInstance sourceWriter = rds.require(writerOf(source));
      ctx.progress()
          .update("creating writer instance " + writerId + " in restored cluster " + targetId);
      aurora.createInstance(
          ClusterRestoreSettings.writer(source, sourceWriter, targetId, writerId, request.runId()));
      return new RestoreStatus.Running(
          now.plus(RestoreRuns.MIN_POLL),
          "Aurora cluster " + targetId + ": creating writer " + writerId);
    }
    String writerStatus = orUnknown(writer.get().dbInstanceStatus());
    if (FAILED.contains(writerStatus)) {
      return failed("writer instance '" + writerId + "' is " + writerStatus, sourceId);
    }
    if (!writerStatus.equals("available")) {
      return new RestoreStatus.Running(
          now.plus(RestoreRuns.pollInterval(writer.get().instanceCreateTime(), now)),
          "Aurora cluster " + targetId + ": writer " + writerId + " is " + writerStatus);
    }
    DbUrl url = Endpoints.withEndpoint(ctx.liveUrl(), cluster.endpoint(), cluster.port());
    return new RestoreStatus.Done(
        url, "Aurora cluster " + targetId + " (restored from " + sourceId + ")");
  }

  @Override
  public void replaceOriginal(ProviderContext ctx, RestoreRequest restored, String originalName) {
    throw new ConfigurationException(
        "the aurora provider restores side by side only: the restored cluster runs next to the"
            + " original; point the application at it (url-target)");
  }

  /** Deletes a cluster snapshot dbrecover took; refuses others (exit 1). */
  @Override
  public boolean deleteBackup(ProviderContext ctx, String backupId) {
    AuroraApi aurora = aurora(ctx.environment());
    Optional<DBClusterSnapshot> snapshot = aurora.findSnapshot(backupId);
    if (snapshot.isEmpty()) {
      return false;
    }
    if (!Snapshots.ours(snapshot.get())) {
      throw new ConfigurationException(
          "Aurora cluster snapshot '"
              + backupId
              + "' was not taken by dbrecover (no tag "
              + Snapshots.BACKUP_TAG
              + "); delete it in the RDS console if it is no longer needed");
    }
    return aurora.deleteSnapshot(backupId);
  }

  private static RestoreStatus failed(String what, String sourceId) {
    return new RestoreStatus.Failed(
        what
            + "; the original '"
            + sourceId
            + "' is untouched. Look at the cluster's events in the RDS console");
  }

  private static String writerOf(DBCluster source) {
    return source.dbClusterMembers().stream()
        .filter(m -> Boolean.TRUE.equals(m.isClusterWriter()))
        .map(DBClusterMember::dbInstanceIdentifier)
        .findFirst()
        .orElseThrow(
            () ->
                new ConfigurationException(
                    "Aurora cluster '"
                        + source.dbClusterIdentifier()
                        + "' has no writer instance to copy the instance class from; add one"));
  }

  private static String orUnknown(String status) {
    return status == null ? "unknown" : status;
  }

  private AuroraApi aurora(EnvironmentConfig environment) {
    return new AuroraApi(clients.rds(settings(environment)));
  }

  private RdsApi rds(EnvironmentConfig environment) {
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
                + " is not an aurora option; valid: "
                + String.join(", ", new TreeSet<>(OPTIONS)));
      }
    }
    return AwsSettings.fromOptions(options);
  }

  static String clusterId(EnvironmentConfig environment) {
    settings(environment);
    String id = environment.database().options().get(CLUSTER);
    if (id == null || id.isBlank()) {
      throw new ConfigurationException(
          "environment '"
              + environment.name()
              + "': the aurora provider needs database.options.cluster, the DB cluster"
              + " identifier");
    }
    if (!InstanceNames.isValid(id)) {
      throw new ConfigurationException(
          "environment '"
              + environment.name()
              + "': '"
              + id
              + "' is not an Aurora cluster identifier (letters, digits and single hyphens,"
              + " starting with a letter, at most 63 characters)");
    }
    return id;
  }
}
