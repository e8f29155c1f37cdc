package io.dbrecover.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbrecover.engine.api.ArchivingStatus;
import io.dbrecover.engine.api.BackupCheck;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.Method;
import io.dbrecover.engine.api.RecoveryPoint;
import io.dbrecover.engine.spi.BackupRequest;
import io.dbrecover.engine.spi.Capabilities;
import io.dbrecover.engine.spi.ProviderContext;
import io.dbrecover.engine.spi.RestoreRequest;
import io.dbrecover.engine.spi.RestoreStatus;
import io.dbrecover.postgres.internal.BaseBackupMetadata;
import io.dbrecover.postgres.internal.EmbeddedBinaries;
import io.dbrecover.postgres.internal.Exec;
import io.dbrecover.postgres.internal.Jdbc;
import io.dbrecover.postgres.testing.SampleSchema;
import io.dbrecover.postgres.testing.TestEnvironments;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Point-in-time recovery on a real embedded cluster (the embedded default environment) with the
 * machine's pg_basebackup: one cluster and one base backup shared by all tests, each restore in its
 * own directory.
 */
class PointInTimeRecoveryIT {
  private static final Duration RESTORE_TIMEOUT = Duration.ofMinutes(2);

  private static Path root;
  private static PostgresProvider provider;
  private static ProviderContext ctx;
  private static DbUrl url;
  private static ArchivingStatus enabled;
  private static RecoveryPoint base;

  @BeforeAll
  static void setUp() throws Exception {
    root = TestEnvironments.openTempDir("dbrecover-pitr-it-");
    EnvironmentConfig env = TestEnvironments.embedded("pitr", "app", root.resolve("backups"));
    provider = new PostgresProvider(System.getenv());
    url = provider.configuredUrl(env, root.resolve("state"));
    ctx = new ProviderContext(env, url, root.resolve("state"), Clock.systemUTC(), null);
    enabled = provider.enableArchiving(ctx, true);
    SampleSchema.run(url, "create table events (id int primary key, note text)");
    insert(0, "before the base backup");
    base = provider.backup(ctx, new BackupRequest(null, false, null, true));
    insert(1, "after the base backup");
    switchAndAwaitArchive();
  }

  @AfterAll
  static void tearDown() throws IOException {
    EmbeddedCluster cluster = EmbeddedCluster.at(root.resolve("state").resolve("embedded"));
    Path pitr = root.resolve("state").resolve("pitr");
    if (Files.isDirectory(pitr)) {
      try (Stream<Path> runs = Files.list(pitr)) {
        for (Path run : (Iterable<Path>) runs::iterator) {
          stopRestored(cluster, run);
        }
      }
    }
    cluster.stop();
    EmbeddedBinaries.deleteTree(root);
  }

  @Test
  void enableArchiving_embeddedCluster_setsArchivingAndRestartsIt() {
    assertThat(enabled.walLevel()).isEqualTo("replica");
    assertThat(enabled.archiveMode()).isEqualTo("on");
    assertThat(enabled.archiveCommand()).contains(provider.archiveDir(ctx).toString());
    assertThat(enabled.pendingRestart()).isFalse();

    ArchivingStatus again = provider.enableArchiving(ctx, true);

    assertThat(again.archiveCommand()).isEqualTo(enabled.archiveCommand());
    assertThat(again.archivedCount()).isPositive();
    assertThat(again.problems()).isEmpty();
  }

  @Test
  void archivingStatus_afterBaseBackupAndSwitch_windowFromBackupEndToNewestArchivedWal()
      throws Exception {
    ArchivingStatus status = provider.archivingStatus(ctx);

    assertThat(status.healthy()).as("problems: %s", status.problems()).isTrue();
    assertThat(status.baseBackups()).isEqualTo(1);
    assertThat(status.lastArchivedWal()).isNotNull();
    assertThat(Files.exists(provider.archiveDir(ctx).resolve(status.lastArchivedWal()))).isTrue();
    assertThat(status.window().earliest()).isEqualTo(base.takenAt());
    assertThat(status.window().latest()).isAfterOrEqualTo(status.lastArchivedAt());
    Capabilities caps = provider.capabilities(ctx);
    assertThat(caps.offers(Method.POINT_IN_TIME)).isTrue();
    assertThat(caps.historyWindow().earliest()).isEqualTo(base.takenAt());
  }

