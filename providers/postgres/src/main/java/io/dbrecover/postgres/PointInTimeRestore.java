package io.dbrecover.postgres;

import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.Trace;
import io.dbrecover.engine.spi.DatabaseInspector;
import io.dbrecover.engine.spi.Progress;
import io.dbrecover.engine.spi.RestoreStatus;
import io.dbrecover.postgres.internal.CheckedCopy;
import io.dbrecover.postgres.internal.Durable;
import io.dbrecover.postgres.internal.EmbeddedBinaries;
import io.dbrecover.postgres.internal.Exec;
import io.dbrecover.postgres.internal.RunAs;
import io.dbrecover.postgres.internal.Wal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One point-in-time restore, kept in its own directory (named from the run id): a copy of a base
 * backup in {@code data/} configured to replay the WAL archive to a target and promote, started
 * with pg_ctl on a free port, logging to {@code server.log}. The directory is the state: a retried
 * start finds the copy, a later poll (from another process) finds the postmaster, and a postmaster
 * that stopped without an error is started again. The restored server keeps running after dbrecover
 * exits; nothing here touches the original cluster.
 */
final class PointInTimeRestore {
  static final String MARKER = "dbrecover: starting the restored server";
  private static final int MAX_STARTS = 3;
  private static final Duration START_WAIT = Duration.ofSeconds(10);
  static final Duration POLL = Duration.ofMillis(100);
  // Two threads: a base backup is mostly one large file, the rest is copied beside it.
  private static final int COPY_THREADS = 2;
  private static final int MAX_SOCKET_DIR = 90;
  // FATAL lines that are about a client connection, not about the server.
  private static final List<String> CLIENT_FATALS =
      List.of(
          "not yet accepting connections",
          "is starting up",
          "is shutting down",
          "terminating connection",
          "authentication failed",
          "does not exist",
          "no pg_hba.conf entry");

  static final String TARGET_NOT_REACHED =
      "recovery ended before configured recovery target was reached";
  private static final Pattern REDO_DONE =
      Pattern.compile("redo done at ([0-9A-Fa-f]+/[0-9A-Fa-f]+)");
  private static final String TO_END = "recover-to-end";
  private static final String SEGMENT_SIZE = "wal-segment-size";
  // Present while the copy runs without fsync: from its layout until it was made durable.
  private static final String UNSYNCED = "unsynced";
  // The replay runs without fsync: a crash of the server loses nothing the kernel holds, and a
  // crash of the machine is caught by restartedUnsynced(); the copy serves nothing before it was
  // made durable. Spares the server's flush of the whole copy before it replays.
  private static final String FSYNC_OFF = "fsync = 'off' # until dbrecover has flushed the copy";
  private static final String FSYNC_ON = "fsync = 'on'";

  private final Path dir;
  private final RunAs runAs;
  private final Path binDir;
  private final Clock clock;
  private final Path archiveDir;

  /**
   * @param dir the restore's directory (created on start)
   * @param runAs who runs the restored server
   * @param binDir postgres and pg_ctl of the backup's major version
   * @param archiveDir the WAL archive the restore replays
   */
  PointInTimeRestore(Path dir, RunAs runAs, Path binDir, Clock clock, Path archiveDir) {
    this.dir = dir.toAbsolutePath().normalize();
    this.runAs = runAs;
    this.binDir = binDir;
    this.clock = clock;
    this.archiveDir = archiveDir;
  }

  Path dataDir() {
    return dir.resolve("data");
  }

  /** Whether the data directory was laid out (by this or an earlier try). */
  boolean prepared() {
    return Files.exists(dataDir().resolve("PG_VERSION"));
  }

