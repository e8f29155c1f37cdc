package io.dbrecover.engine.internal;

import static io.dbrecover.engine.testing.TestPostgres.createDatabase;
import static io.dbrecover.engine.testing.TestPostgres.sql;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DataLossReport;
import io.dbrecover.engine.api.DataLossReport.Table;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.Secret;
import io.dbrecover.engine.spi.BackupSnapshot;
import io.dbrecover.engine.spi.DatabaseInspector;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DataLossAnalyzerIT {
  private final DataLossAnalyzer analyzer = new DataLossAnalyzer();
  private DbUrl recovered;
  private DbUrl current;

  @BeforeEach
  void createRecoveredAndCurrentCopy() {
    recovered = createDatabase();
    sql(
        recovered,
        "create table users (id int primary key, email text, born date, score float8);"
            + "insert into users select g, 'u' || g || '@x', date '2000-01-01' + g, g / 3.0"
            + " from generate_series(1, 5000) g;"
            + "create table memberships (org text, user_id int, role text,"
            + " primary key (org, user_id));"
            + "insert into memberships select 'org' || (g % 7), g, 'member'"
            + " from generate_series(1, 1000) g;"
            + "create table events (payload text);"
            + "insert into events select 'e' || g from generate_series(1, 100) g;");
    current = createDatabase(recovered);
  }

  @Test
  void compare_identicalDatabases_reportsZeroForEveryTable() {
    DataLossReport r = analyzer.compare(current, recovered);

    assertThat(r.estimate()).isFalse();
    assertThat(r.tables())
        .containsExactly(
            new Table("public.events", false, 100, 100, 0, 0, 0),
            new Table("public.memberships", true, 1000, 1000, 0, 0, 0),
            new Table("public.users", true, 5000, 5000, 0, 0, 0));
    assertThat(r.losesData()).isFalse();
  }

  @Test
  void compare_rowsInsertedSinceRecoveryPoint_reportsLostByKey() {
    sql(current, "insert into users select g, 'new' from generate_series(5001, 5042) g");

    assertThat(table(analyzer.compare(current, recovered), "public.users"))
        .isEqualTo(new Table("public.users", true, 5042, 5000, 42, 0, 0));
  }

  @Test
  void compare_valuesSwappedBetweenColumnsNulledOrInVarcharAndArrayColumns_eachCountsAsChanged() {
    String table =
        "create table profiles (id int primary key, a int, b int, nick varchar(20), tags text[],"
            + " amount numeric);"
            + "insert into profiles select g, g, g + 1, 'n' || g, array['t' || g], g / 4.0"
            + " from generate_series(1, 200) g;";
    sql(recovered, table);
    sql(current, table);
    sql(
        current,
        "update profiles set a = b, b = a where id = 1;"
            + "update profiles set nick = null where id = 2;"
            + "update profiles set nick = 'N2' where id = 3;"
            + "update profiles set tags = array['other'] where id = 4;"
            + "update profiles set amount = null where id = 5;"
            // equal as numeric: not a change
            + "update profiles set amount = amount * 1.000 where id = 6;");

    assertThat(table(analyzer.compare(current, recovered), "public.profiles"))
        .isEqualTo(new Table("public.profiles", true, 200, 200, 0, 5, 0));
  }

  @Test
  void compare_rowsUpdatedSinceRecoveryPoint_reportsChangedByKey() {
    sql(current, "update users set email = 'changed' where id % 1000 = 0");

    assertThat(table(analyzer.compare(current, recovered), "public.users"))
        .isEqualTo(new Table("public.users", true, 5000, 5000, 0, 5, 0));
  }

  @Test
  void compare_rowsDeletedByBadMigration_reportsAddedBack() {
    sql(current, "delete from users where id <= 300");

    assertThat(table(analyzer.compare(current, recovered), "public.users"))
        .isEqualTo(new Table("public.users", true, 4700, 5000, 0, 0, 300));
  }

  @Test
  void compare_deletedUpdatedAndInsertedRows_countsEachByKey() {
    sql(
        current,
        "delete from users where id between 1 and 10;"
            + "update users set score = -1 where id between 11 and 13;"
            + "insert into users values (9001, 'a', null, null), (9002, 'b', null, null)");

    assertThat(table(analyzer.compare(current, recovered), "public.users"))
        .isEqualTo(new Table("public.users", true, 4992, 5000, 2, 3, 10));
  }

  @Test
  void compare_compositeKey_matchesRowsByAllKeyColumns() {
    sql(
        current,
        "update memberships set role = 'admin' where user_id = 7;"
            + "delete from memberships where user_id = 9;"
            + "insert into memberships values ('org1', 9, 'member'), ('org9', 1, 'member')");

    assertThat(table(analyzer.compare(current, recovered), "public.memberships"))
        .isEqualTo(new Table("public.memberships", true, 1001, 1000, 2, 1, 1));
  }

  @Test
  void compare_textKeyWithMixedCase_matchesRowsRegardlessOfCollation() {
    sql(
        recovered,
        "create table tags (name text primary key); insert into tags values ('b'), ('B'), ('a'), ('_x')");
    DbUrl cur = createDatabase(recovered);
    sql(cur, "insert into tags values ('A'), ('ä'); delete from tags where name = '_x'");

    assertThat(table(analyzer.compare(cur, recovered), "public.tags"))
        .isEqualTo(new Table("public.tags", true, 5, 4, 2, 0, 1));
  }

  @Test
  void compare_columnTypeWithoutHashFunction_stillMatchesRowsByKey() {
    sql(
        recovered,
        "create table docs (id int primary key, body json);"
            + "insert into docs select g, json_build_object('n', g) from generate_series(1, 50) g");
    DbUrl cur = createDatabase(recovered);
    sql(cur, "update docs set body = '{\"n\": 0}' where id = 3");

    DataLossReport r = analyzer.compare(cur, recovered);

    assertThat(table(r, "public.docs")).isEqualTo(new Table("public.docs", true, 50, 50, 0, 1, 0));
    assertThat(table(r, "public.users"))
        .isEqualTo(new Table("public.users", true, 5000, 5000, 0, 0, 0));
  }

  @Test
  void compare_tableWithoutPrimaryKey_comparesCountsOnly() {
    sql(current, "insert into events values ('x'), ('y'); update events set payload = 'z'");

    assertThat(table(analyzer.compare(current, recovered), "public.events"))
        .isEqualTo(new Table("public.events", false, 102, 100, 2, 0, 0));
  }

  @Test
  void compare_tableOnlyInCurrent_losesAllItsRows() {
    sql(current, "create table audit (id int primary key); insert into audit values (1), (2)");

    assertThat(table(analyzer.compare(current, recovered), "public.audit"))
        .isEqualTo(new Table("public.audit", false, 2, -1, 2, 0, 0));
  }

  @Test
  void compare_tableDroppedByBadMigration_comesBackAsAdded() {
    sql(current, "drop table events");

    assertThat(table(analyzer.compare(current, recovered), "public.events"))
        .isEqualTo(new Table("public.events", false, -1, 100, 0, 0, 100));
  }

  @Test
  void compare_columnAddedByBadMigration_comparesCommonColumnsOnly() {
    sql(current, "alter table users add column nickname text default 'n'");

    assertThat(table(analyzer.compare(current, recovered), "public.users"))
        .isEqualTo(new Table("public.users", true, 5000, 5000, 0, 0, 0));
  }

  @Test
  void compare_withEarlierReadsOfBothSides_givesTheSameReportAsReadingNow() {
    sql(
        current,
        "delete from users where id between 1 and 10;"
            + "update users set score = -1 where id between 11 and 13;"
            + "insert into users select g, 'new' from generate_series(5001, 5020) g;"
            + "alter table memberships add column note text;"
            + "update memberships set role = 'owner' where user_id <= 4;"
            + "insert into events values ('late')");
    DataLossReport now = analyzer.compare(current, recovered);

    DataLossReport reused =
        analyzer.compare(current, recovered, analyzer.read(current), analyzer.read(recovered));

    assertThat(reused).isEqualTo(now);
    assertThat(table(reused, "public.users"))
        .isEqualTo(new Table("public.users", true, 5010, 5000, 20, 3, 10));
    // the added column makes the earlier whole-row sums unusable; common columns are compared
    assertThat(table(reused, "public.memberships"))
        .isEqualTo(new Table("public.memberships", true, 1000, 1000, 0, 4, 0));
  }

  @Test
  void compare_withEarlierLiveRead_reportsTheLiveSideAsOfThatRead() {
    DataLossAnalyzer.SideRead before = analyzer.read(current);
    sql(current, "insert into users select g, 'after the read' from generate_series(5001, 5007) g");

    assertThat(table(analyzer.compare(current, recovered, before, null), "public.users"))
        .isEqualTo(new Table("public.users", true, 5000, 5000, 0, 0, 0));
    assertThat(table(analyzer.compare(current, recovered, null, null), "public.users"))
        .isEqualTo(new Table("public.users", true, 5007, 5000, 7, 0, 0));
  }

  @Test
  void compare_tableChangedAgainAfterEarlierRead_countsAndRowsComeFromOneMoment() {
    sql(current, "insert into users select g, 'first' from generate_series(5001, 5003) g");
    DataLossAnalyzer.SideRead before = analyzer.read(current);
    sql(current, "insert into users select g, 'second' from generate_series(5004, 5010) g");

    // the sums differ, so the table is compared row by row now, and its counts are from now too
    assertThat(table(analyzer.compare(current, recovered, before, null), "public.users"))
        .isEqualTo(new Table("public.users", true, 5010, 5000, 10, 0, 0));
  }

  @Test
  void read_countsEveryTableExactly() {
    assertThat(analyzer.read(recovered).rowCounts())
        .containsExactly(
            java.util.Map.entry("public.events", 100L),
            java.util.Map.entry("public.memberships", 1000L),
            java.util.Map.entry("public.users", 5000L));
  }

  @Test
  void tableReads_takeOneCoreEachWhileTheRestoreIsBusy_andTheServersWorkersAfterItsHeavyWork()
      throws Exception {
    int serverWorkers;
    try (Connection c = DatabaseInspector.connect(recovered);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("show max_parallel_workers_per_gather")) {
      rs.next();
      serverWorkers = Integer.parseInt(rs.getString(1));
    }
    assertThat(serverWorkers)
        .as("the server's own setting, for this test to mean anything")
        .isPositive();
    DataLossAnalyzer.TableReads reads = new DataLossAnalyzer.TableReads();

    // each read is its own transaction: the one-core setting must hold for every one of them
    reads.tableLoaded(recovered, "public.users");
    reads.tableLoaded(recovered, "public.events");
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while (reads.workersPerRead().size() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    reads.heavyWorkDone(recovered);
    reads.tableLoaded(recovered, "public.memberships");
    Map<String, DataLossAnalyzer.Summary> during = reads.finish();

    assertThat(during).containsOnlyKeys("public.users", "public.events", "public.memberships");
    assertThat(reads.workersPerRead())
        .containsEntry("public.users", 0)
        .containsEntry("public.events", 0)
        .containsEntry("public.memberships", serverWorkers);
  }

  @Test
  void read_withTablesReadDuringRestore_reusesThoseAndReadsTheRestNow() throws Exception {
    DataLossAnalyzer.TableReads reads = new DataLossAnalyzer.TableReads();
    reads.tableLoaded(recovered, "public.users");
    reads.tableLoaded(recovered, "public.no_such_table");
    Map<String, DataLossAnalyzer.Summary> during = reads.finish();
    assertThat(during).containsOnlyKeys("public.users");
    // changed after the reads: users must come from the earlier read, events from now
    sql(recovered, "insert into users values (9001, 'late'); insert into events values ('late')");

    try (Connection c = DatabaseInspector.connect(recovered)) {
      c.setAutoCommit(false);
      assertThat(analyzer.read(c, during).rowCounts())
          .containsEntry("public.users", 5000L)
          .containsEntry("public.events", 101L)
          .containsEntry("public.memberships", 1000L);
    }
  }

  @Test
  void compare_withRecoveredSideReadDuringRestore_givesTheSameReportAsReadingNow()
      throws Exception {
    sql(
        current,
        "delete from users where id between 1 and 4;"
            + "update memberships set role = 'owner' where user_id <= 2;"
            + "insert into events values ('late')");
    DataLossAnalyzer.TableReads reads = new DataLossAnalyzer.TableReads();
    for (String t : List.of("public.users", "public.memberships", "public.events")) {
      reads.tableLoaded(recovered, t);
    }
    DataLossAnalyzer.SideRead recoveredRead;
    try (Connection c = DatabaseInspector.connect(recovered)) {
      c.setAutoCommit(false);
      recoveredRead = analyzer.read(c, reads.finish());
    }

    assertThat(analyzer.compare(current, recovered, null, recoveredRead))
        .isEqualTo(analyzer.compare(current, recovered));
  }

  @Test
  void compare_integerKeyWithContiguousChangedRange_countsEachByKey() {
    sql(
        recovered,
        "create table accounts (aid int primary key, balance int);"
            + "insert into accounts select g, 0 from generate_series(1, 100000) g");
    DbUrl cur = createDatabase(recovered);
    sql(
        cur,
        "update accounts set balance = 1 where aid between 40001 and 50000;"
            + "delete from accounts where aid between 60001 and 60500;"
            + "insert into accounts select g, 0 from generate_series(100001, 100777) g");

    assertThat(table(analyzer.compare(cur, recovered), "public.accounts"))
        .isEqualTo(new Table("public.accounts", true, 100277, 100000, 777, 10000, 500));
  }

  @Test
  void compare_bigintKeysOfBothSignsFarApart_countsEachByKey() {
    sql(
        recovered,
        "create table ledger (id bigint primary key, v text);"
            + "insert into ledger values (-9223372036854775808, 'min'), (-5, 'a'), (0, 'b'),"
            + " (7, 'c'), (9223372036854775806, 'd')");
    DbUrl cur = createDatabase(recovered);
    sql(
        cur,
        "update ledger set v = 'changed' where id in (-9223372036854775808, 7);"
            + "delete from ledger where id = 0;"
            + "insert into ledger values (9223372036854775807, 'max'), (-4, 'e')");

    assertThat(table(analyzer.compare(cur, recovered), "public.ledger"))
        .isEqualTo(new Table("public.ledger", true, 6, 5, 2, 2, 1));
  }

  @Test
  void compare_bigintKeysOnlyOnOneSideBeyondTheOtherSidesRange_countsEachByKey() {
    sql(
        recovered,
        "create table orders (id bigint primary key, v int);"
            + "insert into orders select g, g from generate_series(1000, 2000) g;"
            + "insert into orders values (-3000000000, 0)");
    DbUrl cur = createDatabase(recovered);
    sql(
        cur,
        "delete from orders where id < 1100;"
            + "insert into orders select g, 0 from generate_series(5000000000, 5000000049) g");

    assertThat(table(analyzer.compare(cur, recovered), "public.orders"))
        .isEqualTo(new Table("public.orders", true, 951, 1002, 50, 0, 101));
  }

  @Test
  void compare_integerKeyTableEmptyOnOneSide_countsEveryRowOfTheOther() {
    sql(
        recovered,
        "create table small (id smallint primary key, v int);"
            + "insert into small select g, g from generate_series(-30, 40) g");
    DbUrl cur = createDatabase(recovered);
    sql(cur, "delete from small");

    assertThat(table(analyzer.compare(cur, recovered), "public.small"))
        .isEqualTo(new Table("public.small", true, 0, 71, 0, 0, 71));
    assertThat(table(analyzer.compare(recovered, cur), "public.small"))
        .isEqualTo(new Table("public.small", true, 71, 0, 71, 0, 0));
  }

  @Test
  void compare_textKeyAndCompositeIntegerKey_stillMatchedByKeyHash() {
    sql(
        recovered,
        "create table codes (code text primary key, v int);"
            + "insert into codes select 'c' || g, g from generate_series(1, 3000) g;"
            + "create table pairs (a int, b int, v int, primary key (a, b));"
            + "insert into pairs select g % 10, g, 0 from generate_series(1, 3000) g");
    DbUrl cur = createDatabase(recovered);
    sql(
        cur,
        "update codes set v = 0 where v between 100 and 199;"
            + "insert into codes values ('zz', 1);"
            + "update pairs set v = 1 where b <= 30; delete from pairs where b > 2990");

    DataLossReport r = analyzer.compare(cur, recovered);

    assertThat(table(r, "public.codes"))
        .isEqualTo(new Table("public.codes", true, 3001, 3000, 1, 100, 0));
    assertThat(table(r, "public.pairs"))
        .isEqualTo(new Table("public.pairs", true, 2990, 3000, 0, 30, 10));
  }

  @Test
  void compare_unreachableRecoveredDatabase_throwsConfiguration() {
    DbUrl down = DbUrl.of("localhost", 1, "app", "app", Secret.of("pw-99999"));

    assertThatThrownBy(() -> analyzer.compare(current, down))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("postgresql://app:****@localhost:1/app")
        .hasMessageNotContaining("pw-99999");
  }

  @Test
  void compare_liveReadAsRowsWrittenSinceTheBackupSnapshot_givesTheFullComparisonsReport()
      throws Exception {
    BackupSnapshot backup = snapshotOf(current);
    sql(
        current,
        "insert into users select g, 'new' from generate_series(5001, 5042) g;"
            + "update users set score = -1 where id between 10 and 29;"
            + "delete from users where id between 100 and 104;"
            + "update users set email = email where id = 7;" // a new version, the same values
            + "insert into memberships values ('orgX', 1, 'owner');"
            + "delete from events where payload = 'e1'");
    sql(current, "vacuum freeze users"); // frozen versions keep their own xmin
    DataLossReport full = analyzer.compare(current, recovered);

    DataLossReport since =
        analyzer.compare(
            current, recovered, analyzer.readSince(current, backup), countsOf(recovered));

    assertThat(since.tables()).isEqualTo(full.tables());
    assertThat(table(since, "public.users"))
        .isEqualTo(new Table("public.users", true, 5037, 5000, 42, 20, 5));
    assertThat(since.method())
        .isEqualTo(
            "narrowed to the rows the live database wrote after the backup's snapshot (by xmin):"
                + " 1 tables compared on those rows, 2 in full");
  }

  @Test
  void compare_rowsWrittenSinceTheSnapshotWithAJsonColumn_hashedByTextAndMatchedByKey()
      throws Exception {
    String table =
        "create table docs (id bigint primary key, body json);"
            + "insert into docs select g, json_build_object('n', g) from generate_series(1, 300) g;";
    sql(recovered, table);
    sql(current, table);
    BackupSnapshot backup = snapshotOf(current);
    sql(
        current,
        "update docs set body = '{\"n\": -1}' where id in (3, 4);"
            + "insert into docs values (301, '{}');"
            + "delete from docs where id = 9");

    DataLossReport since =
        analyzer.compare(
            current, recovered, analyzer.readSince(current, backup), countsOf(recovered));

    assertThat(table(since, "public.docs"))
        .isEqualTo(new Table("public.docs", true, 300, 300, 1, 2, 1))
        .isEqualTo(table(analyzer.compare(current, recovered), "public.docs"));
    assertThat(since.method()).contains("2 tables compared on those rows");
  }

  @Test
  void compare_manyRowsWrittenSinceTheBackupSnapshot_comparesThatTableInFull() throws Exception {
    BackupSnapshot backup = snapshotOf(current);
    sql(
        current,
        "insert into users select g, 'bulk' from generate_series(100001, "
            + (100_000 + RowsSinceBackup.MAX_ROWS + 1)
            + ") g");

    DataLossReport since =
        analyzer.compare(
            current, recovered, analyzer.readSince(current, backup), countsOf(recovered));

    assertThat(table(since, "public.users"))
        .isEqualTo(
            new Table(
                "public.users",
                true,
                5000 + RowsSinceBackup.MAX_ROWS + 1,
                5000,
                RowsSinceBackup.MAX_ROWS + 1,
                0,
                0));
    assertThat(since.method()).endsWith("0 tables compared on those rows, 3 in full");
  }

  @Test
  void compare_snapshotOfAnotherDatabase_comparesEveryTableInFullAndSaysWhy() throws Exception {
    BackupSnapshot ofRecovered = snapshotOf(recovered);
    sql(current, "update users set score = -1 where id = 1");

    DataLossReport r =
        analyzer.compare(
            current, recovered, analyzer.readSince(current, ofRecovered), countsOf(recovered));

    assertThat(table(r, "public.users"))
        .isEqualTo(new Table("public.users", true, 5000, 5000, 0, 1, 0));
    assertThat(r.method())
        .isEqualTo(
            "every table in full (the live database is not the one the backup was taken of)");
  }

  private static BackupSnapshot snapshotOf(DbUrl db) throws Exception {
    try (Connection c = DataLossAnalyzer.open(db)) {
      return DatabaseInspector.snapshot(c).orElseThrow();
    }
  }

  private DataLossAnalyzer.SideRead countsOf(DbUrl db) throws Exception {
    try (Connection c = DataLossAnalyzer.open(db)) {
      return analyzer.readCounts(c, Map.of());
    }
  }

  private static Table table(DataLossReport report, String name) {
    return report.tables().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
  }
}