  @Test
  void backup_physical_recordsLsnsTimelineAndChecksumsAndVerifies() throws Exception {
    BaseBackupMetadata meta = BaseBackupMetadata.read(Path.of(base.location()));

    assertThat(base.kind()).isEqualTo(RecoveryPoint.Kind.BASE_BACKUP);
    assertThat(base.id()).startsWith("base-");
    assertThat(provider.recoveryPoints(ctx)).extracting(RecoveryPoint::id).contains(base.id());
    assertThat(meta.timeline()).isEqualTo(1);
    assertThat(meta.startLsn()).matches("[0-9A-F]+/[0-9A-F]+");
    assertThat(io.dbrecover.postgres.internal.Wal.lsn(meta.stopLsn()))
        .isGreaterThanOrEqualTo(io.dbrecover.postgres.internal.Wal.lsn(meta.startLsn()));
    assertThat(meta.files()).containsKey("data/PG_VERSION").containsKey("data/backup_manifest");
    assertThat(meta.stoppedAt()).isAfterOrEqualTo(meta.startedAt());
    BackupCheck check = provider.verifyBackup(ctx, base.id(), false);
    assertThat(check.passed()).as("%s", check.checks()).isTrue();
    assertThat(check.checks())
        .anySatisfy(
            i -> {
              assertThat(i.name()).isEqualTo("pg_verifybackup");
              assertThat(i.detail()).isEqualTo("manifest and WAL verified");
            });
  }

  @Test
  void startRestore_timeBetweenTwoCommits_hasFirstNotSecond() throws Exception {
    insert(10, "first");
    Instant between = serverNow();
    Thread.sleep(5); // commit timestamps have microseconds; keep the second strictly later
    insert(11, "second");
    switchAndAwaitArchive();

    DbUrl restored =
        awaitDone(
            provider,
            new RestoreRequest(
                "run-time",
                RecoveryPoint.at(between, RecoveryPoint.Kind.POINT_IN_TIME),
                "x",
                false));

    assertThat(ids(restored)).contains(0, 1, 10).doesNotContain(11);
    assertThat(restored.port()).isNotEqualTo(url.port());
    assertThat(ids(url)).contains(10, 11);
    // The copy replayed without fsync; once done it is flushed and runs with fsync on.
    Path run = root.resolve("state").resolve("pitr").resolve("run-time");
    assertThat(query(restored, "show fsync")).isEqualTo("on");
    assertThat(Files.readString(run.resolve("data").resolve("postgresql.auto.conf")))
        .contains("fsync = 'on'")
        .doesNotContain("fsync = 'off'");
    assertThat(run.resolve("unsynced")).doesNotExist();
  }

  @Test
  void pollRestore_machineRestartedBeforeTheCopyWasFlushed_copiesAndReplaysItAgain()
      throws Exception {
    RestoreRequest request = betweenTwoCommits(70, 71, "run-reboot");
    provider.startRestore(ctx, request);
    Path run = root.resolve("state").resolve("pitr").resolve("run-reboot");
    stopRestored(EmbeddedCluster.at(root.resolve("state").resolve("embedded")), run);
    // As after a reboot: the copy had not been flushed yet when the machine started again.
    Path marker = run.resolve("unsynced");
    Files.writeString(marker, "1970-01-01T00:00:00Z\n");
    Files.setLastModifiedTime(marker, java.nio.file.attribute.FileTime.fromMillis(0));
    Files.writeString(run.resolve("data").resolve("torn"), "left by the first copy");
    List<String> progress = new java.util.concurrent.CopyOnWriteArrayList<>();
    ProviderContext watched =
        new ProviderContext(
            ctx.environment(), url, root.resolve("state"), Clock.systemUTC(), progress::add);

    DbUrl restored = awaitDone(new PostgresProvider(System.getenv()), request, watched);

    assertThat(progress)
        .anyMatch(m -> m.contains("the machine restarted before the restored copy"));
    assertThat(run.resolve("data").resolve("torn")).doesNotExist(); // a new copy
    assertThat(ids(restored)).contains(70).doesNotContain(71);
    assertThat(marker).doesNotExist();
  }

  @Test
  void startRestore_targetAfterTheArchivesLastCommit_replaysTheArchiveToItsEnd() throws Exception {
    insert(50, "archived");
    switchAndAwaitArchive();
    Instant target = serverNow();
    insert(51, "committed after the target, in a segment not archived yet");

    DbUrl restored =
        awaitDone(
            provider,
            new RestoreRequest(
                "run-end", RecoveryPoint.at(target, RecoveryPoint.Kind.POINT_IN_TIME), "x", false));

    assertThat(ids(restored)).contains(0, 1, 50).doesNotContain(51);
    assertThat(root.resolve("state/pitr/run-end/recover-to-end")).exists();
  }

