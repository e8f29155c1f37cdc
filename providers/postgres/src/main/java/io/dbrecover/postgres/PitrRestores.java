package io.dbrecover.postgres;

import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.RecoveryPoint;
import io.dbrecover.engine.api.Trace;
import io.dbrecover.engine.spi.ChangedBlocks;
import io.dbrecover.engine.spi.ProviderContext;
import io.dbrecover.engine.spi.RestoreRequest;
import io.dbrecover.engine.spi.RestoreStatus;
import io.dbrecover.postgres.internal.BaseBackupMetadata;
import io.dbrecover.postgres.internal.CheckedCopy;
import io.dbrecover.postgres.internal.EmbeddedBinaries;
import io.dbrecover.postgres.internal.RunAs;
import io.dbrecover.postgres.internal.Wal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Point-in-time restores of one environment: picks the base backup for a target, and maps a request
 * to its {@link PointInTimeRestore} directory {@code <state-dir>/pitr/<run-id>}.
 */
final class PitrRestores {
  private static final DateTimeFormatter TARGET_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSxxx").withZone(ZoneOffset.UTC);

  private final BaseBackupStore bases;
  private final Path archiveDir;
  private final Optional<EmbeddedCluster> embedded;
  private final PgTools tools;
  private final RunAs runAs;

  /**
   * @param embedded the embedded cluster whose binaries restore its backups (empty: the machine's
   *     server binaries of the backup's major version)
   */
  PitrRestores(
      BaseBackupStore bases,
      Path archiveDir,
      Optional<EmbeddedCluster> embedded,
      PgTools tools,
      RunAs runAs) {
    this.bases = bases;
    this.archiveDir = archiveDir;
    this.embedded = embedded;
    this.tools = tools;
    this.runAs = runAs;
  }

  RestoreStatus start(ProviderContext ctx, RestoreRequest request) {
    if (request.inPlace()) {
      throw new ConfigurationException(
          "a point-in-time restore runs side by side as its own server; omit --in-place");
    }
    Path dir = directory(ctx.stateDir(), request.runId());
    PointInTimeRestore earlier =
        new PointInTimeRestore(dir, runAs, Path.of("/"), ctx.clock(), archiveDir);
    if (earlier.prepared()) {
      return poll(ctx, request);
    }
    BaseBackupMetadata base = choose(ctx, request.point());
    ctx.progress()
        .update(
            "restoring base backup "
                + base.id()
                + " and replaying WAL to "
                + describe(request.point()));
    RestoreStatus status;
    try {
      // Every file is checked against the backup's manifest as it is copied: a damaged backup
      // fails here, before any server starts.
      status =
          new PointInTimeRestore(dir, runAs, binDir(base.serverVersion()), ctx.clock(), archiveDir)
              .start(
                  bases.dataDir(base.id()),
                  bases.copyChecks(base.id()),
                  base.walSegmentSize(),
                  WalArchiving.restoreCommand(archiveDir),
                  targetSettings(request.point()),
                  ctx.liveUrl(),
                  ctx.progress());
    } catch (CheckedCopy.Mismatch e) {
      return new RestoreStatus.Failed(
          "base backup "
              + base.id()
              + " failed its check against its manifest and recorded checksums ("
              + e.getMessage()
              + "); what was copied was removed and no server was started, nothing was changed."
              + " Verify it with: dbrecover verify-backup "
              + ctx.environment().name()
              + " "
              + base.id());
    }
    return status instanceof RestoreStatus.Failed ? status : poll(ctx, request);
  }

