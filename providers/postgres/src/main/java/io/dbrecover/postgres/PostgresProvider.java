package io.dbrecover.postgres;

import io.dbrecover.engine.api.ArchivingStatus;
import io.dbrecover.engine.api.BackupCheck;
import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.Method;
import io.dbrecover.engine.api.RecoveryPoint;
import io.dbrecover.engine.api.Trace;
import io.dbrecover.engine.spi.BackupRequest;
import io.dbrecover.engine.spi.BackupSnapshot;
import io.dbrecover.engine.spi.BackupStorage;
import io.dbrecover.engine.spi.Capabilities;
import io.dbrecover.engine.spi.ChangedBlocks;
import io.dbrecover.engine.spi.ContinuousArchiving;
import io.dbrecover.engine.spi.Provider;
import io.dbrecover.engine.spi.ProviderContext;
import io.dbrecover.engine.spi.RestoreRequest;
import io.dbrecover.engine.spi.RestoreStatus;
import io.dbrecover.postgres.internal.BackupIds;
import io.dbrecover.postgres.internal.DatabaseRestore;
import io.dbrecover.postgres.internal.RunAs;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code postgres} provider: self-hosted PostgreSQL and the embedded default, with pg_dump
 * directory-format backups in the environment's backup store and pg_restore restores into a new
 * database on the live server (or in place); these restores block until done.
 *
 * <p>Point-in-time recovery: WAL archiving into the environment's archive directory (database
 * option {@code wal-archive}, default {@code <backup-store>/wal}), pg_basebackup base backups in
 * the backup store, and restores that replay the archive from a copy of a base backup into a new
 * cluster under {@code <state-dir>/pitr/<run-id>/}, started on a free port and left running
 * (asynchronous: {@link #startRestore} returns Running, {@link #pollRestore} follows it).
 *
 * <p>A remote backup store ({@code backup-store: s3://...}) holds the logical backups only, through
 * the {@link BackupStorage} registered for its scheme; base backups and the WAL archive need a
 * directory store and are refused there.
 */
public final class PostgresProvider implements Provider, ContinuousArchiving {
  /** The database option naming the WAL archive directory. */
  public static final String WAL_ARCHIVE_OPTION = "wal-archive";

  /** The config name. */
  public static final String NAME = "postgres";

  private static final String DEFAULT_EMBEDDED_DATABASE = "app";

  private final Map<String, String> env;
  private final Map<String, BackupStorage.Factory> storages;
  private PgTools tools; // guarded by this

  /**
   * @param env the process environment (PG_BINDIR, PATH, DBRECOVER_EMBEDDED_USER)
   */
  public PostgresProvider(Map<String, String> env) {
    this(env, Map.of());
  }

  /**
   * @param env the process environment (PG_BINDIR, PATH, DBRECOVER_EMBEDDED_USER)
   * @param storages remote backup stores by URL scheme ({@code s3})
   */
  public PostgresProvider(Map<String, String> env, Map<String, BackupStorage.Factory> storages) {
    this.env = Map.copyOf(env);
    this.storages = Map.copyOf(storages);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public DbUrl configuredUrl(EnvironmentConfig environment, Path stateDir) {
    EnvironmentConfig.Database db = environment.database();
    if (db.embedded()) {
      EmbeddedCluster cluster = EmbeddedCluster.at(stateDir.resolve("embedded"), env);
      cluster.ensureRunning();
      if (cluster.startedHere() && !env.containsKey("DBRECOVER_EMBEDDED_KEEP_RUNNING")) {
        // The embedded server lives as long as the command that started it; a crashed command
        // leaves it running and the next one reuses it.
        cluster.stopOnExitIfStartedHere();
      }
      String name = db.options().getOrDefault("database", DEFAULT_EMBEDDED_DATABASE);
      cluster.createDatabaseIfMissing(name);
      return cluster.url(name);
    }
    if (db.url() == null || db.url().isBlank()) {
      throw new ConfigurationException(
          "environment '"
              + environment.name()
              + "': the postgres provider needs database.url (or embedded: true)");
    }
    return DbUrl.parse(db.url());
  }

  /**
   * pg_dump restore always; point-in-time restore with the window from the oldest base backup's end
   * to the newest archived WAL when archiving is healthy or its only problem is a gap in the
   * archive (with a note naming it), and the backup store is a directory; otherwise a note saying
   * why not.
   */
  @Override
  public Capabilities capabilities(ProviderContext ctx) {
    if (ctx.environment().remoteStore() != null) {
      return new Capabilities(
          java.util.Set.of(Method.DUMP_RESTORE),
          null,
          java.util.Set.of(
              "point-in-time restore needs a directory backup store (base backups and the WAL"
                  + " archive stay on this machine); this environment keeps its backups in "
                  + ctx.environment().remoteStore()));
    }
    ArchivingStatus status;
    try {
      status = archivingStatus(ctx);
    } catch (DbRecoverException e) {
      return new Capabilities(
          java.util.Set.of(Method.DUMP_RESTORE),
          null,
          java.util.Set.of(
              "point-in-time restore: could not read the WAL archiving status: " + e.getMessage()));
    }
    if (status.healthy()) {
      return new Capabilities(
          java.util.Set.of(Method.DUMP_RESTORE, Method.POINT_IN_TIME),
          status.window(),
          java.util.Set.of());
    }
    if (status.onlyGaps()) {
      // Offered all the same: a target before the gap is reachable, and one after it fails with
      // "restore failed" while the original serves, as any damaged recovery point does.
      return new Capabilities(
          java.util.Set.of(Method.DUMP_RESTORE, Method.POINT_IN_TIME),
          status.window(),
          java.util.Set.of("point-in-time restore: " + status.problems().get(0)));
    }
    String why =
        "off".equals(status.archiveMode()) && !status.pendingRestart()
            ? "point-in-time restore needs WAL archiving: run `dbrecover pitr enable "
                + ctx.environment().name()
                + "`"
            : "point-in-time restore is not available: " + String.join("; ", status.problems());
    return new Capabilities(java.util.Set.of(Method.DUMP_RESTORE), null, java.util.Set.of(why));
  }

  @Override
  public ArchivingStatus archivingStatus(ProviderContext ctx) {
    return archiving(ctx).status();
  }

  @Override
  public ArchivingStatus enableArchiving(ProviderContext ctx, boolean apply) {
    refuseRemote(ctx, "WAL archiving for point-in-time restore");
    return archiving(ctx).enable(apply, managedCluster(ctx).orElse(null));
  }

  /** Logical and base backups, newest first. */
  @Override
  public List<RecoveryPoint> recoveryPoints(ProviderContext ctx) {
    List<RecoveryPoint> all = new java.util.ArrayList<>(store(ctx).list());
    all.addAll(baseStore(ctx).list());
    all.sort(
        java.util.Comparator.comparing(RecoveryPoint::takenAt)
            .thenComparing(RecoveryPoint::id)
            .reversed());
    return all;
  }

  @Override
  public RecoveryPoint backup(ProviderContext ctx, BackupRequest request) {
    if (request.physical()) {
      refuseRemote(ctx, "backup --physical (a pg_basebackup base backup)");
      return baseStore(ctx).backup(ctx.liveUrl(), request, ctx.progress());
    }
    return store(ctx).backup(ctx.liveUrl(), request, ctx.progress());
  }

  @Override
  public BackupCheck verifyBackup(ProviderContext ctx, String backupId, boolean deep) {
    if (BackupIds.validBase(backupId)) {
      BackupCheck check = baseStore(ctx).verify(backupId);
      if (!deep) {
        return check;
      }
      List<BackupCheck.Item> items = new java.util.ArrayList<>(check.checks());
      items.add(
          new BackupCheck.Item(
              "restore",
              true,
              "skipped: a base backup is proven by a point-in-time restore from it"));
      return new BackupCheck(backupId, items);
    }
    return store(ctx).verify(backupId, deep, ctx.liveUrl());
  }

  @Override
  public RestoreStatus startRestore(ProviderContext ctx, RestoreRequest request) {
    if (pointInTime(request)) {
      return pitr(ctx).start(ctx, request);
    }
    LogicalBackupStore store = store(ctx);
    String backupId = backupId(request);
    String found;
    try (Trace.Span span = Trace.span("restore: completion marker")) {
      found = DatabaseRestore.marker(ctx.liveUrl(), request.targetName()).orElse("");
    }
    if (marker(request).equals(found)) {
      return done(ctx, request, "restored " + backupId);
    }
    // Side by side, the target is this run's own new database: its restore may start before the
    // checksums have all passed. In place, the target is the live database: checked first.
    boolean newDatabase =
        !request.inPlace() && !request.targetName().equals(ctx.liveUrl().database());
    store.restore(backupId, ctx.liveUrl(), request.targetName(), newDatabase, ctx.progress());
    DatabaseRestore.mark(ctx.liveUrl(), request.targetName(), marker(request));
    return done(ctx, request, "restored " + backupId);
  }

  @Override
  public Optional<BackupSnapshot> backupSnapshot(ProviderContext ctx, RecoveryPoint point) {
    return point.kind() == RecoveryPoint.Kind.LOGICAL_BACKUP
        ? store(ctx).snapshotOf(point.id())
        : Optional.empty();
  }

  @Override
  public boolean readsChangedBlocks(RestoreRequest request) {
    return pointInTime(request) && !request.inPlace();
  }

  @Override
  public ChangedBlocks changedBlocks(
      ProviderContext ctx, RestoreRequest request, DbUrl restored, String liveLsn) {
    if (!pointInTime(request)) {
      return Provider.super.changedBlocks(ctx, request, restored, liveLsn);
    }
    return pitr(ctx).changedBlocks(ctx, request, restored, liveLsn);
  }

  /** {@link #changedBlocks} by way of an early read of the WAL (see PitrRestores); for tests. */
  ChangedBlocks changedBlocksReadEarly(
      ProviderContext ctx, RestoreRequest request, DbUrl restored, String liveLsn) {
    return pitr(ctx).changedBlocksReadEarly(ctx, request, restored, liveLsn);
  }

  /** {@link #changedBlocks} by way of a read after a foreseen stop point (see PitrRestores). */
  ChangedBlocks changedBlocksPredicted(
      ProviderContext ctx, RestoreRequest request, DbUrl restored, String liveLsn) {
    return pitr(ctx).changedBlocksPredicted(ctx, request, restored, liveLsn);
  }

  @Override
  public RestoreStatus pollRestore(ProviderContext ctx, RestoreRequest request) {
    if (pointInTime(request)) {
      return pitr(ctx).poll(ctx, request);
    }
    Optional<String> comment = DatabaseRestore.marker(ctx.liveUrl(), request.targetName());
    if (comment.isPresent() && comment.get().equals(marker(request))) {
      return done(ctx, request, "restored " + backupId(request));
    }
    if (!request.inPlace() && !exists(ctx, request.targetName())) {
      return new RestoreStatus.Failed(
          "database " + request.targetName() + " does not exist: the restore has not started");
    }
    return new RestoreStatus.Running(
        ctx.clock().instant().plusSeconds(10),
        "pg_restore into " + request.targetName() + " has not completed (or was interrupted)");
  }

  @Override
  public void replaceOriginal(ProviderContext ctx, RestoreRequest restored, String originalName) {
    if (pointInTime(restored)) {
      throw new ConfigurationException(
          "a point-in-time restore runs side by side as its own server and cannot replace the"
              + " original in place; point DATABASE_URL at it instead (omit --in-place)");
    }
    String marker = marker(restored);
    if (marker.equals(DatabaseRestore.marker(ctx.liveUrl(), originalName).orElse(""))) {
      return; // a retried call: the original already is the restored copy
    }
    if (!marker.equals(DatabaseRestore.marker(ctx.liveUrl(), restored.targetName()).orElse(""))) {
      throw new DbRecoverException(
          ErrorCode.RESTORE_FAILED,
          "the restored database "
              + restored.targetName()
              + " is missing or incomplete; the original "
              + originalName
              + " was not touched");
    }
    ctx.progress()
        .update("dropping " + originalName + " and renaming " + restored.targetName() + " to it");
    DatabaseRestore.replace(ctx.liveUrl(), originalName, restored.targetName());
  }

  /**
   * Deletes a logical or base backup. Deleting a base backup also removes the archived WAL segments
   * that only older base backups needed.
   */
  @Override
  public boolean deleteBackup(ProviderContext ctx, String backupId) {
    if (BackupIds.validBase(backupId)) {
      boolean deleted = baseStore(ctx).delete(backupId);
      if (deleted) {
        WalRetention.prune(archiveDir(ctx), baseStore(ctx).metadata(), ctx.progress());
      }
      return deleted;
    }
    return store(ctx).delete(backupId);
  }

  /**
   * Stops the server that the point-in-time restore of run {@code runId} started, if it runs; it
   * otherwise keeps serving the recovered database after the run. Its data directory is kept.
   * Returns whether it ran.
   */
  public boolean stopRestoredServer(EnvironmentConfig environment, Path stateDir, String runId) {
    return pitr(environment, stateDir, java.time.Clock.systemUTC())
        .stop(stateDir, runId, java.time.Clock.systemUTC());
  }

  /** The backup store of an environment (for a remote store, its staging directory is local). */
  public LogicalBackupStore store(ProviderContext ctx) {
    EnvironmentConfig e = ctx.environment();
    return new LogicalBackupStore(
        e.backupStore(), e.name(), tools(), ctx.clock(), e.jobs(), remoteStorage(e));
  }

  private BackupStorage remoteStorage(EnvironmentConfig e) {
    EnvironmentConfig.RemoteStore remote = e.remoteStore();
    if (remote == null) {
      return null;
    }
    BackupStorage.Factory factory = storages.get(remote.scheme());
    if (factory == null) {
      throw new ConfigurationException(
          "environment '"
              + e.name()
              + "': backup-store "
              + remote
              + " needs a "
              + remote.scheme()
              + ":// store, which this build does not include"
              + (storages.isEmpty()
                  ? ""
                  : " (it has: " + String.join(", ", storages.keySet()) + ")")
              + "; use a directory");
    }
    return factory.open(remote);
  }

  private static void refuseRemote(ProviderContext ctx, String what) {
    EnvironmentConfig e = ctx.environment();
    if (e.remoteStore() != null) {
      throw new ConfigurationException(
          what
              + " needs a directory backup store: base backups and the WAL archive stay on this"
              + " machine, but environment '"
              + e.name()
              + "' keeps backups in "
              + e.remoteStore()
              + ". Take a logical backup instead (dbrecover backup "
              + e.name()
              + "), or use an environment whose backup-store is a directory");
    }
  }

  /** The base backups of an environment (in its backup store). */
  public BaseBackupStore baseStore(ProviderContext ctx) {
    EnvironmentConfig e = ctx.environment();
    return new BaseBackupStore(e.backupStore(), e.name(), tools(), ctx.clock());
  }

  /**
   * The WAL archive directory: the database option {@code wal-archive} (relative: to the backup
   * store), else {@code <backup-store>/wal}; for the embedded default under root, a directory its
   * server user can reach.
   */
  public Path archiveDir(ProviderContext ctx) {
    return archiveDir(ctx.environment());
  }

  private Path archiveDir(EnvironmentConfig e) {
    String configured = e.database().options().get(WAL_ARCHIVE_OPTION);
    Path store = e.backupStore().toAbsolutePath().normalize();
    if (configured != null && !configured.isBlank()) {
      return store.resolve(configured).normalize();
    }
    Path dir = store.resolve("wal");
    return e.database().embedded() ? RunAs.detect(env).reachable(dir) : dir;
  }

  private WalArchiving archiving(ProviderContext ctx) {
    return new WalArchiving(
        ctx.environment().name(), ctx.liveUrl(), archiveDir(ctx), baseStore(ctx));
  }

  private PitrRestores pitr(ProviderContext ctx) {
    return pitr(ctx.environment(), ctx.stateDir(), ctx.clock());
  }

  private PitrRestores pitr(EnvironmentConfig e, Path stateDir, java.time.Clock clock) {
    return new PitrRestores(
        new BaseBackupStore(e.backupStore(), e.name(), tools(), clock),
        archiveDir(e),
        e.database().embedded()
            ? Optional.of(EmbeddedCluster.at(stateDir.resolve("embedded"), env))
            : Optional.empty(),
        tools(),
        // the restored server reads the archive the original's server user wrote (mode 0600)
        RunAs.ownerOf(archiveDir(e), env));
  }

  /** The embedded cluster, when the environment is the embedded default and it is the live one. */
  private Optional<EmbeddedCluster> managedCluster(ProviderContext ctx) {
    if (!ctx.environment().database().embedded()) {
      return Optional.empty();
    }
    EmbeddedCluster cluster = EmbeddedCluster.at(ctx.stateDir().resolve("embedded"), env);
    try {
      return cluster.port() == ctx.liveUrl().port() ? Optional.of(cluster) : Optional.empty();
    } catch (java.io.UncheckedIOException e) {
      return Optional.empty();
    }
  }

  private static boolean pointInTime(RestoreRequest request) {
    RecoveryPoint.Kind k = request.point().kind();
    return k == RecoveryPoint.Kind.POINT_IN_TIME || k == RecoveryPoint.Kind.BASE_BACKUP;
  }

  // synchronized: the engine may ask for capabilities and recovery points at the same time
  private synchronized PgTools tools() {
    if (tools == null) {
      // found while the command connects and reads its backups; waited for where first needed
      tools = PgTools.discoverSoon(env);
    }
    return tools;
  }

  private static String backupId(RestoreRequest request) {
    if (request.point().kind() != RecoveryPoint.Kind.LOGICAL_BACKUP) {
      throw new ConfigurationException(
          "the postgres provider restores logical backups only, not " + request.point().kind());
    }
    return request.point().id();
  }

  /** The completion marker: the database comment set when pg_restore has finished. */
  static String marker(RestoreRequest request) {
    return "dbrecover:restored:" + request.runId() + ":" + request.point().id();
  }

  private static RestoreStatus.Done done(ProviderContext ctx, RestoreRequest request, String what) {
    return new RestoreStatus.Done(
        ctx.liveUrl().withDatabase(request.targetName()),
        what + " into database " + request.targetName());
  }

  private static boolean exists(ProviderContext ctx, String database) {
    return DatabaseRestore.exists(ctx.liveUrl(), database);
  }
}