  @Test
  void restore_damagedBaseBackup_failsBeforeAnyServerStarts() throws Exception {
    Path data = Path.of(base.location()).resolve("data");
    Path file;
    try (Stream<Path> files = Files.walk(data.resolve("base"))) {
      file =
          files
              .filter(Files::isRegularFile)
              .filter(p -> p.toFile().length() > 8192)
              .findFirst()
              .orElseThrow();
    }
    byte[] intact = Files.readAllBytes(file);
    byte[] broken = intact.clone();
    broken[4096] = (byte) ~broken[4096];
    Files.write(file, broken);
    try {
      RestoreRequest request = toNow("run-damaged");

      // Every file is checked against the manifest as it is copied.
      RestoreStatus s = provider.startRestore(ctx, request);
      assertThat(s).isInstanceOf(RestoreStatus.Failed.class);
      assertThat(((RestoreStatus.Failed) s).reason())
          .contains("failed its check against its manifest")
          .contains(data.relativize(file) + " has a different CRC32C checksum than recorded")
          .contains("no server was started, nothing was changed")
          .contains("dbrecover verify-backup");
      assertThat(root.resolve("state/pitr/run-damaged")).doesNotExist();
      assertThat(ids(url)).contains(0, 1); // the original serves as before
    } finally {
      Files.write(file, intact);
    }
  }

  @Test
  void restore_modifiedManifest_isNotTrusted() throws Exception {
    Path manifest = Path.of(base.location()).resolve("data").resolve("backup_manifest");
    String intact = Files.readString(manifest);
    // A manifest that would vouch for a changed file: it no longer matches its recorded sha256.
    Files.writeString(
        manifest, intact.replaceFirst("\"Checksum\": \"[0-9a-f]+\"", "\"Checksum\": \"00000000\""));
    try {
      RestoreRequest request = toNow("run-manifest");

      RestoreStatus s = provider.startRestore(ctx, request);
      assertThat(s).isInstanceOf(RestoreStatus.Failed.class);
      assertThat(((RestoreStatus.Failed) s).reason())
          .contains("backup_manifest has a different sha256 than recorded");
      assertThat(root.resolve("state/pitr/run-manifest")).doesNotExist();
    } finally {
      Files.writeString(manifest, intact);
    }
  }

  @Test
  void restoreFilesAndMetadata_neverHoldThePassword() throws Exception {
    String password = url.password().orElseThrow().reveal();
    Path run = root.resolve("state").resolve("pitr").resolve("run-secret");
    awaitDone(provider, new RestoreRequest("run-secret", base, "x", false));

    assertThat(Files.readString(run.resolve("data/postgresql.auto.conf")))
        .contains("restore_command")
        .doesNotContain(password);
    assertThat(Files.readString(run.resolve("server.log"))).doesNotContain(password);
    assertThat(Files.readString(Path.of(base.location()).resolve("metadata.json")))
        .doesNotContain(password);
  }

  @Test
  void startRestore_lsnBetweenTwoCommits_hasFirstNotSecond() throws Exception {
    insert(20, "first");
    String lsn = query(url, "select pg_current_wal_lsn()::text");
    insert(21, "second");
    switchAndAwaitArchive();

    DbUrl restored =
        awaitDone(
            provider,
            new RestoreRequest("run-lsn", RecoveryPoint.atLsn(lsn, Instant.now()), "x", false));

    assertThat(ids(restored)).contains(20).doesNotContain(21);
  }

  @Test
  void pollRestore_newProviderAfterCrash_startsTheStoppedServerAgainAndFinishes() throws Exception {
    RestoreRequest request = betweenTwoCommits(30, 31, "run-crash");
    provider.startRestore(ctx, request);
    // dbrecover and the restored postmaster both die, wherever replay stood
    stopRestored(
        EmbeddedCluster.at(root.resolve("state").resolve("embedded")),
        root.resolve("state").resolve("pitr").resolve("run-crash"));

    DbUrl restored = awaitDone(new PostgresProvider(System.getenv()), request);

    Path run = root.resolve("state").resolve("pitr").resolve("run-crash");
    assertThat(ids(restored))
        .as("server log:%n%s", Files.readString(run.resolve("server.log")))
        .contains(30)
        .doesNotContain(31);
    assertThat(provider.startRestore(ctx, request)).isInstanceOf(RestoreStatus.Done.class);
  }

