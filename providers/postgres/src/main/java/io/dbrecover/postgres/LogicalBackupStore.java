package io.dbrecover.postgres;

import io.dbrecover.engine.api.BackupCheck;
import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.MigrationState;
import io.dbrecover.engine.api.RecoveryPoint;
import io.dbrecover.engine.api.Trace;
import io.dbrecover.engine.spi.BackupRequest;
import io.dbrecover.engine.spi.BackupSnapshot;
import io.dbrecover.engine.spi.BackupStorage;
import io.dbrecover.engine.spi.DatabaseInspector;
import io.dbrecover.engine.spi.Progress;
import io.dbrecover.postgres.internal.BackupIds;
import io.dbrecover.postgres.internal.BackupMetadata;
import io.dbrecover.postgres.internal.Checksums;
import io.dbrecover.postgres.internal.DatabaseRestore;
import io.dbrecover.postgres.internal.DeepVerifier;
import io.dbrecover.postgres.internal.DirectoryLock;
import io.dbrecover.postgres.internal.EmbeddedBinaries;
import io.dbrecover.postgres.internal.Exec;
import io.dbrecover.postgres.internal.FollowingChecksums;
import io.dbrecover.postgres.internal.Jdbc;
import io.dbrecover.postgres.internal.NewBackupDir;
import io.dbrecover.postgres.internal.PgRunner;
import io.dbrecover.postgres.internal.RemoteBackups;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
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
 * <p>With a remote {@link BackupStorage} (an {@code s3://} store) the same layout lives there: the
 * dump is made and checksummed in the local staging directory, uploaded file by file and {@code
 * metadata.json} last, then the staging copy is removed; verify and restore download a backup into
 * staging and check every file's sha256 against the metadata before anything reads it.
 *
 * <p>Errors: connection and authentication failures, missing privileges and missing client tools
 * are {@link ErrorCode#CONFIGURATION} (the operator fixes the URL or the machine); other pg_dump
 * failures are {@link ErrorCode#PROVIDER_API}; an unknown id is {@link ErrorCode#BACKUP_NOT_FOUND};
 * a restore from a backup whose files do not match their checksums is {@link
 * ErrorCode#RESTORE_FAILED} before anything is touched.
 */
public final class LogicalBackupStore {
  /** Incomplete remote backups younger than this may still be uploading elsewhere: kept. */
  static final Duration INCOMPLETE_GRACE = Duration.ofHours(1);

  /** How often the files pg_dump writes are looked at for new bytes to hash. */
  private static final Duration FOLLOW_INTERVAL = Duration.ofMillis(20);

  /**
   * For the queries that run beside pg_dump or pg_restore: no parallel workers and no JIT
   * compilation, so each takes one core and no compile time from the tools beside it.
   */
  private static final String ONE_CORE =
      "set local max_parallel_workers_per_gather = 0; set local jit = off";

  private final Path dir;
  private final RemoteBackups remote;
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
    this(dir, environment, tools, clock, jobs, null);
  }

  /**
   * A store whose backups live in {@code remote}; {@code dir} is the local staging directory.
   *
   * @param remote the remote storage, or null for backups kept in {@code dir}
   */
  public LogicalBackupStore(
      Path dir, String environment, PgTools tools, Clock clock, int jobs, BackupStorage remote) {
    this.remote = remote == null ? null : new RemoteBackups(remote);
    this.dir = dir.toAbsolutePath().normalize();
    this.environment = Objects.requireNonNull(environment, "environment");
    this.tools = Objects.requireNonNull(tools, "tools");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (jobs < 1) {
      throw new ConfigurationException("jobs must be at least 1");
    }
    this.jobs = jobs;
  }

  /** The backup directory, or for a remote store the local staging directory. */
  public Path directory() {
    return dir;
  }

  /** Where backups are kept, for messages: the directory or the remote store's URL. */
  public String describe() {
    return remote == null ? dir.toString() : remote.describe();
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
          Trace.mark("backup: store locked");
          Optional<RecoveryPoint> earlier = earlierBackupOfRun(request);
          if (earlier.isPresent()) {
            progress.update("backup " + earlier.get().id() + " of this run already exists");
            return earlier.get();
          }
          removeIncomplete(progress);
          RecoveryPoint taken = takeBackup(source, request, progress);
          return remote == null ? taken : upload(taken.id(), progress);
        });
  }

  /**
   * Uploads the complete staged backup {@code id}, then removes the staging copy. A failed upload
   * removes what it had uploaded (best effort; the rest stays incomplete, never listed).
   */
  private RecoveryPoint upload(String id, Progress progress) throws IOException {
    Path bdir = dir.resolve(id);
    try {
      remote.upload(bdir, id, progress);
      return BackupMetadata.read(bdir).toRecoveryPoint(remote.location(id));
    } catch (RuntimeException | IOException e) {
      try {
        remote.delete(id);
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    } finally {
      EmbeddedBinaries.deleteTree(bdir);
    }
  }

  /** Complete backups, newest first. */
  public List<RecoveryPoint> list() {
    List<RecoveryPoint> points = new ArrayList<>();
    if (remote != null) {
      for (BackupMetadata m : remoteMetadata()) {
        points.add(m.toRecoveryPoint(remote.location(m.id())));
      }
      points.sort(
          Comparator.comparing(RecoveryPoint::takenAt).thenComparing(RecoveryPoint::id).reversed());
      return points;
    }
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

  /**
   * Checks metadata, checksums and the archive's table of contents; {@code deep} also restores into
   * a scratch database on {@code server} and compares row counts and schema fingerprint. A remote
   * backup is downloaded into staging first and removed from there afterwards.
   *
   * @param server a URL on the server to restore into (only used when {@code deep})
   */
  public BackupCheck verify(String id, boolean deep, DbUrl server) {
    return withLocalCopy(id, Progress.NONE, bdir -> verifyAt(id, bdir, deep, server));
  }

  /**
   * Restores backup {@code id} into the database {@code target} on {@code server} (dropped and
   * recreated). Every file's sha256 is checked against the metadata first: a mismatch, a missing or
   * an unexpected file is {@link ErrorCode#RESTORE_FAILED} and nothing is touched. A remote backup
   * is downloaded into staging first and removed from there afterwards.
   */
  public void restore(String id, DbUrl server, String target, Progress progress) {
    restore(id, server, target, false, progress);
  }

  /**
   * As {@link #restore(String, DbUrl, String, Progress)}; with {@code newDatabase} (the target is a
   * database of this restore's own, which nothing else uses, as a side-by-side restore's is) the
   * checksums are checked while pg_restore already fills it, and a mismatch stops pg_restore, drops
   * that database and is {@link ErrorCode#RESTORE_FAILED}: nothing else is touched, and nothing is
   * reported restored before every checksum has passed.
   */
  public void restore(
      String id, DbUrl server, String target, boolean newDatabase, Progress progress) {
    withLocalCopy(
        id,
        progress,
        bdir -> {
          BackupMetadata meta;
          try {
            meta = BackupMetadata.read(bdir);
          } catch (IOException e) {
            throw notFound(id);
          }
          DatabaseRestore restore =
              new DatabaseRestore(tools.forServer(toolVersionFor(meta)), jobs);
          if (!newDatabase) {
            BackupCheck.Item sums;
            try (Trace.Span t = Trace.span("restore: checksums")) {
              sums = checksums(bdir, meta);
            }
            if (!sums.passed()) {
              throw checksumFailure(id, sums, "nothing was changed");
            }
            restore.recreateAndRestore(server, target, bdir.resolve("dump"), progress);
            return null;
          }
          restoreBesideChecksums(id, bdir, meta, restore, server, target, progress);
          return null;
        });
  }

  private void restoreBesideChecksums(
      String id,
      Path bdir,
      BackupMetadata meta,
      DatabaseRestore restore,
      DbUrl server,
      String target,
      Progress progress) {
    CompletableFuture<BackupCheck.Item> sums =
        CompletableFuture.supplyAsync(
            () -> {
              try (Trace.Span t = Trace.span("restore: checksums beside pg_restore")) {
                return checksums(bdir, meta);
              }
            });
    RuntimeException restoreFailure = null;
    try {
      restore.recreateAndRestore(
          server,
          target,
          bdir.resolve("dump"),
          progress,
          () -> sums.isDone() && !sums.join().passed());
    } catch (RuntimeException e) {
      restoreFailure = e;
    }
    BackupCheck.Item checked = sums.join();
    if (!checked.passed()) {
      progress.update("backup " + id + " failed its checksum check: dropping " + target);
      DbRecoverException e =
          checksumFailure(
              id,
              checked,
              "nothing was changed: pg_restore into the new database "
                  + target
                  + ", started beside the check, was stopped and that database dropped");
      if (restoreFailure != null) {
        e.addSuppressed(restoreFailure);
      }
      try {
        DatabaseRestore.drop(server, target);
      } catch (RuntimeException dropFailure) {
        e.addSuppressed(dropFailure);
      }
      throw e;
    }
    if (restoreFailure != null) {
      throw restoreFailure;
    }
  }

  private DbRecoverException checksumFailure(String id, BackupCheck.Item sums, String outcome) {
    return new DbRecoverException(
        ErrorCode.RESTORE_FAILED,
        "backup "
            + id
            + " failed its checksum check ("
            + sums.detail()
            + "); "
            + outcome
            + ". Verify it with: dbrecover verify-backup "
            + environment
            + " "
            + id
            + ", or pick another backup");
  }

  /** Work on the files of one backup in a local directory. */
  private interface LocalWork<T> {
    T on(Path backupDir) throws IOException;
  }

  /**
   * Runs {@code work} on the backup's directory; for a remote store on a fresh download of it under
   * {@code <staging>/downloads/}, removed afterwards. An unknown id is {@link
   * ErrorCode#BACKUP_NOT_FOUND}.
   */
  private <T> T withLocalCopy(String id, Progress progress, LocalWork<T> work) {
    Path bdir = backupDir(id);
    try {
      if (remote == null) {
        if (!Files.isDirectory(bdir)) {
          throw notFound(id);
        }
        return work.on(bdir);
      }
      Files.createDirectories(dir.resolve("downloads"));
      Path copy = Files.createTempDirectory(dir.resolve("downloads"), id + ".");
      try {
        if (!remote.download(id, copy, progress)) {
          throw notFound(id);
        }
        return work.on(copy);
      } finally {
        EmbeddedBinaries.deleteTree(copy);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "backup " + id + " in " + describe() + ": " + e.getMessage(), e);
    }
  }

  private BackupCheck verifyAt(String id, Path bdir, boolean deep, DbUrl server) {
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
    BackupCheck.Item sums = checksums(bdir, meta);
    items.add(sums);
    PgTools.Installation pg = tools.forServer(toolVersionFor(meta));
    Exec.Result toc = PgRunner.list(pg, bdir.resolve("dump"));
    long entries = toc.stdout().lines().filter(l -> !l.startsWith(";") && !l.isBlank()).count();
    items.add(
        new BackupCheck.Item(
            "pg_restore --list",
            toc.ok(),
            toc.ok() ? entries + " entries in the table of contents" : toc.stderr()));
    if (deep) {
      if (sums.passed() && toc.ok()) {
        items.addAll(new DeepVerifier(pg, jobs).verify(meta, bdir.resolve("dump"), server));
      } else {
        items.add(new BackupCheck.Item("restore", false, "skipped: the archive is damaged"));
      }
    }
    return new BackupCheck(id, items);
  }

  /** Deletes a backup (remote: its objects); false if it did not exist. */
  public boolean delete(String id) {
    if (remote != null) {
      return BackupIds.valid(id) && remote.delete(id);
    }
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

  private static BackupCheck.Item checksums(Path bdir, BackupMetadata meta) {
    try {
      Map<String, String> actual = Checksums.of(bdir, bdir.resolve("dump"));
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
    Trace.mark("backup: connecting");
    try (Connection c = DatabaseInspector.connect(source)) {
      Trace.mark("backup: connected");
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
            // pg_dump and the counting read the same snapshot, so they run side by side. The
            // dump's files are hashed by the system's openssl once pg_dump is done (a tenth of
            // the CPU this JVM's SHA-256 takes); without one, here as pg_dump writes them.
            FollowingChecksums hashing =
                Checksums.hashesWithOpenssl()
                    ? null
                    : FollowingChecksums.start(bdir, bdir.resolve("dump"), FOLLOW_INTERVAL);
            CompletableFuture<Exec.Result> dump =
                CompletableFuture.supplyAsync(
                    () ->
                        PgRunner.dump(pg, source, bdir.resolve("dump"), jobs, snapshot, progress));
            Map<String, Long> counts;
            String fingerprint;
            MigrationState migrations;
            Optional<BackupSnapshot> snapshotRead;
            boolean recorded = false;
            try {
              progress.update("recording row counts and schema of " + source.database());
              try (Trace.Span t = Trace.span("backup: row counts, fingerprint, migrations")) {
                // The snapshot pg_dump reads: a restore's data-loss report then reads only the
                // live rows written after it.
                snapshotRead = DatabaseInspector.snapshot(c);
                // One core: pg_dump's jobs need the others more than the count needs speed.
                Jdbc.execute(c, ONE_CORE);
                counts = DatabaseInspector.rowCounts(c);
                fingerprint = DatabaseInspector.schemaFingerprint(c);
                migrations = DatabaseInspector.migrationState(c);
              }
              recorded = true;
            } finally {
              // Never leave pg_dump writing into a directory that is about to be cleaned up.
              dump.exceptionally(e -> null).join();
              if (hashing != null
                  && (!recorded || dump.isCompletedExceptionally() || !dump.join().ok())) {
                hashing.cancel();
              }
            }
            Trace.mark("backup: pg_dump finished");
            Exec.Result r = dump.join();
            c.commit();
            if (!r.ok()) {
              throw dumpFailure(source, r);
            }
            progress.update("computing checksums of " + id);
            Map<String, String> files;
            try (Trace.Span t = Trace.span("backup: checksums (rest)")) {
              files = hashing != null ? hashing.finish() : Checksums.of(bdir, bdir.resolve("dump"));
            }
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
                    files,
                    BackupMetadata.snapshot(snapshotRead));
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

  /**
   * The snapshot local backup {@code id} was taken in, if it recorded one; empty for a remote store
   * (its metadata is read when the backup is downloaded).
   */
  public Optional<BackupSnapshot> snapshotOf(String id) {
    if (remote != null) {
      return Optional.empty();
    }
    try {
      BackupMetadata.Snapshot s = BackupMetadata.read(backupDir(id)).snapshot();
      return s == null ? Optional.empty() : Optional.of(s.toSnapshot());
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // the restore itself says what is wrong with the backup
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
    if (remote != null) {
      return remoteMetadata().stream()
          .filter(m -> request.runId().equals(m.runId()) && m.safety() == request.safety())
          .findFirst()
          .map(m -> m.toRecoveryPoint(remote.location(m.id())));
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
    if (remote != null) {
      remote.removeIncomplete(clock.instant().minus(INCOMPLETE_GRACE), progress);
    }
    for (Path d : backupDirs()) {
      // in staging every backup directory is a leftover of an interrupted upload
      if (remote != null || !Files.exists(d.resolve(BackupMetadata.FILE))) {
        progress.update("removing incomplete backup " + d.getFileName());
        EmbeddedBinaries.deleteTree(d);
      }
    }
  }

  private List<String> ids() {
    if (remote != null) {
      return List.copyOf(remote.objectsById().keySet());
    }
    return backupDirs().stream().map(p -> p.getFileName().toString()).toList();
  }

  private List<BackupMetadata> remoteMetadata() {
    try {
      return remote.metadata(dir.resolve("downloads"));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not read backup metadata from " + remote.describe() + ": " + e.getMessage(), e);
    }
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
                + describe()
                + " yet; take one with: dbrecover backup "
                + environment
            : "backup '"
                + id
                + "' not found in "
                + describe()
                + "; available: "
                + String.join(", ", ids);
    return new DbRecoverException(ErrorCode.BACKUP_NOT_FOUND, msg);
  }
}