  /**
   * Copies {@code backupData} into {@code data/} and configures recovery, unless an earlier try
   * did; then makes sure the server runs and reports where the restore stands.
   *
   * @param recoverySettings the recovery target lines (recovery_target_* = ...)
   */
  RestoreStatus start(
      Path backupData,
      Map<String, CheckedCopy.Expected> expected,
      long walSegmentSize,
      String restoreCommand,
      List<String> recoverySettings,
      DbUrl live,
      Progress progress)
      throws CheckedCopy.Mismatch {
    try {
      if (!prepared()) {
        prepare(backupData, expected, restoreCommand, recoverySettings, progress);
        Files.writeString(dir.resolve(SEGMENT_SIZE), Long.toString(walSegmentSize));
        // The copy is written back while the server replays (on one core, the disk idle),
        // instead of before it starts; what is left is flushed once it is promoted. Not the
        // WAL the replay restores from the archive into pg_wal: it is read once and recycled.
        Path wal = dataDir().resolve("pg_wal");
        Durable.syncInBackground(
            dataDir(),
            p -> p.startsWith(wal),
            () -> Files.exists(dataDir().resolve("recovery.signal")));
      }
    } catch (CheckedCopy.Mismatch e) {
      try {
        EmbeddedBinaries.deleteTree(dir);
      } catch (IOException gone) {
        // what is left is a copy no server runs in; the caller's message names the directory
      }
      throw e;
    } catch (IOException e) {
      throw new DbRecoverException(
          ErrorCode.RESTORE_FAILED,
          "could not lay out the restore in "
              + dir
              + ": "
              + e.getMessage()
              + "; the original was not touched");
    }
    return poll(live, progress);
  }

  /** Where the restore stands; starts the server again if it stopped without an error. */
  RestoreStatus poll(DbUrl live, Progress progress) {
    if (!prepared()) {
      return new RestoreStatus.Failed(
          "the point-in-time restore in " + dir + " has not been laid out: it has not started");
    }
    while (!isRunning()) {
      Optional<String> failure = failure();
      if (failure.isPresent() && failure.get().contains(TARGET_NOT_REACHED) && replayedAll()) {
        failure = Optional.empty();
        recoverToEnd(progress);
      }
      if (failure.isPresent()) {
        return failed(failure.get() + (failure.get().contains(TARGET_NOT_REACHED) ? gap() : ""));
      }
      if (starts() >= MAX_STARTS) {
        return failed(
            "the restored server stopped " + starts() + " times without reporting an error");
      }
      if (promotionInterrupted()) {
        Optional<String> refused = reenterRecovery(progress);
        if (refused.isPresent()) {
          return failed(refused.get());
        }
      }
      progress.update("starting the restored server in " + dataDir() + " on port " + port());
      startServer();
    }
    if (Files.exists(dataDir().resolve("recovery.signal"))) {
      // A poll is a look at the postmaster's pid file and two file checks: cheap enough to look
      // ten times a second, so the end of a replay is not followed by most of a second of waiting.
      return new RestoreStatus.Running(
          clock.instant().plus(POLL),
          "replaying archived WAL on port " + port() + " (server log: " + log() + ")");
    }
    DbUrl url = url(live);
    try (Connection c = DatabaseInspector.connect(url);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select pg_is_in_recovery()")) {
      rs.next();
      if (!rs.getBoolean(1)) {
        if (Files.exists(dir.resolve(UNSYNCED))) {
          makeDurable(url, progress);
        }
        return new RestoreStatus.Done(
            url,
            "point-in-time restore promoted on port "
                + port()
                + ", data in "
                + dataDir()
                + "; this server does not archive WAL yet: once it serves the application, run"
                + " `dbrecover pitr enable` and take a base backup to keep point-in-time recovery");
      }
    } catch (java.sql.SQLException | DbRecoverException e) {
      // not accepting connections yet
    }
    return new RestoreStatus.Running(
        clock.instant().plus(POLL), "the restored server on port " + port() + " is promoting");
  }