  /**
   * The window the crash test above hits only by chance: the server has chosen its new timeline
   * (and removed recovery.signal) but has not finished the end-of-recovery checkpoint. Holding the
   * checkpointer (SIGSTOP) keeps the server in that window; then everything is killed. Started as
   * it is, crash recovery would replay the old timeline past the target.
   */
  @Test
  void pollRestore_crashWhilePromoting_replaysToTheTargetAgainNotPastIt() throws Exception {
    // Enough WAL before the target that the checkpointer is found before the replay ends.
    SampleSchema.run(
        url,
        "create table if not exists bulk (x int); insert into bulk select generate_series(1, 600000)");
    insert(60, "first");
    Instant between = serverNow();
    Thread.sleep(5);
    insert(61, "second");
    switchAndAwaitArchive();
    RestoreRequest request =
        new RestoreRequest(
            "run-promote-crash",
            RecoveryPoint.at(between, RecoveryPoint.Kind.POINT_IN_TIME),
            "x",
            false);
    Path run = root.resolve("state").resolve("pitr").resolve("run-promote-crash");
    java.util.concurrent.CompletableFuture<RestoreStatus> started =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> provider.startRestore(ctx, request));

    long postmaster = awaitPostmaster(run.resolve("data"));
    long checkpointer = awaitChild(postmaster, "checkpointer");
    signal("STOP", checkpointer);
    String log = awaitLog(run.resolve("server.log"), "archive recovery complete");
    org.junit.jupiter.api.Assumptions.assumeFalse(
        log.contains("database system is ready to accept connections"),
        "the promotion finished before the checkpointer was held");
    // The postmaster first, so that it cannot restart its children after a crash of one of them.
    List<Long> children = children(postmaster);
    signal("KILL", postmaster);
    for (long pid : children) {
      signal("KILL", pid);
    }
    started.get(2, java.util.concurrent.TimeUnit.MINUTES);

    DbUrl restored = awaitDone(new PostgresProvider(System.getenv()), request);