  RestoreStatus poll(ProviderContext ctx, RestoreRequest request) {
    Path dir = directory(ctx.stateDir(), request.runId());
    Path version = dir.resolve("data").resolve("PG_VERSION");
    if (!Files.exists(version)) {
      return new RestoreStatus.Failed(
          "the point-in-time restore of run " + request.runId() + " has not started");
    }
    int server;
    try {
      server = PgTools.versionNum(Files.readString(version).strip());
    } catch (IOException e) {
      return new RestoreStatus.Failed("cannot read " + version + ": " + e.getMessage());
    }
    PointInTimeRestore restore =
        new PointInTimeRestore(dir, runAs, binDir(server), ctx.clock(), archiveDir);
    if (restore.restartedUnsynced()) {
      // The copy replays without fsync until it is promoted and flushed: after a restart of the
      // machine it may be torn, so it is copied and replayed anew.
      ctx.progress()
          .update(
              "the machine restarted before the restored copy in "
                  + dir
                  + " was flushed to disk: copying the base backup again");
      restore.stop();
      forget(dir);
      try {
        EmbeddedBinaries.deleteTree(dir);
      } catch (IOException e) {
        return new RestoreStatus.Failed(
            "cannot remove the restore in " + dir + " to start it again: " + e.getMessage());
      }
      return start(ctx, request);
    }
    RestoreStatus status = restore.poll(ctx.liveUrl(), ctx.progress());
    if (!(status instanceof RestoreStatus.Failed) && !request.inPlace()) {
      if (status instanceof RestoreStatus.Running
          && Files.exists(dir.resolve("data").resolve("recovery.signal"))) {
        // The server replays a restore to a time, on one core: the commit times around the
        // target in the archive are read meanwhile, then the WAL after the stop point they predict
        // (on 2 cores, 0.25-0.5 s less than reading it all after the stop). For other targets the
        // data-loss step reads after the replay stopped.
        if (request.point().kind() == RecoveryPoint.Kind.POINT_IN_TIME
            && request.point().targetLsn().isEmpty()) {
          readRunningRecords(ctx, request, dir);
          readPredicted(request, dir, restore.url(ctx.liveUrl()), ctx.liveUrl());
        }
      } else if (status instanceof RestoreStatus.Running || PREDICTED.containsKey(dir)) {
        // The replay has ended and the server promotes (its end-of-recovery checkpoint), or has
        // promoted since the last poll: the WAL after the stop point is read meanwhile for the
        // data-loss report that follows, or taken from what was read during the replay.
        readEarly(dir, restore.url(ctx.liveUrl()), ctx.liveUrl());
      }
    }
    return status;
  }

  // The running-transactions records and commit times around the target of a restore to a time,
  // read while its server replays, by restore directory (for this process's early read).
  private static final ConcurrentHashMap<Path, CompletableFuture<WalChanges.RunningRecords>>
      RUNNING = new ConcurrentHashMap<>();

  private void readRunningRecords(ProviderContext ctx, RestoreRequest request, Path dir) {
    inBackground(
        RUNNING,
        dir,
        "dbrecover-wal-running",
        d -> {
          try (Trace.Span span = Trace.span("wal: running-transactions records")) {
            BaseBackupMetadata base = choose(ctx, request.point());
            Optional<WalChanges> wal = walChanges(d);
            Instant target = request.point().takenAt();
            return wal.isPresent()
                ? wal.get().runningRecords(base.timeline(), scanFrom(base, target), target)
                : null; // searched for after the promotion instead
          }
        });
  }

  /**
   * Where to look for the commit a replay to {@code target} stops before: the segment before the
   * first one archived at or after {@code target} (a segment archived before it holds only commits
   * before it; one more for a clock that differs a little), else the base backup's start. A file
   * time that misleads only costs the prediction, which the log of the replay then contradicts.
   */
  private long scanFrom(BaseBackupMetadata base, Instant target) {
    long start = Wal.lsn(base.startLsn());
    long size = base.walSegmentSize();
    for (Wal.Archived a : Wal.archived(archiveDir, size)) {
      if (a.segment().timeline() == base.timeline()
          && a.segment().number() > start / size
          && !a.modifiedAt().isBefore(target)) {
        return Math.max(start, (a.segment().number() - 1) * size);
      }
    }
    return start;
  }

  /** What a read in the background gives: null when there is nothing to give. */
  @FunctionalInterface
  private interface BackgroundRead<T> {
    T read(Path dir) throws WalChanges.Doubt, IOException;
  }

