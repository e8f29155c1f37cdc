package io.dbrecover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.postgres.EmbeddedCluster;
import io.dbrecover.postgres.internal.EmbeddedBinaries;
import io.dbrecover.postgres.testing.TestEnvironments;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Point-in-time recovery as an operator runs it: the packaged command in a subprocess against an
 * embedded PostgreSQL (provider postgres, {@code embedded: true}) with WAL archiving enabled by
 * {@code pitr enable} and a base backup by {@code backup --physical}. One cluster, archive and base
 * backup shared by all tests; each rollback starts its own restored server, stopped at the end. The
 * tests run in order because the last two change what later restores replay (a large stretch of
 * WAL, a gap in the archive).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PointInTimeCliIT {
  private static final Pattern RUN_ID = Pattern.compile("run-\\d{8}-\\d{6}-[0-9a-f]{4}");
  private static final Pattern WINDOW = Pattern.compile("Window:\\s+(\\S+) \\.\\. (\\S+)");
  private static final Pattern ARCHIVE = Pattern.compile("Archive:\\s+(\\S+)");

  private static Path work;
  private static CliProcess cli;
  private static DbUrl original;
  private static Path archive;
  private static final List<CliProcess.Result> outputs = new ArrayList<>();

  @BeforeAll
  static void setUp() throws Exception {
    // Not @TempDir (0700): under root the servers run as another user that must reach it.
    work = TestEnvironments.openTempDir("dbrecover-pitr-cli-");
    Files.writeString(
        work.resolve("dbrecover.yaml"),
        String.join(
            "\n",
            "environments:",
            "  prod:",
            "    protection: confirm",
            "    database: { provider: postgres, embedded: true }",
            "    backup-store: backups",
            "    url-target: { type: dotenv, path: app.env }",
            "    migrations: { tool: flyway }",
            "    jobs: 2",
            ""));
    // Each command would stop the embedded server it started; the tests read it in between.
    cli = new CliProcess(work).env("DBRECOVER_EMBEDDED_KEEP_RUNNING", "1");

    CliProcess.Result enable = ok("pitr", "enable", "prod");
    assertThat(enable.out()).contains("archive_mode:    on");
    original = embedded().url("app");
    Files.writeString(
        work.resolve("app.env"),
        "APP=shop\nDATABASE_URL=" + original.toSecretUri().reveal() + "\n");
    sql(
        original,
        "create table flyway_schema_history (installed_rank int primary key,"
            + " version varchar(50), description varchar(200) not null, type varchar(20) not null,"
            + " script varchar(1000) not null, checksum int, installed_by varchar(100) not null,"
            + " installed_on timestamp not null default now(), execution_time int not null,"
            + " success boolean not null)",
        "create table events (id int primary key, note text)",
        flywayRow(1, "1", "init"));
    insert(0, "before the base backup");

    CliProcess.Result base = ok("backup", "prod", "--physical", "--label", "first");
    assertThat(base.out()).contains("Base backup base-");
    insert(1, "after the base backup");
    CliProcess.Result status = switchAndAwaitArchive();
    assertThat(status.exit()).as(status.all()).isZero();
  }

  /** Isolates a test from an earlier one that failed before its swap-back. */
  @BeforeEach
  void pointDatabaseUrlAtTheOriginal() throws IOException {
    if (urlInDotenv().port() != original.port()) {
      Files.writeString(
          work.resolve("app.env"),
          "APP=shop\nDATABASE_URL=" + original.toSecretUri().reveal() + "\n");
    }
  }

  @AfterAll
  static void tearDown() throws Exception {
    try {
      assertThat(String.join("\n", outputs.stream().map(CliProcess.Result::all).toList()))
          .as("the superuser password appears in no output")
          .doesNotContain(original.password().orElseThrow().reveal());
    } finally {
      EmbeddedCluster cluster = embedded();
      Path pitr = work.resolve(".dbrecover/pitr");
      if (Files.isDirectory(pitr)) {
        try (Stream<Path> runs = Files.list(pitr)) {
          for (Path run : runs.toList()) {
            stopImmediately(cluster, run.resolve("data"));
          }
        }
      }
      stopImmediately(cluster, cluster.directory().resolve("data"));
      EmbeddedBinaries.deleteTree(work);
    }
  }

  @Test
  @Order(1)
  void rollbackAt_timeBetweenTwoCommits_swapsToACopyWithTheFirstNotTheSecond() throws Exception {
    insert(10, "first");
    Instant between = serverNow();
    Thread.sleep(5); // commit timestamps have microseconds; keep the second strictly later
    insert(11, "second");
    switchAndAwaitArchive();
    List<Integer> expected = idsWithout(original, 11);

    CliProcess.Result r = dbrecover("rollback", "prod", "--at", between.toString(), "--force");

    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.all()).contains("Target: " + between).contains("point-in-time restore");
    DbUrl restored = urlInDotenv();
    assertThat(restored.port()).isNotEqualTo(original.port());
    assertThat(ids(restored)).isEqualTo(expected).contains(0, 1, 10).doesNotContain(11);
    assertThat(ids(original)).as("the original keeps running untouched").contains(10, 11);
    assertThat(Files.readString(work.resolve("app.env"))).startsWith("APP=shop\n");
    swapBack(r);
  }

  @Test
  @Order(2)
  void rollbackAtLsn_positionBetweenTwoCommits_hasTheFirstNotTheSecond() throws Exception {
    insert(20, "first");
    String lsn = query(original, "select pg_current_wal_lsn()::text");
    insert(21, "second");
    switchAndAwaitArchive();
    List<Integer> expected = idsWithout(original, 21);

    CliProcess.Result r = dbrecover("rollback", "prod", "--at", "lsn:" + lsn, "--force");

    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.all()).contains(lsn);
    assertThat(ids(urlInDotenv())).isEqualTo(expected).contains(20).doesNotContain(21);
    assertThat(ids(original)).contains(20, 21);
    swapBack(r);
  }

  @Test
  @Order(3)
  void rollbackTo_migration_restoresTheSchemaFromJustBeforeItStarted() throws Exception {
    insert(30, "before the migration");
    // As Flyway applies a migration on PostgreSQL: the change and its history row (installed_on =
    // now(), the transaction's start) in one transaction.
    try (Connection c = connect(original);
        Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      st.execute("alter table events add column priority int");
      st.execute(flywayRow(2, "2", "add priority"));
      c.commit();
    }
    sql(original, "insert into events (id, note, priority) values (31, 'after', 1)");
    switchAndAwaitArchive();

    CliProcess.Result r = dbrecover("rollback", "prod", "--to", "V2__add_priority", "--force");

    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out()).contains("V2__add_priority");
    DbUrl restored = urlInDotenv();
    assertThat(columns(restored, "events")).containsExactly("id", "note");
    assertThat(ids(restored)).contains(0, 1, 10, 11, 30).doesNotContain(31);
    assertThat(
            query(
                restored,
                "select string_agg(version, ',' order by installed_rank) from"
                    + " flyway_schema_history"))
        .isEqualTo("1");
    assertThat(columns(original, "events")).containsExactly("id", "note", "priority");
    swapBack(r);
  }

  @Test
  @Order(4)
  void rollbackAt_beforeTheWindowOrInTheFuture_exits2WithTheWindowAndChangesNothing()
      throws Exception {
    String earliest = window()[0];
    String envBefore = Files.readString(work.resolve("app.env"));
    List<Path> restoresBefore = restores();
    List<Integer> idsBefore = ids(original);

    CliProcess.Result before =
        dbrecover(
            "rollback",
            "prod",
            "--at",
            Instant.parse(earliest).minusSeconds(3600).toString(),
            "--force");
    CliProcess.Result future =
        dbrecover(
            "rollback", "prod", "--at", Instant.now().plusSeconds(3600).toString(), "--force");

    assertThat(before.exit()).as(before.all()).isEqualTo(2);
    assertThat(before.all()).contains(earliest);
    assertThat(future.exit()).as(future.all()).isEqualTo(2);
    assertThat(future.all()).contains("in the future").contains(earliest);
    assertThat(Files.readString(work.resolve("app.env"))).isEqualTo(envBefore);
    assertThat(restores()).isEqualTo(restoresBefore);
    assertThat(ids(original)).isEqualTo(idsBefore);
  }

  @Test
  @Order(5)
  void resume_afterTheCliIsKilledDuringWalReplay_finishesWithTheSameContents() throws Exception {
    // A few hundred MB of WAL before the target, so the replay takes a while.
    sql(
        original,
        "create table bulk (id int, filler text)",
        "insert into bulk select g, lpad(g::text, 1000, md5(g::text)) from"
            + " generate_series(1, 250000) g",
        "drop table bulk");
    insert(60, "first");
    Instant between = serverNow();
    Thread.sleep(5);
    insert(61, "second");
    switchAndAwaitArchive();
    List<Integer> expected = idsWithout(original, 61);

    List<Path> earlier = restores();
    Process first = cli.start("rollback", "prod", "--at", between.toString(), "--force");
    CliProcess.drain(first.getInputStream());
    CliProcess.drain(first.getErrorStream());
    // Killed once the restored server has started replaying (its log says so); the postmaster
    // outlives the CLI and goes on replaying, and resume polls it.
    Path run = awaitReplay(first, earlier);
    first.destroyForcibly().waitFor(60, TimeUnit.SECONDS);
    String runId = run.getFileName().toString();
    String atKill =
        Files.readString(work.resolve(".dbrecover/runs").resolve(runId + "/journal.jsonl"));
    assertThat(atKill).doesNotContain("\"step\":\"AWAIT_RESTORE\",\"status\":\"done\"");

    CliProcess.Result resumed = dbrecover("resume", runId);

    assertThat(resumed.exit()).as(resumed.all()).isZero();
    assertThat(resumed.out()).contains("status: **DONE**");
    DbUrl restored = urlInDotenv();
    assertThat(restored.port())
        .isEqualTo(Integer.parseInt(Files.readString(run.resolve("port")).strip()));
    assertThat(ids(restored)).isEqualTo(expected).contains(60).doesNotContain(61);
    assertThat(ids(original)).contains(60, 61);
    swapBack(resumed);
  }

  @Test
  @Order(6)
  void brokenArchive_statusNamesTheMissingSegmentAndRollbackFailsWithExit4WhileTheOriginalServes()
      throws Exception {
    ok("backup", "prod", "--physical", "--label", "second");
    insert(70, "in the segment that goes missing");
    String missing = query(original, "select pg_walfile_name(pg_current_wal_lsn())");
    switchAndAwaitArchive();
    insert(71, "after the gap");
    Instant target = serverNow();
    Thread.sleep(5);
    insert(72, "later");
    switchAndAwaitArchive();
    String envBefore = Files.readString(work.resolve("app.env"));
    Path aside = work.resolve(missing + ".aside");
    Files.move(archive.resolve(missing), aside);
    try {
      CliProcess.Result status = dbrecover("pitr", "status", "prod");
      CliProcess.Result plan = dbrecover("plan", "prod", "--at", target.toString());
      CliProcess.Result r = dbrecover("rollback", "prod", "--at", target.toString(), "--force");

      assertThat(status.exit()).as(status.all()).isEqualTo(2);
      assertThat(status.out()).contains("missing segment " + missing);
      // The plan says so before anything runs; the restore then stops at the gap.
      assertThat(plan.all()).contains("missing segment " + missing);
      assertThat(r.exit()).as(r.all()).isEqualTo(4);
      assertThat(r.all())
          .contains("recovery ended before configured recovery target was reached")
          .contains("is missing segment " + missing + ", which the replay needed next")
          .contains("untouched");
      assertThat(Files.readString(work.resolve("app.env"))).isEqualTo(envBefore);
      assertThat(ids(original)).as("the original keeps serving").contains(70, 71, 72);
    } finally {
      Files.move(aside, archive.resolve(missing), StandardCopyOption.ATOMIC_MOVE);
    }
  }

  @Test
  @Order(7)
  void damagedArchivedSegment_restoreFailsWithExit4WhileTheOriginalServes() throws Exception {
    insert(80, "in the segment that gets damaged");
    String damaged = query(original, "select pg_walfile_name(pg_current_wal_lsn())");
    switchAndAwaitArchive();
    insert(81, "after the damage");
    Instant target = serverNow();
    Thread.sleep(5);
    insert(82, "later");
    switchAndAwaitArchive();
    String envBefore = Files.readString(work.resolve("app.env"));
    Path segment = archive.resolve(damaged);
    byte[] intact = Files.readAllBytes(segment);
    byte[] broken = intact.clone();
    // inside the first record after the page header: its checksum no longer matches
    for (int i = 64; i < 96; i++) {
      broken[i] = (byte) ~broken[i];
    }
    segment.toFile().setWritable(true);
    Files.write(segment, broken);
    try {
      CliProcess.Result status = dbrecover("pitr", "status", "prod");
      CliProcess.Result r = dbrecover("rollback", "prod", "--at", target.toString(), "--force");

      // the file names are all there, so the damage shows only when the restore replays it
      assertThat(status.exit()).as(status.all()).isZero();
      assertThat(r.exit()).as(r.all()).isEqualTo(4);
      assertThat(r.all())
          .contains("recovery ended before configured recovery target was reached")
          .contains("untouched");
      assertThat(Files.readString(work.resolve("app.env"))).isEqualTo(envBefore);
      assertThat(ids(original)).as("the original keeps serving").contains(80, 81, 82);
    } finally {
      Files.write(segment, intact);
    }
  }

  /**
   * After a rollback DATABASE_URL names the restored server, which later commands treat as the live
   * database: point it back at the original (archiving on) with swap-back.
   */
  private static void swapBack(CliProcess.Result rollback) throws IOException {
    Matcher m = RUN_ID.matcher(rollback.all());
    assertThat(m.find()).as(rollback.all()).isTrue();
    ok("swap-back", m.group());
    assertThat(urlInDotenv().port()).isEqualTo(original.port());
  }

  private static CliProcess.Result dbrecover(String... args) {
    CliProcess.Result r = cli.run(args);
    outputs.add(r);
    return r;
  }

  private static CliProcess.Result ok(String... args) {
    CliProcess.Result r = dbrecover(args);
    assertThat(r.exit()).as(r.all()).isZero();
    return r;
  }

  private static EmbeddedCluster embedded() {
    return EmbeddedCluster.at(work.resolve(".dbrecover/embedded"));
  }

  /** Closes the current WAL segment, waits until it is archived and returns `pitr status`. */
  private static CliProcess.Result switchAndAwaitArchive() throws Exception {
    String segment = query(original, "select pg_walfile_name(pg_switch_wal())");
    if (archive == null) {
      Matcher m = ARCHIVE.matcher(dbrecover("pitr", "status", "prod").out());
      assertThat(m.find()).isTrue();
      archive = Path.of(m.group(1));
    }
    Path file = archive.resolve(segment);
    long deadline = System.currentTimeMillis() + 120_000;
    while (!Files.exists(file) && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    assertThat(file).exists();
    return dbrecover("pitr", "status", "prod");
  }

  /** The window's edges as `pitr status` prints them. */
  private static String[] window() {
    CliProcess.Result status = ok("pitr", "status", "prod");
    Matcher m = WINDOW.matcher(status.out());
    assertThat(m.find()).as(status.out()).isTrue();
    return new String[] {m.group(1), m.group(2)};
  }

  /** Waits until a run's restored server is replaying WAL; returns the restore's directory. */
  private static Path awaitReplay(Process cliProcess, List<Path> earlier) throws Exception {
    Path pitr = work.resolve(".dbrecover/pitr");
    long deadline = System.currentTimeMillis() + 120_000;
    while (System.currentTimeMillis() < deadline && cliProcess.isAlive()) {
      for (Path run : restores()) {
        if (earlier.contains(run)) {
          continue;
        }
        Path log = run.resolve("server.log");
        if (Files.exists(log) && Files.readString(log).contains("redo starts at")) {
          return run;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the restored server never started replaying WAL in " + pitr);
  }

  private static List<Path> restores() throws IOException {
    Path pitr = work.resolve(".dbrecover/pitr");
    if (!Files.isDirectory(pitr)) {
      return List.of();
    }
    try (Stream<Path> runs = Files.list(pitr)) {
      return runs.filter(p -> RUN_ID.matcher(p.getFileName().toString()).matches())
          .sorted()
          .toList();
    }
  }

  private static void stopImmediately(EmbeddedCluster cluster, Path dataDir) throws Exception {
    if (!Files.exists(dataDir.resolve("postmaster.pid"))) {
      return;
    }
    List<String> cmd =
        cluster
            .runAs()
            .command(
                List.of(
                    cluster.binDir().resolve("pg_ctl").toString(),
                    "stop",
                    "-m",
                    "immediate",
                    "-D",
                    dataDir.toString()));
    new ProcessBuilder(cmd).redirectErrorStream(true).start().waitFor(60, TimeUnit.SECONDS);
  }

  private static DbUrl urlInDotenv() throws IOException {
    String line =
        Files.readAllLines(work.resolve("app.env")).stream()
            .filter(l -> l.startsWith("DATABASE_URL="))
            .findFirst()
            .orElseThrow();
    return DbUrl.parse(line.substring("DATABASE_URL=".length()).replace("\"", "").replace("'", ""));
  }

  private static String flywayRow(int rank, String version, String description) {
    return "insert into flyway_schema_history (installed_rank, version, description, type, script,"
        + " checksum, installed_by, execution_time, success) values ("
        + rank
        + ", '"
        + version
        + "', '"
        + description
        + "', 'SQL', 'V"
        + version
        + "__"
        + description.replace(' ', '_')
        + ".sql', 0, 'app', 1, true)";
  }

  private static void insert(int id, String note) throws SQLException {
    sql(original, "insert into events (id, note) values (" + id + ", '" + note + "')");
  }

  private static Connection connect(DbUrl url) throws SQLException {
    return DriverManager.getConnection(
        url.jdbcUrl(), url.user().orElseThrow(), url.password().orElseThrow().reveal());
  }

  private static void sql(DbUrl url, String... statements) throws SQLException {
    try (Connection c = connect(url);
        Statement st = c.createStatement()) {
      for (String s : statements) {
        st.execute(s);
      }
    }
  }

  private static Instant serverNow() throws SQLException {
    try (Connection c = connect(original);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select clock_timestamp()")) {
      rs.next();
      return rs.getObject(1, OffsetDateTime.class).toInstant();
    }
  }

  private static String query(DbUrl url, String q) throws SQLException {
    try (Connection c = connect(url);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(q)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static List<String> columns(DbUrl url, String table) throws SQLException {
    List<String> cols = new ArrayList<>();
    try (Connection c = connect(url);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "select column_name from information_schema.columns where table_name = '"
                    + table
                    + "' order by ordinal_position")) {
      while (rs.next()) {
        cols.add(rs.getString(1));
      }
    }
    return cols;
  }

  private static List<Integer> ids(DbUrl url) throws SQLException {
    List<Integer> ids = new ArrayList<>();
    try (Connection c = connect(url);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select id from events order by id")) {
      while (rs.next()) {
        ids.add(rs.getInt(1));
      }
    }
    return ids;
  }

  private static List<Integer> idsWithout(DbUrl url, int id) throws SQLException {
    List<Integer> ids = ids(url);
    ids.remove(Integer.valueOf(id));
    return ids;
  }
}