    assertThat(ids(restored))
        .as("server log:%n%s", Files.readString(run.resolve("server.log")))
        .contains(60)
        .doesNotContain(61);
    assertThat(Files.readString(run.resolve("server.log")))
        .containsPattern("selected new timeline ID: [3-9]");
  }

  private static long awaitPostmaster(Path data) throws Exception {
    Path pid = data.resolve("postmaster.pid");
    Instant deadline = Instant.now().plusSeconds(60);
    while (Instant.now().isBefore(deadline)) {
      if (Files.exists(pid)) {
        String first = Files.readAllLines(pid).stream().findFirst().orElse("").strip();
        if (!first.isEmpty()) {
          return Long.parseLong(first);
        }
      }
      Thread.sleep(2);
    }
    throw new AssertionError("no postmaster.pid in " + data);
  }

  private static long awaitChild(long parent, String title) throws Exception {
    Instant deadline = Instant.now().plusSeconds(30);
    while (Instant.now().isBefore(deadline)) {
      for (long pid : children(parent)) {
        String cmdline = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"));
        if (cmdline.contains(title)) {
          return pid;
        }
      }
      Thread.sleep(2);
    }
    throw new AssertionError("no " + title + " below postmaster " + parent);
  }

  private static List<Long> children(long parent) {
    return ProcessHandle.of(parent).stream()
        .flatMap(ProcessHandle::children)
        .map(ProcessHandle::pid)
        .toList();
  }

  private static void signal(String name, long pid) throws Exception {
    new ProcessBuilder("kill", "-" + name, Long.toString(pid)).start().waitFor();
  }

  private static String awaitLog(Path log, String line) throws Exception {
    Instant deadline = Instant.now().plusSeconds(60);
    while (Instant.now().isBefore(deadline)) {
      String text = Files.exists(log) ? Files.readString(log) : "";
      if (text.contains(line) || text.contains("ready to accept connections")) {
        return text;
      }
      Thread.sleep(5);
    }
    throw new AssertionError("the restored server's log never said: " + line);
  }

  @Test
  void missingArchivedSegment_statusNamesItAndRestoreFailsWhileOriginalServes() throws Exception {
    insert(40, "in the segment that goes missing");
    String missing = query(url, "select pg_walfile_name(pg_current_wal_lsn())");
    switchAndAwaitArchive();
    insert(41, "after the gap");
    Instant target = serverNow();
    insert(42, "later");
    switchAndAwaitArchive();
    Path archived = provider.archiveDir(ctx).resolve(missing);
    Path aside = root.resolve(missing + ".aside");
    Files.move(archived, aside);
    try {
      ArchivingStatus status = provider.archivingStatus(ctx);
      RestoreStatus result =
          awaitEnd(
              provider,
              new RestoreRequest(
                  "run-gap",
                  RecoveryPoint.at(target, RecoveryPoint.Kind.POINT_IN_TIME),
                  "x",
                  false));

      assertThat(status.healthy()).isFalse();
      assertThat(status.problems())
          .anySatisfy(p -> assertThat(p).contains("missing segment " + missing));
      assertThat(status.missingSegments()).containsExactly(missing);
      assertThat(provider.capabilities(ctx).offers(Method.POINT_IN_TIME)).isTrue();
      assertThat(provider.capabilities(ctx).notes())
          .anySatisfy(n -> assertThat(n).contains("missing segment " + missing));
      assertThat(result).isInstanceOf(RestoreStatus.Failed.class);
      assertThat(((RestoreStatus.Failed) result).reason())
          .contains("recovery ended before configured recovery target was reached")
          .contains("is missing segment " + missing + ", which the replay needed next")
          .contains("the original database was not touched");
      assertThat(ids(url)).contains(40, 41, 42);
    } finally {
      Files.move(aside, archived, StandardCopyOption.ATOMIC_MOVE);
    }
  }

  private static DbUrl awaitDone(PostgresProvider p, RestoreRequest request) throws Exception {
    return awaitDone(p, request, ctx);
  }

  private static DbUrl awaitDone(PostgresProvider p, RestoreRequest request, ProviderContext c)
      throws Exception {
    RestoreStatus s = awaitEnd(p, request, c);
    assertThat(s).as("%s", s).isInstanceOf(RestoreStatus.Done.class);
    return ((RestoreStatus.Done) s).url();
  }

  private static RestoreStatus awaitEnd(PostgresProvider p, RestoreRequest request)
      throws Exception {
    return awaitEnd(p, request, ctx);
  }

  private static RestoreStatus awaitEnd(
      PostgresProvider p, RestoreRequest request, ProviderContext c) throws Exception {
    RestoreStatus s = p.startRestore(c, request);
    Instant deadline = Instant.now().plus(RESTORE_TIMEOUT);
    while (s instanceof RestoreStatus.Running && Instant.now().isBefore(deadline)) {
      Thread.sleep(200);
      s = p.pollRestore(c, request);
    }
    return s;
  }

  /**
   * Commits row {@code first}, then row {@code second}, archives both; a restore to a moment
   * between them.
   */
  private static RestoreRequest betweenTwoCommits(int first, int second, String runId)
      throws Exception {
    insert(first, "first");
    Instant between = serverNow();
    Thread.sleep(5); // commit timestamps have microseconds; keep the second strictly later
    insert(second, "second");
    switchAndAwaitArchive();
    return new RestoreRequest(
        runId, RecoveryPoint.at(between, RecoveryPoint.Kind.POINT_IN_TIME), "x", false);
  }

  /** A restore to the current moment, side by side. */
  private static RestoreRequest toNow(String runId) throws SQLException {
    return new RestoreRequest(
        runId, RecoveryPoint.at(serverNow(), RecoveryPoint.Kind.POINT_IN_TIME), "x", false);
  }

  private static void stopRestored(EmbeddedCluster cluster, Path run) {
    List<String> cmd = new ArrayList<>();
    cmd.add(cluster.binDir().resolve("pg_ctl").toString());
    cmd.addAll(List.of("stop", "-m", "immediate", "-D", run.resolve("data").toString()));
    Exec.run(cluster.runAs().command(cmd), Map.of(), Duration.ofSeconds(60));
  }

  private static void insert(int id, String note) {
    SampleSchema.run(url, "insert into events values (" + id + ", " + Jdbc.literal(note) + ")");
  }

  private static void switchAndAwaitArchive() throws Exception {
    String segment = query(url, "select pg_walfile_name(pg_switch_wal())");
    Path file = provider.archiveDir(ctx).resolve(segment);
    Instant deadline = Instant.now().plusSeconds(60);
    while (!Files.exists(file) && Instant.now().isBefore(deadline)) {
      Thread.sleep(50);
    }
    assertThat(file).exists();
  }

  private static Instant serverNow() throws SQLException {
    try (Connection c = Jdbc.connect(url);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select clock_timestamp()")) {
      rs.next();
      return rs.getObject(1, java.time.OffsetDateTime.class).toInstant();
    }
  }

  private static String query(DbUrl db, String sql) throws SQLException {
    try (Connection c = Jdbc.connect(db);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static List<Integer> ids(DbUrl db) throws SQLException {
    List<Integer> ids = new ArrayList<>();
    try (Connection c = Jdbc.connect(db);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select id from events order by id")) {
      while (rs.next()) {
        ids.add(rs.getInt(1));
      }
    }
    return ids;
  }
}