  /**
   * Starts {@code read} of restore directory {@code dir} on a daemon thread named {@code name},
   * once per directory in {@code reads}; one that fails gives null (what it was for is read later).
   */
  private static <T> CompletableFuture<T> inBackground(
      ConcurrentHashMap<Path, CompletableFuture<T>> reads,
      Path dir,
      String name,
      BackgroundRead<T> read) {
    return reads.computeIfAbsent(
        dir,
        d -> {
          CompletableFuture<T> f = new CompletableFuture<>();
          Thread t =
              new Thread(
                  () -> {
                    try {
                      f.complete(read.read(d));
                    } catch (WalChanges.Doubt | IOException | RuntimeException e) {
                      f.complete(null);
                    }
                  },
                  name);
          t.setDaemon(true);
          t.start();
          return f;
        });
  }

  // Early reads of the WAL after a restore's stop point, by restore directory, for this process's
  // changedBlocks (another process, e.g. a resumed run, reads it anew).
  private static final ConcurrentHashMap<Path, CompletableFuture<WalChanges.Prepared>> EARLY =
      new ConcurrentHashMap<>();

  // Reads of the WAL after where a restore's replay is predicted to stop, made while it replays,
  // by restore directory: the early read takes one when there is one.
  private static final ConcurrentHashMap<Path, CompletableFuture<WalChanges.Prepared>> PREDICTED =
      new ConcurrentHashMap<>();

  /**
   * Once the running-transactions records (and the commit times beside them) are read during the
   * replay of a restore to a time: reads, on the core the replay leaves free, what the early read
   * would read after the stop point the commit times predict (see WalChanges#predicted).
   */
  private void readPredicted(RestoreRequest request, Path dir, DbUrl restored, DbUrl live) {
    CompletableFuture<WalChanges.RunningRecords> running = RUNNING.get(dir);
    if (PREDICTED.containsKey(dir)
        || EARLY.containsKey(dir)
        || running == null
        || running.getNow(null) == null) {
      return;
    }
    WalChanges.RunningRecords history = running.getNow(null);
    long[] stop = history.stopFor(request.point().takenAt());
    if (stop == null) {
      return;
    }
    inBackground(
        PREDICTED,
        dir,
        "dbrecover-wal-predicted",
        d -> {
          try (Trace.Span span = Trace.span("wal: read after the predicted stop")) {
            Optional<WalChanges> wal = walChanges(d);
            return wal.isPresent()
                ? wal.get()
                    .knowing(history)
                    .niced()
                    .predicted(history.timeline(), stop, restored, live)
                : null; // read once the replay stopped instead
          }
        });
  }

  private void readEarly(Path dir, DbUrl restored, DbUrl live) {
    inBackground(
        EARLY,
        dir,
        "dbrecover-wal-early",
        d -> {
          CompletableFuture<WalChanges.Prepared> predicted = PREDICTED.remove(d);
          WalChanges.Prepared foreseen = predicted == null ? null : predicted.join();
          if (foreseen != null) {
            return foreseen; // checked by WalChanges#read
          }
          Optional<WalChanges> wal = walChanges(d);
          CompletableFuture<WalChanges.RunningRecords> running = RUNNING.get(d);
          return wal.isPresent()
              ? wal.get()
                  .knowing(running == null ? null : running.getNow(null))
                  .early(d.resolve("data"), restored, live)
              : null; // read after the promotion instead
        });
  }

  /**
   * {@link #changedBlocks} as it goes when the running-transactions records were read during the
   * replay ({@link WalChanges#runningRecords}) and the WAL after the stop point early ({@link
   * WalChanges#early}), after the live snapshot at {@code liveLsn} was taken; for tests, which
   * cannot time the replay and the promotion.
   */
  ChangedBlocks changedBlocksReadEarly(
      ProviderContext ctx, RestoreRequest request, DbUrl restored, String liveLsn) {
    return changedBlocksAs(
        ctx,
        request,
        restored,
        liveLsn,
        (wal, base, data) ->
            wal.knowing(wal.runningRecords(base.timeline(), Wal.lsn(base.startLsn())))
                .early(data, restored, ctx.liveUrl()));
  }

