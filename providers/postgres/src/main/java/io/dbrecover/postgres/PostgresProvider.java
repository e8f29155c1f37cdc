package io.dbrecover.postgres;

import io.dbrecover.engine.api.BackupCheck;
import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.Method;
import io.dbrecover.engine.api.RecoveryPoint;
import io.dbrecover.engine.spi.BackupRequest;
import io.dbrecover.engine.spi.Capabilities;
import io.dbrecover.engine.spi.Provider;
import io.dbrecover.engine.spi.ProviderContext;
import io.dbrecover.engine.spi.RestoreRequest;
import io.dbrecover.engine.spi.RestoreStatus;
import io.dbrecover.postgres.internal.DatabaseRestore;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code postgres} provider: self-hosted PostgreSQL and the embedded default, with pg_dump
 * directory-format backups in the environment's backup store and pg_restore restores into a new
 * database on the live server (or in place). Restores block until done.
 */
public final class PostgresProvider implements Provider {
  /** The config name. */
  public static final String NAME = "postgres";

  private static final String DEFAULT_EMBEDDED_DATABASE = "app";

  private final Map<String, String> env;
  private volatile PgTools tools;

  /**
   * @param env the process environment (PG_BINDIR, PATH, DBRECOVER_EMBEDDED_USER)
   */
  public PostgresProvider(Map<String, String> env) {
    this.env = Map.copyOf(env);
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

  @Override
  public Capabilities capabilities(ProviderContext ctx) {
    return new Capabilities(
        java.util.Set.of(Method.DUMP_RESTORE),
        null,
        java.util.Set.of("point-in-time restore needs WAL archiving, not yet supported"));
  }

  @Override
  public List<RecoveryPoint> recoveryPoints(ProviderContext ctx) {
    return store(ctx).list();
  }

  @Override
  public RecoveryPoint backup(ProviderContext ctx, BackupRequest request) {
    return store(ctx).backup(ctx.liveUrl(), request, ctx.progress());
  }

  @Override
  public BackupCheck verifyBackup(ProviderContext ctx, String backupId, boolean deep) {
    return store(ctx).verify(backupId, deep, ctx.liveUrl());
  }

  @Override
  public RestoreStatus startRestore(ProviderContext ctx, RestoreRequest request) {
    LogicalBackupStore store = store(ctx);
    String backupId = backupId(request);
    if (marker(request)
        .equals(DatabaseRestore.marker(ctx.liveUrl(), request.targetName()).orElse(""))) {
      return done(ctx, request, "restored " + backupId);
    }
    BackupCheck.Item sums = store.checksums(backupId);
    if (!sums.passed()) {
      throw new DbRecoverException(
          ErrorCode.RESTORE_FAILED,
          "backup "
              + backupId
              + " failed its checksum check ("
              + sums.detail()
              + "); nothing was changed. Verify it with: dbrecover verify-backup "
              + ctx.environment().name()
              + " "
              + backupId
              + ", or pick another backup");
    }
    new DatabaseRestore(store.toolsFor(backupId), ctx.environment().jobs())
        .recreateAndRestore(
            ctx.liveUrl(), request.targetName(), store.dumpDir(backupId), ctx.progress());
    DatabaseRestore.mark(ctx.liveUrl(), request.targetName(), marker(request));
    return done(ctx, request, "restored " + backupId);
  }

  @Override
  public RestoreStatus pollRestore(ProviderContext ctx, RestoreRequest request) {
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

  @Override
  public boolean deleteBackup(ProviderContext ctx, String backupId) {
    return store(ctx).delete(backupId);
  }

  /** The backup store of an environment. */
  public LogicalBackupStore store(ProviderContext ctx) {
    EnvironmentConfig e = ctx.environment();
    return new LogicalBackupStore(e.backupStore(), e.name(), tools(), ctx.clock(), e.jobs());
  }

  private PgTools tools() {
    PgTools t = tools;
    if (t == null) {
      t = PgTools.discover(env);
      tools = t;
    }
    return t;
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
