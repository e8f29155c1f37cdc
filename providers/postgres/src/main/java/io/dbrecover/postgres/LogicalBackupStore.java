package io.dbrecover.postgres;

import io.dbrecover.engine.api.BackupCheck;
import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.MigrationState;
import io.dbrecover.engine.api.RecoveryPoint;
import io.dbrecover.engine.spi.BackupRequest;
import io.dbrecover.engine.spi.DatabaseInspector;
import io.dbrecover.engine.spi.Progress;
import io.dbrecover.postgres.internal.BackupIds;
import io.dbrecover.postgres.internal.BackupMetadata;
import io.dbrecover.postgres.internal.Checksums;
import io.dbrecover.postgres.internal.DeepVerifier;
import io.dbrecover.postgres.internal.DirectoryLock;
import io.dbrecover.postgres.internal.EmbeddedBinaries;
import io.dbrecover.postgres.internal.Exec;
import io.dbrecover.postgres.internal.Jdbc;
import io.dbrecover.postgres.internal.NewBackupDir;
import io.dbrecover.postgres.internal.PgRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Logical (pg_dump directory format) backups kept in one directory: {@code <id>/dump/} and {@code
 * <id>/metadata.json}, the latter written last. A backup without metadata is incomplete: {@link
 * #list()} ignores it and the next {@link #backup} removes it.
 *
 * <p>Errors: connection and authentication failures, missing privileges and missing client tools
 * are {@link ErrorCode#CONFIGURATION} (the operator fixes the URL or the machine); other pg_dump
 * failures are {@link ErrorCode#PROVIDER_API}; an unknown id is {@link ErrorCode#BACKUP_NOT_FOUND}.
 */
public final class LogicalBackupStore {

  private final Path dir;
  private final String environment;
  private final PgTools tools;
  private final Clock clock;
  private final int jobs;

  /**
   * @param dir the backup store directory (created on first backup)
   * @param environment the environment name, for messages ({@code dbrecover backup <env>})
   * @param tools the client tools on this machine
   * @param clock the clock for backup ids and timestamps
   * @param jobs parallel pg_dump / pg_restore jobs
   */
  public LogicalBackupStore(Path dir, String environment, PgTools tools, Clock clock, int jobs) {
    this.dir = dir.toAbsolutePath().normalize();
    this.environment = Objects.requireNonNull(environment, "environment");
    this.tools = Objects.requireNonNull(tools, "tools");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (jobs < 1) {
      throw new ConfigurationException("jobs must be at least 1");
    }
    this.jobs = jobs;
  }

  public Path directory() {
    return dir;
  }

  /**
   * Dumps {@code source} and records its row counts, schema fingerprint and migration state from
   * the same snapshot. A request with a run id returns that run's earlier backup if it completed.
   */
  public RecoveryPoint backup(DbUrl source, BackupRequest request, Progress progress) {
    return DirectoryLock.withLock(
        dir,
        "backup store",
        () -> {
          Optional<RecoveryPoint> earlier = earlierBackupOfRun(request);
          if (earlier.isPresent()) {
            progress.update("backup " + earlier.get().id() + " of this run already exists");
            return earlier.get();
          }
          removeIncomplete(progress);
          return takeBackup(source, request, progress);
        });
  }

  /** Complete backups, newest first. */
  public List<RecoveryPoint> list() {
    List<RecoveryPoint> points = new ArrayList<>();
    for (Path d : backupDirs()) {
      if (Files.exists(d.resolve(BackupMetadata.FILE))) {
        try {
          points.add(BackupMetadata.read(d).toRecoveryPoint(d));
        } catch (IOException e) {
          // unreadable metadata: not a usable recovery point; verify reports it
        }
      }
    }
    points.sort(
        Comparator.comparing(RecoveryPoint::takenAt).thenComparing(RecoveryPoint::id).reversed());
    return points;
  }

  /** The named complete backup, or {@link ErrorCode#BACKUP_NOT_FOUND} listing what exists. */
  public RecoveryPoint find(String id) {
    return list().stream()
        .filter(p -> p.id().equals(id))
        .findFirst()
        .orElseThrow(() -> notFound(id));
  }

  /** The pg_dump directory of a backup. */
  public Path dumpDir(String id) {
    return backupDir(id).resolve("dump");
  }

  /**
   * Checks metadata, checksums and the archive's table of contents; {@code deep} also restores into
   * a scratch database on {@code server} and compares row counts and schema fingerprint.
   *
   * @param server a URL on the server to restore into (only used when {@code deep})
   */
  public BackupCheck verify(String id, boolean deep, DbUrl server) {
    Path bdir = backupDir(id);
    if (!Files.isDirectory(bdir)) {
      throw notFound(id);
    }
    List<BackupCheck.Item> items = new ArrayList<>();
    BackupMetadata meta;
    try {
      meta = BackupMetadata.read(bdir);
      items.add(new BackupCheck.Item("metadata", true, BackupMetadata.FILE + " readable"));
    } catch (IOException e) {
      String why =
          Files.exists(bdir.resolve(BackupMetadata.FILE))
              ? BackupMetadata.FILE + " unreadable: " + e.getMessage()
              : BackupMetadata.FILE + " missing: the backup never completed";
      items.add(new BackupCheck.Item("metadata", false, why));
      items.add(new BackupCheck.Item("checksums", false, "skipped: no metadata"));
      items.add(new BackupCheck.Item("pg_restore --list", false, "skipped: no metadata"));
      return new BackupCheck(id, items);
    }
    BackupCheck.Item sums = checksums(id, meta);
    items.add(sums);
    PgTools.Installation pg = tools.forServer(toolVersionFor(meta));
    Exec.Result toc = PgRunner.list(pg, dumpDir(id));
    long entries = toc.stdout().lines().filter(l -> !l.startsWith(";") && !l.isBlank()).count();
    items.add(
        new BackupCheck.Item(
            "pg_restore --list",
            toc.ok(),
            toc.ok() ? entries + " entries in the table of contents" : toc.stderr()));
    if (deep) {
      if (sums.passed() && toc.ok()) {
        items.addAll(new DeepVerifier(pg, jobs).verify(meta, dumpDir(id), server));
      } else {
        items.add(new BackupCheck.Item("restore", false, "skipped: the archive is damaged"));
      }
    }
    return new BackupCheck(id, items);
  }

  /** Compares the files of a backup with the checksums in its metadata. */
  public BackupCheck.Item checksums(String id) {
    Path bdir = backupDir(id);
    if (!Files.isDirectory(bdir)) {
      throw notFound(id);
    }
    try {
      return checksums(id, BackupMetadata.read(bdir));
    } catch (IOException e) {
      return new BackupCheck.Item("checksums", false, "metadata unreadable: " + e.getMessage());
    }
  }

  /** The client tools able to restore a backup (by the server and pg_dump versions it records). */
  public PgTools.Installation toolsFor(String id) {
    try {
      return tools.forServer(toolVersionFor(BackupMetadata.read(backupDir(id))));
    } catch (IOException e) {
      throw notFound(id);
    }
  }

  /** Deletes a backup; false if it did not exist. */
  public boolean delete(String id) {
    if (!BackupIds.valid(id) || !Files.isDirectory(dir.resolve(id))) {
      return false;
    }
    try {
      // metadata first: a half-deleted backup is then incomplete, never listed as usable
      Files.deleteIfExists(dir.resolve(id).resolve(BackupMetadata.FILE));
      EmbeddedBinaries.deleteTree(dir.resolve(id));
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete backup " + id + ": " + e.getMessage(), e);
    }
  }

  private BackupCheck.Item checksums(String id, BackupMetadata meta) {
    try {
      Map<String, String> actual = Checksums.of(backupDir(id), dumpDir(id));
      Optional<String> diff = Checksums.firstDifference(meta.files(), actual);
      return new BackupCheck.Item(
          "checksums",
          diff.isEmpty(),
          diff.orElse(actual.size() + " files match their recorded sha256"));
    } catch (IOException e) {
      return new BackupCheck.Item("checksums", false, "could not read the dump: " + e.getMessage());
    }
  }

  private RecoveryPoint takeBackup(DbUrl source, BackupRequest request, Progress progress)
      throws IOException {
    try (Connection c = DatabaseInspector.connect(source)) {
      int server = DatabaseInspector.serverVersionNum(c);
      PgTools.Installation pg = tools.forServer(server);
      Instant createdAt = clock.instant();
      String id = BackupIds.next(createdAt, request.label(), ids());
      Path bdir = dir.resolve(id);
      return NewBackupDir.fill(
          bdir,
          source,
          "backup",
          d -> {
            // One REPEATABLE READ snapshot for the counts and for pg_dump, so they agree exactly.
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            String snapshot = exportSnapshot(c);
            progress.update(
                "pg_dump "
                    + pg.version()
                    + " of "
                    + source.redacted()
                    + " into "
                    + id
                    + " ("
                    + jobs
                    + " jobs)");
            // pg_dump and the counting read the same snapshot, so they run side by side.
            CompletableFuture<Exec.Result> dump =
                CompletableFuture.supplyAsync(
                    () ->
                        PgRunner.dump(pg, source, bdir.resolve("dump"), jobs, snapshot, progress));
            Map<String, Long> counts;
            String fingerprint;
            MigrationState migrations;
            try {
              progress.update("recording row counts and schema of " + source.database());
              counts = DatabaseInspector.rowCounts(c);
              fingerprint = DatabaseInspector.schemaFingerprint(c);
              migrations = DatabaseInspector.migrationState(c);
            } finally {
              // Never leave pg_dump writing into a directory that is about to be cleaned up.
              dump.exceptionally(e -> null).join();
            }
            Exec.Result r = dump.join();
            c.commit();
            if (!r.ok()) {
              throw dumpFailure(source, r);
            }
            progress.update("computing checksums of " + id);
            Map<String, String> files = Checksums.of(bdir, bdir.resolve("dump"));
            BackupMetadata meta =
                new BackupMetadata(
                    id,
                    request.label(),
                    request.safety(),
                    request.runId(),
                    createdAt,
                    clock.instant(),
                    Checksums.size(bdir.resolve("dump")),
                    server,
                    source.database(),
                    pg.version(),
                    jobs,
                    BackupMetadata.migrations(migrations),
                    counts,
                    fingerprint,
                    files);
            meta.write(bdir);
            progress.update("backup " + id + " complete (" + meta.sizeBytes() + " bytes)");
            return meta.toRecoveryPoint(bdir);
          });
    } catch (SQLException e) {
      throw new DbRecoverException(
          ErrorCode.PROVIDER_API,
          "backup of " + source.redacted() + " failed: " + Jdbc.safe(e, source));
    }
  }

  private static String exportSnapshot(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select pg_export_snapshot()")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private DbRecoverException dumpFailure(DbUrl source, Exec.Result r) {
    String err = r.stderr();
    String lower = err.toLowerCase(java.util.Locale.ROOT);
    boolean config =
        lower.contains("connection to server")
            || lower.contains("authentication failed")
            || lower.contains("could not connect")
            || lower.contains("pg_hba.conf")
            || lower.contains("permission denied")
            || lower.contains("does not exist");
    String msg =
        "pg_dump of "
            + source.redacted()
            + " failed (exit "
            + r.exitCode()
            + "): "
            + err
            + (config
                ? "\ncheck the URL, the credentials and the user's privileges"
                : "\nthe incomplete backup was removed; retry with: dbrecover backup "
                    + environment);
    return new DbRecoverException(config ? ErrorCode.CONFIGURATION : ErrorCode.PROVIDER_API, msg);
  }

  private Optional<RecoveryPoint> earlierBackupOfRun(BackupRequest request) {
    if (request.runId() == null) {
      return Optional.empty();
    }
    for (Path d : backupDirs()) {
      try {
        if (Files.exists(d.resolve(BackupMetadata.FILE))) {
          BackupMetadata m = BackupMetadata.read(d);
          if (request.runId().equals(m.runId()) && m.safety() == request.safety()) {
            return Optional.of(m.toRecoveryPoint(d));
          }
        }
      } catch (IOException e) {
        // unreadable: not the one we look for
      }
    }
    return Optional.empty();
  }

  private void removeIncomplete(Progress progress) throws IOException {
    for (Path d : backupDirs()) {
      if (!Files.exists(d.resolve(BackupMetadata.FILE))) {
        progress.update("removing incomplete backup " + d.getFileName());
        EmbeddedBinaries.deleteTree(d);
      }
    }
  }

  private List<String> ids() {
    return backupDirs().stream().map(p -> p.getFileName().toString()).toList();
  }

  private List<Path> backupDirs() {
    return BackupIds.directories(dir, BackupIds::valid);
  }

  private Path backupDir(String id) {
    if (!BackupIds.valid(id)) {
      throw notFound(id);
    }
    return dir.resolve(id);
  }

  // pg_restore must be at least as new as the pg_dump that wrote the archive.
  private static int toolVersionFor(BackupMetadata meta) {
    int dumpVersion = PgTools.versionNum(meta.pgDumpVersion());
    return Math.max(meta.serverVersion(), dumpVersion);
  }

  private DbRecoverException notFound(String id) {
    List<String> ids = list().stream().map(RecoveryPoint::id).toList();
    String msg =
        ids.isEmpty()
            ? "backup '"
                + id
                + "' not found: there are no backups in "
                + dir
                + " yet; take one with: dbrecover backup "
                + environment
            : "backup '" + id + "' not found in " + dir + "; available: " + String.join(", ", ids);
    return new DbRecoverException(ErrorCode.BACKUP_NOT_FOUND, msg);
  }
}