  /**
   * Whether the replay that just ended without reaching its target used up the whole archive: it
   * ended in the newest archived segment (not before a missing one). Then the archive holds no
   * commit after the target, and its end is the state at the target (the window check made sure the
   * archive reaches the target). Only once per restore.
   */
  private boolean replayedAll() {
    // Only for a replay that ran from the base backup in one go: after a restart (a crash, a stop
    // from outside) the log does not show the whole replay, and failing is the safe answer.
    if (Files.exists(dir.resolve(TO_END)) || starts() != 1) {
      return false;
    }
    Optional<Long> redoDone = redoDone();
    if (redoDone.isEmpty()) {
      return false;
    }
    long segmentSize = segmentSize();
    List<Wal.Archived> archived = Wal.archived(archiveDir, segmentSize);
    if (archived.isEmpty()) {
      return false;
    }
    Wal.Segment newest = archived.get(archived.size() - 1).segment();
    return Wal.segmentOf(newest.timeline(), redoDone.get(), segmentSize).number()
        >= newest.number();
  }

  /**
   * When the replay stopped before a segment the archive lacks while it holds later ones: a note
   * naming that segment, else empty.
   */
  private String gap() {
    Optional<Long> redoDone = redoDone();
    long segmentSize = segmentSize();
    List<Wal.Archived> archived = Wal.archived(archiveDir, segmentSize);
    if (redoDone.isEmpty() || archived.isEmpty()) {
      return "";
    }
    Wal.Segment newest = archived.get(archived.size() - 1).segment();
    Wal.Segment last = Wal.segmentOf(newest.timeline(), redoDone.get(), segmentSize);
    List<Wal.Segment> missing = Wal.gaps(archived, last, segmentSize);
    return missing.isEmpty()
        ? ""
        : ": the WAL archive "
            + archiveDir
            + " is missing segment "
            + missing.get(0).name()
            + ", which the replay needed next";
  }

  private Optional<Long> redoDone() {
    return sinceLastStart().stream()
        .map(REDO_DONE::matcher)
        .filter(Matcher::find)
        .map(m -> Wal.lsn(m.group(1)))
        .reduce((a, b) -> b);
  }

  /**
   * Whether the server stopped while it promoted: it had chosen its new timeline (and removed
   * recovery.signal) but never finished the end-of-recovery checkpoint. Started as it is, it would
   * run crash recovery along the old timeline's WAL in pg_wal, past the target (with archiving off,
   * PostgreSQL keeps that segment under its own name).
   */
  private boolean promotionInterrupted() {
    List<String> lines = sinceLastStart();
    return !Files.exists(dataDir().resolve("recovery.signal"))
        && lines.stream().anyMatch(l -> l.contains("selected new timeline ID"))
        && lines.stream()
            .noneMatch(l -> l.contains("database system is ready to accept connections"));
  }

  /**
   * Makes the next start replay to the target again along the base backup's timeline, then promote
   * (to a newer timeline); the reason to fail instead when that timeline is not known.
   */
  private Optional<String> reenterRecovery(Progress progress) {
    Optional<Integer> timeline = baseTimeline();
    if (timeline.isEmpty()) {
      return Optional.of(
          "the restored server stopped while it promoted, and the base backup's timeline is not"
              + " known to replay again; start a new run");
    }
    try {
      Files.writeString(
          dataDir().resolve("postgresql.auto.conf"),
          "# the server stopped while it promoted: replay to the target again (dbrecover)\n"
              + "recovery_target_timeline = '"
              + timeline.get()
              + "'\n",
          StandardOpenOption.APPEND);
      Files.writeString(dataDir().resolve("recovery.signal"), "");
      runAs.own(dataDir().resolve("recovery.signal"));
    } catch (IOException e) {
      throw new UncheckedIOException("could not reconfigure " + dataDir(), e);
    }
    progress.update(
        "the restored server stopped while it promoted: replaying to the target again on timeline "
            + timeline.get());
    return Optional.empty();
  }

  /** The timeline the base backup started on, from its backup_label (renamed once replay began). */
  private Optional<Integer> baseTimeline() {
    for (String name : List.of("backup_label.old", "backup_label")) {
      Path label = dataDir().resolve(name);
      try {
        if (Files.exists(label)) {
          for (String l : Files.readAllLines(label, StandardCharsets.UTF_8)) {
            if (l.startsWith("START TIMELINE:")) {
              return Optional.of(Integer.parseInt(l.substring("START TIMELINE:".length()).strip()));
            }
          }
        }
      } catch (IOException | NumberFormatException e) {
        // try the next
      }
    }
    return Optional.empty();
  }

