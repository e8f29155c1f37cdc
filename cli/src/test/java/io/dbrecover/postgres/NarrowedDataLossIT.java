package io.dbrecover.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbrecover.engine.api.DataLossReport;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.RecoveryPoint;
import io.dbrecover.engine.internal.DataLossAnalyzer;
import io.dbrecover.engine.internal.LiveSnapshot;
import io.dbrecover.engine.spi.BackupRequest;
import io.dbrecover.engine.spi.ChangedBlocks;
import io.dbrecover.engine.spi.ProviderContext;
import io.dbrecover.engine.spi.RestoreRequest;
import io.dbrecover.engine.spi.RestoreStatus;
import io.dbrecover.postgres.internal.EmbeddedBinaries;
import io.dbrecover.postgres.internal.Exec;
import io.dbrecover.postgres.internal.Jdbc;
import io.dbrecover.postgres.testing.SampleSchema;
import io.dbrecover.postgres.testing.TestEnvironments;
import java.io.IOException;
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
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The data-loss report narrowed by the write-ahead log equals the full row-by-row comparison, on a
 * real embedded cluster: each test writes before an LSN target, changes the live database after it,
 * restores to the target and compares both ways. Where narrowing cannot be proven (truncate, DDL, a
 * new table, a transaction older than the last running-transactions record) the provider says so
 * and the comparison is the full one.
 *
 * <p>Here, beside the CLI, because it drives the engine's comparison and the postgres provider
 * together (providers do not see the engine's internals).
 */
class NarrowedDataLossIT {
  private static final Duration RESTORE_TIMEOUT = Duration.ofMinutes(2);

  private static Path root;
  private static PostgresProvider provider;
  private static ProviderContext ctx;
  private static DbUrl url;
  private static int runs;

  @BeforeAll
  static void setUp() throws Exception {
    root = TestEnvironments.openTempDir("dbrecover-narrowed-it-");
    EnvironmentConfig env = TestEnvironments.embedded("narrowed", "app", root.resolve("backups"));
    provider = new PostgresProvider(System.getenv());
    url = provider.configuredUrl(env, root.resolve("state"));
    ctx = new ProviderContext(env, url, root.resolve("state"), Clock.systemUTC(), null);
    provider.enableArchiving(ctx, true);
    SampleSchema.run(
        url,
        "create table accounts (id int primary key, balance int not null, note text);"
            + " insert into accounts select g, g % 100, repeat('x', 50) from generate_series(1,"
            + " 20000) g;"
            + " create table docs (id bigint primary key, body text);"
            + " insert into docs select g, repeat(md5(g::text), 400) from generate_series(1, 20) g;"
            + " create table nokey (a int, b text);"
            + " insert into nokey select g, 'n' || g from generate_series(1, 3000) g;"
            + " create table quiet (id int primary key, v text);"
            + " insert into quiet select g, 'q' || g from generate_series(1, 500) g;"
            + " create table pair (a int, b int, v text, primary key (a, b));"
            + " insert into pair select g, g, 'p' from generate_series(1, 500) g;"
            + " create unlogged table scratch (id int primary key, v text);"
            + " insert into scratch values (1, 'one')");
    provider.backup(ctx, new BackupRequest(null, false, null, true));
    switchAndAwaitArchive();
  }

  @AfterAll
  static void tearDown() throws IOException {
    EmbeddedCluster cluster = EmbeddedCluster.at(root.resolve("state").resolve("embedded"));
    Path pitr = root.resolve("state").resolve("pitr");
    if (Files.isDirectory(pitr)) {
      try (Stream<Path> dirs = Files.list(pitr)) {
        for (Path run : (Iterable<Path>) dirs::iterator) {
          List<String> cmd = new ArrayList<>();
          cmd.add(cluster.binDir().resolve("pg_ctl").toString());
          cmd.addAll(List.of("stop", "-m", "immediate", "-D", run.resolve("data").toString()));
          Exec.run(cluster.runAs().command(cmd), Map.of(), Duration.ofSeconds(60));
        }
      }
    }
    cluster.stop();
    EmbeddedBinaries.deleteTree(root);
  }

  @Test
  void compare_insertUpdateDeleteAfterTarget_narrowedEqualsFull() throws Exception {
    Result r =
        afterTarget(
            "insert into accounts values (30001, 1, 'new'), (30002, 2, 'new');"
                + " update accounts set balance = balance + 1 where id in (5, 7000, 19999);"
                + " update accounts set note = 'hot' where id = 12;"
                + " delete from accounts where id in (100, 15000);"
                + " insert into nokey values (-1, 'after'); delete from nokey where a = 3;"
                + " update pair set v = 'changed' where a = 3;"
                + " update docs set body = 'short' where id = 2");

    assertThat(r.changed().known()).as(r.changed().detail()).isTrue();
    assertThat(r.changed().touched("public.quiet")).isFalse();
    assertThat(r.narrowed().tables()).isEqualTo(r.full().tables());
    assertThat(r.full().totalLost()).isPositive();
  }

  @Test
  void compare_changesAfterATargetTime_foreseenStopGivesTheSameAnswer() throws Exception {
    Instant target = serverNow();
    SampleSchema.run(
        url,
        "insert into accounts values (30101, 1, 'after the time');"
            + " update accounts set balance = balance + 2 where id in (6, 7001);"
            + " delete from accounts where id = 101;"
            + " update pair set v = 'after the time' where a = 4");

    Result r = restoreAndCompare(RecoveryPoint.at(target, RecoveryPoint.Kind.POINT_IN_TIME));

    assertThat(r.changed().known()).as(r.changed().detail()).isTrue();
    assertThat(r.narrowed().tables()).isEqualTo(r.full().tables());
    assertThat(r.full().totalLost()).isPositive();
  }

  @Test
  void compare_transactionInFlightAtATargetTime_foreseenStopCountsItsEarlierChanges()
      throws Exception {
    Instant target;
    try (Connection c = Jdbc.connect(url)) {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        st.execute("insert into pair values (9101, 9101, 'in flight at the time')");
      }
      target = serverNow();
      SampleSchema.run(url, "update accounts set balance = balance + 3 where id = 8");
      c.commit();
    }

    Result r = restoreAndCompare(RecoveryPoint.at(target, RecoveryPoint.Kind.POINT_IN_TIME));

    assertThat(r.changed().known()).as(r.changed().detail()).isTrue();
    assertThat(r.narrowed().tables()).isEqualTo(r.full().tables());
    assertThat(table(r.full(), "public.pair").lostRows()).isEqualTo(1);
  }

  private static Instant serverNow() throws SQLException {
    return Instant.parse(
        query(
            "select to_char(clock_timestamp() at time zone 'UTC',"
                + " 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"));
  }

  @Test
  void compare_vacuumAfterTarget_narrowedEqualsFull() throws Exception {
    String lsn = query("select pg_current_wal_lsn()::text");
    SampleSchema.run(
        url,
        "update accounts set balance = balance + 2 where id between 10000 and 10500;"
            + " delete from accounts where id between 11000 and 11200");
    SampleSchema.run(url, "vacuum freeze accounts");
    Result r = restoreAndCompare(lsn);

    assertThat(r.changed().known()).as(r.changed().detail()).isTrue();
    assertThat(r.narrowed().tables()).isEqualTo(r.full().tables());
    assertThat(table(r.full(), "public.accounts").addedRows()).isEqualTo(201);
  }

  @Test
  void compare_nothingAfterTarget_noLossAndEveryLoggedTableUnchanged() throws Exception {
    Result r = afterTarget("select 1");

    assertThat(r.changed().known()).as(r.changed().detail()).isTrue();
    assertThat(r.changed().blocks()).isEmpty();
    assertThat(r.narrowed().tables()).isEqualTo(r.full().tables());
    assertThat(r.narrowed().method()).contains("narrowed");
  }

  @Test
  void compare_unloggedTableChangedAfterTarget_comparedWhole() throws Exception {
    Result r = afterTarget("insert into scratch values (2, 'two')");

    assertThat(r.changed().whole()).contains("public.scratch");
    assertThat(r.narrowed().tables()).isEqualTo(r.full().tables());
  }

  @Test
  void compare_transactionInFlightAtTarget_itsEarlierChangesCount() throws Exception {
    Result r =
        withInFlight(
            // an insert leaves nothing to prune: only the WAL before the target shows it
            "insert into pair values (9001, 9001, 'in flight');"
                + " update accounts set balance = -1 where id between 2000 and 2100;"
                + " insert into accounts values (40000, 4, 'in flight');"
                + " delete from accounts where id = 3000;"
                + " savepoint s; update quiet set v = 'sub' where id = 9; release savepoint s",
            "insert into accounts values (40001, 5, 'after')",
            true);

    assertThat(r.changed().known()).as(r.changed().detail()).isTrue();
    assertThat(r.changed().touched("public.quiet")).isTrue();
    assertThat(r.narrowed().tables()).isEqualTo(r.full().tables());
    assertThat(table(r.full(), "public.quiet").changedRows()).isEqualTo(1);
    assertThat(table(r.full(), "public.pair").lostRows()).isEqualTo(1);
  }

  @Test
  void compare_transactionOlderThanLastRunningXacts_fullComparison() throws Exception {
    Result r =
        withInFlight(
            "update quiet set v = 'old' where id = 11",
            "insert into accounts values (40002, 5, 'after')",
            false);

    assertThat(r.narrowed().tables()).isEqualTo(r.full().tables());
    assertThat(table(r.full(), "public.quiet").changedRows()).isEqualTo(1);
  }

  @Test
  void compare_truncateAfterTarget_fullComparison() throws Exception {
    Result r = afterTarget("create table t_trunc (id int primary key); truncate quiet");

    assertThat(r.changed().known()).isFalse();
    assertThat(r.narrowed().tables()).isEqualTo(r.full().tables());
    assertThat(r.narrowed().method()).contains("every table");
    SampleSchema.run(url, "insert into quiet select g, 'q' || g from generate_series(1, 500) g");
  }

  @Test
  void compare_newTableAfterTarget_fullComparison() throws Exception {
    Result r = afterTarget("create table added (id int primary key); insert into added values (1)");

    assertThat(r.changed().known()).isFalse();
    assertThat(r.narrowed().tables()).isEqualTo(r.full().tables());
  }

  @Test
  void compare_columnAddedAfterTarget_fullComparison() throws Exception {
    Result r =
        afterTarget(
            "alter table pair add column extra int default 7;"
                + " update pair set v = 'ddl' where a = 8");

    assertThat(r.changed().known()).isFalse();
    assertThat(r.narrowed().tables()).isEqualTo(r.full().tables());
  }

  @Test
  void compare_enumValueRenamedAfterTarget_fullComparison() throws Exception {
    SampleSchema.run(
        url,
        "create type mood as enum ('sad', 'ok'); create table moods (id int primary key, m mood);"
            + " insert into moods values (1, 'sad')");
    Result r = afterTarget("alter type mood rename value 'sad' to 'glum'");

    assertThat(r.changed().known()).isFalse();
    assertThat(r.narrowed().tables()).isEqualTo(r.full().tables());
  }

  private record Result(DataLossReport full, DataLossReport narrowed, ChangedBlocks changed) {}

  /** Restores to now and runs {@code after} on the live database after that point. */
  private static Result afterTarget(String after) throws Exception {
    String lsn = query("select pg_current_wal_lsn()::text");
    SampleSchema.run(url, after);
    return restoreAndCompare(lsn);
  }

  /**
   * A transaction writes {@code inFlight} before the target and commits after it, while {@code
   * after} commits after it too; {@code checkpointFirst}: a running-transactions record precedes
   * the transaction.
   */
  private static Result withInFlight(String inFlight, String after, boolean checkpointFirst)
      throws Exception {
    if (!checkpointFirst) {
      // begun before the checkpoint whose running-transactions record then lists it
      try (Connection c = Jdbc.connect(url)) {
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
          st.execute(inFlight);
        }
        SampleSchema.run(url, "checkpoint");
        String lsn = query("select pg_current_wal_lsn()::text");
        SampleSchema.run(url, after);
        c.commit();
        return restoreAndCompare(lsn);
      }
    }
    SampleSchema.run(url, "checkpoint");
    try (Connection c = Jdbc.connect(url)) {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        st.execute(inFlight);
      }
      String lsn = query("select pg_current_wal_lsn()::text");
      SampleSchema.run(url, after);
      c.commit();
      return restoreAndCompare(lsn);
    }
  }

  private static Result restoreAndCompare(String lsn) throws Exception {
    return restoreAndCompare(RecoveryPoint.atLsn(lsn, Instant.now()));
  }

  private static Result restoreAndCompare(RecoveryPoint point) throws Exception {
    switchAndAwaitArchive();
    RestoreRequest request = new RestoreRequest("run-narrowed-" + ++runs, point, "x", false);
    RestoreStatus s = provider.startRestore(ctx, request);
    Instant deadline = Instant.now().plus(RESTORE_TIMEOUT);
    while (s instanceof RestoreStatus.Running && Instant.now().isBefore(deadline)) {
      Thread.sleep(100);
      s = provider.pollRestore(ctx, request);
    }
    assertThat(s).as(String.valueOf(s)).isInstanceOf(RestoreStatus.Done.class);
    DbUrl restored = ((RestoreStatus.Done) s).url();
    DataLossAnalyzer analyzer = new DataLossAnalyzer();
    DataLossReport full = analyzer.compare(url, restored);
    try (LiveSnapshot live = LiveSnapshot.take(url)) {
      ChangedBlocks changed = provider.changedBlocks(ctx, request, restored, live.lsn());
      // The same read begun while the copy promotes, up to the live WAL of that later moment:
      // the same answer, compared in the same snapshot.
      ChangedBlocks early = provider.changedBlocksReadEarly(ctx, request, restored, live.lsn());
      assertThat(early.known()).as(early.detail()).isEqualTo(changed.known());
      if (early.known()) {
        assertThat(early.detail()).contains("while the copy promoted");
      }
      assertThat(analyzer.compare(live, restored, early).tables()).isEqualTo(full.tables());
      if (point.targetLsn().isEmpty()) {
        // A restore to a time: the same read from the stop point the commit times foresee, as
        // it goes while the copy replays.
        ChangedBlocks foreseen =
            provider.changedBlocksPredicted(ctx, request, restored, live.lsn());
        assertThat(foreseen.known()).as(foreseen.detail()).isEqualTo(changed.known());
        if (foreseen.known()) {
          assertThat(foreseen.detail()).contains("where it would stop was foreseen");
        }
        assertThat(analyzer.compare(live, restored, foreseen).tables()).isEqualTo(full.tables());
      }
      return new Result(full, analyzer.compare(live, restored, changed), changed);
    }
  }

  private static DataLossReport.Table table(DataLossReport r, String name) {
    return r.tables().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
  }

  private static void switchAndAwaitArchive() throws Exception {
    String segment = query("select pg_walfile_name(pg_switch_wal())");
    Path file = provider.archiveDir(ctx).resolve(segment);
    Instant deadline = Instant.now().plusSeconds(60);
    while (!Files.exists(file) && Instant.now().isBefore(deadline)) {
      Thread.sleep(50);
    }
    assertThat(file).exists();
  }

  private static String query(String sql) throws SQLException {
    try (Connection c = Jdbc.connect(url);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