  /**
   * {@link #changedBlocks} as it goes when the replay's stop point was foreseen from the commit
   * times in the archive and the WAL after it read while the copy replayed ({@link
   * WalChanges#predicted}); for tests, which cannot time the replay. Unknown when no stop was
   * foreseen (not a restore to a time, or no commit after it).
   */
  ChangedBlocks changedBlocksPredicted(
      ProviderContext ctx, RestoreRequest request, DbUrl restored, String liveLsn) {
    return changedBlocksAs(
        ctx,
        request,
        restored,
        liveLsn,
        (wal, base, data) -> {
          Instant target = request.point().takenAt();
          WalChanges.RunningRecords history =
              wal.runningRecords(base.timeline(), scanFrom(base, target), target);
          long[] stop = request.point().targetLsn().isPresent() ? null : history.stopFor(target);
          if (stop == null) {
            throw new WalChanges.Doubt("no stop point foreseen");
          }
          return wal.knowing(history).predicted(history.timeline(), stop, restored, ctx.liveUrl());
        });
  }

  /** How a test hook reads before {@link WalChanges#read} takes it. */
  @FunctionalInterface
  private interface Preparation {
    WalChanges.Prepared prepare(WalChanges wal, BaseBackupMetadata base, Path data)
        throws WalChanges.Doubt;
  }