  /** Drops the recovery target so the next start replays the archive to its end and promotes. */
  private void recoverToEnd(Progress progress) {
    try {
      Files.writeString(
          dataDir().resolve("postgresql.auto.conf"),
          "# the archive holds no commit after the target: replay it to its end (dbrecover)\n"
              + "recovery_target_time = ''\n"
              + "recovery_target_lsn = ''\n",
          StandardOpenOption.APPEND);
      Files.writeString(dir.resolve(TO_END), clock.instant().toString());
    } catch (IOException e) {
      throw new UncheckedIOException("could not reconfigure " + dataDir(), e);
    }
    progress.update(
        "no commit after the target in the archived WAL: replaying the archive to its end, which"
            + " is the same state");
  }

  private long segmentSize() {
    try {
      Path f = dir.resolve(SEGMENT_SIZE);
      return Files.exists(f)
          ? Long.parseLong(Files.readString(f).strip())
          : Wal.DEFAULT_SEGMENT_SIZE;
    } catch (IOException | NumberFormatException e) {
      return Wal.DEFAULT_SEGMENT_SIZE;
    }
  }

  /** The restored database's URL: the original's user, password and database, on the new port. */
  DbUrl url(DbUrl live) {
    return DbUrl.of(
        "127.0.0.1",
        port(),
        live.database(),
        live.user().orElse(null),
        live.password().orElse(null));
  }

  private RestoreStatus.Failed failed(String why) {
    // restore_command's own errors (e.g. an archive the server user may not read) come before the
    // FATAL line and explain it
    String cause =
        sinceLastStart().stream()
            .filter(l -> l.contains("Permission denied"))
            .findFirst()
            .map(l -> " after \"" + l.strip() + "\"")
            .orElse("");
    return new RestoreStatus.Failed(
        "point-in-time restore failed: "
            + why
            + cause
            + " (server log: "
            + log()
            + "); the original database was not touched");
  }