  /** {@link #changedBlocks} finishing what {@code how} read beforehand; for the test hooks. */
  private ChangedBlocks changedBlocksAs(
      ProviderContext ctx,
      RestoreRequest request,
      DbUrl restored,
      String liveLsn,
      Preparation how) {
    Path data = directory(ctx.stateDir(), request.runId()).resolve("data");
    try {
      WalChanges wal = walChanges(data.getParent()).orElseThrow();
      WalChanges.Prepared prepared = how.prepare(wal, choose(ctx, request.point()), data);
      return wal.read(data, restored, ctx.liveUrl(), liveLsn, prepared);
    } catch (WalChanges.Doubt e) {
      return ChangedBlocks.unknown(e.getMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The early read of {@code dir}'s WAL, if one was made in this process (null otherwise). */
  private static WalChanges.Prepared takeEarly(Path dir) {
    CompletableFuture<WalChanges.Prepared> f = EARLY.remove(dir);
    if (f == null) {
      return null;
    }
    try {
      return f.get(10, TimeUnit.MINUTES);
    } catch (ExecutionException | TimeoutException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** pg_waldump of the restored server's major version over the archive; empty when none. */
  private Optional<WalChanges> walChanges(Path dir) throws IOException {
    Path data = dir.resolve("data");
    int server = PgTools.versionNum(Files.readString(data.resolve("PG_VERSION")).strip());
    Optional<Path> waldump =
        tools.installations().stream()
            .filter(i -> i.major() == PgTools.majorOf(server))
            .map(i -> i.tool("pg_waldump"))
            .flatMap(Optional::stream)
            .findFirst();
    if (waldump.isEmpty()) {
      return Optional.empty();
    }
    Path sizeFile = dir.resolve("wal-segment-size");
    long segmentSize =
        Files.exists(sizeFile)
            ? Long.parseLong(Files.readString(sizeFile).strip())
            : Wal.DEFAULT_SEGMENT_SIZE;
    return Optional.of(new WalChanges(waldump.get(), archiveDir, segmentSize));
  }

  /** Stops the restored server of run {@code runId} if it runs; whether it ran. */
  boolean stop(Path stateDir, String runId, java.time.Clock clock) {
    Path dir = directory(stateDir, runId);
    Path version = dir.resolve("data").resolve("PG_VERSION");
    if (!Files.exists(version)) {
      return false;
    }
    int server;
    try {
      server = PgTools.versionNum(Files.readString(version).strip());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot read " + version, e);
    }
    return new PointInTimeRestore(dir, runAs, binDir(server), clock, archiveDir).stop();
  }

  /** The newest base backup that can reach the point. */
  BaseBackupMetadata choose(ProviderContext ctx, RecoveryPoint point) {
    List<BaseBackupMetadata> all = bases.metadata();
    if (point.kind() == RecoveryPoint.Kind.BASE_BACKUP) {
      return bases.find(point.id());
    }
    Optional<String> lsn = point.targetLsn();
    Optional<BaseBackupMetadata> best =
        all.stream()
            .filter(
                m ->
                    lsn.isPresent()
                        ? Wal.lsn(m.stopLsn()) <= Wal.lsn(lsn.get())
                        : !m.stoppedAt().isAfter(point.takenAt()))
            .max(Comparator.comparing(BaseBackupMetadata::stoppedAt));
    return best.orElseThrow(
        () ->
            new DbRecoverException(
                ErrorCode.NO_RECOVERY_POINT,
                "no base backup ended before "
                    + describe(point)
                    + (all.isEmpty()
                        ? "; there are no base backups yet"
                        : "; the oldest, "
                            + all.get(0).id()
                            + ", ended at "
                            + all.get(0).stoppedAt()
                            + " ("
                            + all.get(0).stopLsn()
                            + ")")
                    + ". Pick a later target, or take base backups regularly with: dbrecover"
                    + " backup "
                    + ctx.environment().name()
                    + " --physical"));
  }

  private static List<String> targetSettings(RecoveryPoint point) {
    if (point.kind() == RecoveryPoint.Kind.BASE_BACKUP) {
      return List.of("recovery_target = 'immediate'");
    }
    Optional<String> lsn = point.targetLsn();
    if (lsn.isPresent()) {
      return List.of("recovery_target_lsn = '" + Wal.lsn(Wal.lsn(lsn.get())) + "'");
    }
    return List.of("recovery_target_time = '" + TARGET_TIME.format(point.takenAt()) + "'");
  }

  private static String describe(RecoveryPoint point) {
    if (point.kind() == RecoveryPoint.Kind.BASE_BACKUP) {
      return "the end of " + point.id();
    }
    return point.targetLsn().map(l -> "LSN " + l).orElse(point.takenAt().toString());
  }

  /**
   * What the live database changed after the point run {@code request}'s restored server stopped
   * at, up to {@code liveLsn}; unknown with the reason on any doubt (see {@link WalChanges}).
   */
  ChangedBlocks changedBlocks(
      ProviderContext ctx, RestoreRequest request, DbUrl restored, String liveLsn) {
    Path dir = directory(ctx.stateDir(), request.runId());
    Path data = dir.resolve("data");
    WalChanges.Prepared early;
    try (Trace.Span span = Trace.span("data-loss report: wait for the early WAL read")) {
      early = takeEarly(dir);
    }
    try {
      Optional<WalChanges> wal = walChanges(dir);
      if (wal.isEmpty()) {
        int server = PgTools.versionNum(Files.readString(data.resolve("PG_VERSION")).strip());
        return ChangedBlocks.unknown(
            "no pg_waldump of PostgreSQL " + PgTools.majorOf(server) + " on this machine");
      }
      return wal.get().read(data, restored, ctx.liveUrl(), liveLsn, early);
    } catch (WalChanges.Doubt e) {
      return ChangedBlocks.unknown(e.getMessage());
    } catch (IOException | RuntimeException e) {
      return ChangedBlocks.unknown("cannot read the WAL after the stop point: " + e.getMessage());
    } finally {
      RUNNING.remove(dir);
      PREDICTED.remove(dir);
    }
  }

  /** Drops what this process read in the background for the restore in {@code dir}. */
  private static void forget(Path dir) {
    RUNNING.remove(dir);
    PREDICTED.remove(dir);
    EARLY.remove(dir);
  }

  private Path directory(Path stateDir, String runId) {
    if (!runId.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
      throw new ConfigurationException("run id '" + runId + "' is not a valid name");
    }
    return runAs.reachable(stateDir.toAbsolutePath().normalize().resolve("pitr").resolve(runId));
  }

  // The server binaries of the backup's major version: the embedded ones when they match.
  private Path binDir(int serverVersionNum) {
    if (embedded.isPresent()
        && PgTools.majorOf(serverVersionNum)
            == PgTools.majorOf(PgTools.versionNum(EmbeddedBinaries.VERSION))) {
      return embedded.get().binDir();
    }
    PgTools.Installation i = tools.sameMajorWith(serverVersionNum, "postgres");
    return i.tool("pg_ctl").map(Path::getParent).orElse(i.binDir());
  }
}