  private void prepare(
      Path backupData,
      Map<String, CheckedCopy.Expected> expected,
      String restoreCommand,
      List<String> recoverySettings,
      Progress progress)
      throws IOException {
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path staging = dir.resolve("data.copying");
    EmbeddedBinaries.deleteTree(staging);
    progress.update(
        "copying base backup "
            + backupData.getParent().getFileName()
            + " to "
            + dir
            + ", checking every file against its manifest");
    // Checked as it is copied: the bytes the server gets are the bytes checked, and the backup is
    // read once.
    try (Trace.Span span = Trace.span("restore: checked copy of the base backup")) {
      int files =
          CheckedCopy.copy(backupData, staging, expected, Set.of("backup_manifest"), COPY_THREADS);
      progress.update("copied and checked " + files + " files of the base backup");
    }
    int port = freePort();
    Files.writeString(dir.resolve("port"), Integer.toString(port));
    Path socket = dir.resolve("socket");
    Files.createDirectories(socket);
    String socketDir = socket.toString().length() <= MAX_SOCKET_DIR ? socket.toString() : "";
    // A server whose configuration lives outside the data directory (Debian's /etc/postgresql)
    // leaves none in the base backup.
    if (!Files.exists(staging.resolve("postgresql.conf"))) {
      Files.writeString(staging.resolve("postgresql.conf"), "# written by dbrecover\n");
    }
    if (!Files.exists(staging.resolve("pg_hba.conf"))) {
      Files.writeString(
          staging.resolve("pg_hba.conf"),
          "# written by dbrecover\n"
              + "local all all scram-sha-256\n"
              + "host all all 127.0.0.1/32 scram-sha-256\n"
              + "host all all ::1/128 scram-sha-256\n");
    }
    StringBuilder conf = new StringBuilder("\n# point-in-time restore settings (dbrecover)\n");
    // postgresql.auto.conf is read last, so these win over what the original set with ALTER
    // SYSTEM (its archive settings above all: the copy must not write into the original's
    // archive).
    for (String line :
        List.of(
            "port = " + port,
            "listen_addresses = '127.0.0.1'",
            "unix_socket_directories = " + quote(socketDir),
            "archive_mode = 'off'",
            "logging_collector = 'off'",
            "hot_standby = 'on'",
            "primary_conninfo = ''",
            "synchronous_standby_names = ''",
            "restore_command = " + quote(restoreCommand),
            "recovery_target_action = 'promote'",
            FSYNC_OFF)) {
      conf.append(line).append('\n');
    }
    for (String line : recoverySettings) {
      conf.append(line).append('\n');
    }
    Files.writeString(
        staging.resolve("postgresql.auto.conf"),
        conf.toString(),
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    Files.writeString(staging.resolve("recovery.signal"), "");
    Files.setPosixFilePermissions(staging, PosixFilePermissions.fromString("rwx------"));
    runAs.own(dir);
    Files.writeString(dir.resolve(UNSYNCED), clock.instant() + "\n");
    Files.move(staging, dataDir(), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Once promoted, the copy that replayed without fsync is made durable as PostgreSQL documents it
   * for turning fsync back on: fsync on (a reload), then every file and directory of the data
   * directory flushed while it is on. Only then is the restore done.
   */
  private void makeDurable(DbUrl url, Progress progress) {
    Path auto = dataDir().resolve("postgresql.auto.conf");
    try (Trace.Span span = Trace.span("restore: made durable")) {
      String conf = Files.readString(auto);
      if (conf.contains(FSYNC_OFF)) {
        Files.writeString(auto, conf.replace(FSYNC_OFF, FSYNC_ON));
      }
      Exec.Result reload = pgCtl(List.of("reload", "-D", dataDir().toString()));
      if (!reload.ok()) {
        throw new IOException("pg_ctl reload failed: " + reload.stderr().strip());
      }
      String current = awaitFsyncOn(url);
      progress.update("flushing the restored copy in " + dataDir() + " to disk");
      // Segments past the current one are recycled ones, their old contents never read again.
      Path wal = dataDir().resolve("pg_wal");
      Durable.sync(
          dataDir(),
          p ->
              p.getParent().equals(wal)
                  && Wal.isSegmentName(p.getFileName().toString())
                  && p.getFileName().toString().substring(8).compareTo(current.substring(8)) > 0);
      Files.deleteIfExists(dir.resolve(UNSYNCED));
    } catch (IOException e) {
      throw new DbRecoverException(
          ErrorCode.RESTORE_FAILED,
          "could not make the restored copy in "
              + dataDir()
              + " durable: "
              + e.getMessage()
              + "; the original was not touched");
    }
  }

  /** Waits until the server runs with fsync on; the name of the WAL segment it writes in. */
  private String awaitFsyncOn(DbUrl url) throws IOException {
    long deadline = System.nanoTime() + START_WAIT.toNanos();
    do {
      try (Connection c = DatabaseInspector.connect(url);
          Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "select current_setting('fsync'),"
                      + " pg_walfile_name(pg_current_wal_insert_lsn())")) {
        if (rs.next() && "on".equals(rs.getString(1))) {
          return rs.getString(2);
        }
      } catch (java.sql.SQLException | DbRecoverException e) {
        // asked again below
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for fsync = on", e);
      }
    } while (System.nanoTime() < deadline);
    throw new IOException("the restored server did not turn fsync on after a reload");
  }

  /**
   * Whether the machine started again after the copy began to replay without fsync and before it
   * was made durable: then what the kernel had not written yet is gone, and the copy may be torn.
   */
  boolean restartedUnsynced() {
    Path marker = dir.resolve(UNSYNCED);
    if (!Files.exists(marker)) {
      return false;
    }
    try {
      Optional<String> btime =
          Files.readAllLines(Path.of("/proc/stat")).stream()
              .filter(l -> l.startsWith("btime "))
              .findFirst();
      return btime.isPresent()
          && Long.parseLong(btime.get().substring(6).strip())
              > Files.getLastModifiedTime(marker).toInstant().getEpochSecond();
    } catch (IOException | NumberFormatException e) {
      return false; // no boot time to compare with (not Linux)
    }
  }

  /** Stops the restored server (fast shutdown) if it runs; whether it ran. */
  boolean stop() {
    if (!prepared() || !isRunning()) {
      return false;
    }
    Exec.Result r = pgCtl(List.of("stop", "-w", "-m", "fast", "-D", dataDir().toString()));
    if (!r.ok()) {
      throw new DbRecoverException(
          ErrorCode.CONFIGURATION,
          "could not stop the restored server in " + dataDir() + ": " + r.stderr());
    }
    return true;
  }

  private void startServer() {
    try {
      Files.writeString(
          log(),
          MARKER + " (" + clock.instant() + ")\n",
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      runAs.own(log());
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + log(), e);
    }
    // -w returns once the server accepts connections or after the timeout; replay goes on after
    // either, and poll() reads where it stands.
    pgCtl(
        List.of(
            "start",
            "-w",
            "-t",
            Long.toString(START_WAIT.toSeconds()),
            "-D",
            dataDir().toString(),
            "-l",
            log().toString()));
  }

  private boolean isRunning() {
    // Polls ask ten times a second: the postmaster's pid file and a look at that process first,
    // as pg_ctl status does; pg_ctl itself (a process to start) only when they say no.
    return postmasterAlive() || pgCtl(List.of("status", "-D", dataDir().toString())).ok();
  }

  private boolean postmasterAlive() {
    try {
      String first =
          Files.readString(dataDir().resolve("postmaster.pid")).lines().findFirst().orElse("");
      return ProcessHandle.of(Long.parseLong(first.strip()))
          .map(ProcessHandle::isAlive)
          .orElse(false);
    } catch (IOException | NumberFormatException e) {
      return false;
    }
  }

  private Exec.Result pgCtl(List<String> args) {
    List<String> cmd = new java.util.ArrayList<>();
    cmd.add(binDir.resolve("pg_ctl").toString());
    cmd.addAll(args);
    return Exec.run(runAs.command(cmd), Map.of(), Duration.ofSeconds(60));
  }

  /** The server's reason for stopping since the last start, if it gave one. */
  private Optional<String> failure() {
    List<String> lines = sinceLastStart();
    if (lines.stream().anyMatch(l -> l.contains("shutdown request"))) {
      // Stopped from outside (pg_ctl stop, a reboot): its FATALs are the shutdown's, not errors.
      return Optional.empty();
    }
    for (String l : lines) {
      if ((l.contains("FATAL:") || l.contains("PANIC:"))
          && CLIENT_FATALS.stream().noneMatch(l::contains)) {
        return Optional.of(l.substring(l.indexOf(l.contains("FATAL:") ? "FATAL:" : "PANIC:")));
      }
    }
    return Optional.empty();
  }

  private int starts() {
    try {
      return Files.exists(log())
          ? (int)
              Files.readAllLines(log(), StandardCharsets.UTF_8).stream()
                  .filter(l -> l.startsWith(MARKER))
                  .count()
          : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  private List<String> sinceLastStart() {
    try {
      if (!Files.exists(log())) {
        return List.of();
      }
      List<String> all = Files.readAllLines(log(), StandardCharsets.UTF_8);
      int from = 0;
      for (int i = 0; i < all.size(); i++) {
        if (all.get(i).startsWith(MARKER)) {
          from = i;
        }
      }
      return all.subList(from, all.size());
    } catch (IOException e) {
      return List.of();
    }
  }

  private Path log() {
    return dir.resolve("server.log");
  }

  int port() {
    try {
      return Integer.parseInt(Files.readString(dir.resolve("port")).strip());
    } catch (IOException e) {
      throw new UncheckedIOException("no port recorded in " + dir, e);
    }
  }

  private static String quote(String value) {
    return "'" + value.replace("'", "''") + "'";
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
