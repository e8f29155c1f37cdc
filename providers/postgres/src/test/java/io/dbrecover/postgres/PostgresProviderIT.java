package io.dbrecover.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.Method;
import io.dbrecover.engine.api.RecoveryPoint;
import io.dbrecover.engine.spi.BackupRequest;
import io.dbrecover.engine.spi.BackupSnapshot;
import io.dbrecover.engine.spi.DatabaseInspector;
import io.dbrecover.engine.spi.Progress;
import io.dbrecover.engine.spi.ProviderContext;
import io.dbrecover.engine.spi.RestoreRequest;
import io.dbrecover.engine.spi.RestoreStatus;
import io.dbrecover.postgres.internal.Checksums;
import io.dbrecover.postgres.internal.Jdbc;
import io.dbrecover.postgres.testing.DumpFiles;
import io.dbrecover.postgres.testing.SampleSchema;
import io.dbrecover.postgres.testing.TestEnvironments;
import io.dbrecover.postgres.testing.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostgresProviderIT {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-05-01T10:00:00Z"), ZoneOffset.UTC);

  @TempDir Path tmp;
  private final PostgresProvider provider = new PostgresProvider(System.getenv());
  private DbUrl db;
  private ProviderContext ctx;
  private RecoveryPoint backup;

  @BeforeEach
  void setUp() {
    db = TestPostgres.freshDatabase();
    SampleSchema.create(db);
    ctx = TestEnvironments.context(db, tmp.resolve("backups"), tmp.resolve("state"), CLOCK);
    backup = provider.backup(ctx, new BackupRequest(null, false, null));
  }

  private RestoreRequest sideBySide(String runId) {
    return new RestoreRequest(runId, backup, db.database() + "_rb_" + runId, false);
  }

  private static String fingerprint(DbUrl url) throws Exception {
    try (Connection c = Jdbc.connect(url)) {
      return DatabaseInspector.schemaFingerprint(c);
    }
  }

  private static Map<String, Long> rowCounts(DbUrl url) throws Exception {
    try (Connection c = Jdbc.connect(url)) {
      return DatabaseInspector.rowCounts(c);
    }
  }

  @Test
  void backupSnapshot_logicalBackup_isTheSnapshotOfTheBackedUpDatabase() throws Exception {
    BackupSnapshot snap = provider.backupSnapshot(ctx, backup).orElseThrow();

    try (Connection c = Jdbc.connect(db)) {
      BackupSnapshot now = DatabaseInspector.snapshot(c).orElseThrow();
      assertThat(snap.systemIdentifier()).isEqualTo(now.systemIdentifier());
      assertThat(snap.databaseOid()).isEqualTo(now.databaseOid());
      assertThat(snap.timeline()).isEqualTo(now.timeline());
      assertThat(snap.xmin()).isPositive().isLessThanOrEqualTo(now.xmin());
    }
  }

  @Test
  void startRestore_sideBySide_newDatabaseHasBackupRowCountsAndFingerprint() throws Exception {
    SampleSchema.run(db, "delete from orders");

    RestoreStatus status = provider.startRestore(ctx, sideBySide("r1"));

    assertThat(status).isInstanceOf(RestoreStatus.Done.class);
    DbUrl restored = ((RestoreStatus.Done) status).url();
    assertThat(restored.database()).isEqualTo(db.database() + "_rb_r1");
    assertThat(rowCounts(restored)).isEqualTo(backup.rowCounts());
    assertThat(fingerprint(restored)).isEqualTo(backup.schemaFingerprint());
    assertThat(SampleSchema.rowCounts(db)).containsEntry("public.orders", 0L);
  }

  @Test
  void startRestore_withParallelJobs_tellsEachTableOnceItsRowsAndKeysAreComplete()
      throws Exception {
    List<String> loaded = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<Map<String, Long>> countsWhenLoaded = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<String> keysWhenLoaded = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<String> heavyDone = new java.util.concurrent.CopyOnWriteArrayList<>();
    Progress progress =
        new Progress() {
          @Override
          public void update(String message) {}

          @Override
          public void tableLoaded(DbUrl restored, String table) {
            loaded.add(restored.database() + " " + table);
            try {
              // the catalog first: counting waits for the table's lock, which would let a key
              // still being added complete meanwhile; and only this table, not to hold up the
              // next one told while another's key is built
              keysWhenLoaded.add(table + " " + keys(restored, table));
              countsWhenLoaded.add(Map.of(table, count(restored, table)));
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          }

          @Override
          public void heavyWorkDone(DbUrl restored) {
            heavyDone.add(restored.database() + " after " + loaded.size() + " tables");
          }
        };
    ProviderContext withProgress =
        new ProviderContext(ctx.environment(), ctx.liveUrl(), ctx.stateDir(), CLOCK, progress);
    // a key that takes pg_restore a while to add (an exclusion constraint's GiST index), long
    // after the table's rows are in
    SampleSchema.run(
        db,
        "create table ledger (id bigint primary key, span int4range,"
            + " exclude using gist (span with &&));"
            + " insert into ledger select g, int4range(g * 10, g * 10 + 5)"
            + " from generate_series(1, 30000) g");
    RecoveryPoint withLedger = provider.backup(ctx, new BackupRequest("ledger", false, null));

    provider.startRestore(
        withProgress, new RestoreRequest("r11", withLedger, db.database() + "_rb_r11", false));

    assertThat(loaded)
        .containsExactlyInAnyOrderElementsOf(
            withLedger.rowCounts().keySet().stream()
                .map(t -> db.database() + "_rb_r11 " + t)
                .toList());
    // when told, each table already holds all its rows and its primary and unique keys, which
    // pg_restore adds under a lock that a read would have waited for (or made it wait for)
    for (Map<String, Long> seen : countsWhenLoaded) {
      seen.forEach((t, n) -> assertThat(n).as(t).isEqualTo(withLedger.rowCounts().get(t)));
    }
    List<String> keysInOriginal = new ArrayList<>();
    for (String t : withLedger.rowCounts().keySet()) {
      keysInOriginal.add(t + " " + keys(db, t));
    }
    assertThat(keysWhenLoaded).containsExactlyInAnyOrderElementsOf(keysInOriginal);
    assertThat(keysInOriginal)
        .contains(
            "public.customers [customers_email_key, customers_pkey]",
            "public.ledger [ledger_pkey, ledger_span_excl]");
    assertThat(heavyDone).hasSize(1).allMatch(s -> s.startsWith(db.database() + "_rb_r11 "));
  }

  private static long count(DbUrl url, String table) throws SQLException {
    try (Connection c = DatabaseInspector.connect(url);
        java.sql.Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select count(*) from " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The names of the primary key, unique and exclusion constraints of {@code table}, sorted. */
  private static List<String> keys(DbUrl url, String table) throws SQLException {
    List<String> keys = new ArrayList<>();
    try (Connection c = DatabaseInspector.connect(url);
        PreparedStatement ps =
            c.prepareStatement(
                "select conname from pg_constraint where conrelid = ?::regclass"
                    + " and contype in ('p', 'u', 'x') order by conname")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          keys.add(rs.getString(1));
        }
      }
    }
    return keys;
  }

  @Test
  void startRestore_retriedWithSameRun_givesSameResult() throws Exception {
    RestoreStatus first = provider.startRestore(ctx, sideBySide("r2"));

    RestoreStatus again = provider.startRestore(ctx, sideBySide("r2"));

    assertThat(again).isEqualTo(first);
    assertThat(rowCounts(((RestoreStatus.Done) again).url())).isEqualTo(backup.rowCounts());
  }

  @Test
  void startRestore_targetLeftHalfDoneByEarlierTry_isRecreated() throws Exception {
    DbUrl target = db.withDatabase(db.database() + "_rb_r3");
    SampleSchema.run(db, "create database " + Jdbc.ident(target.database()));
    SampleSchema.run(target, "create table leftover (id int)");

    RestoreStatus status = provider.startRestore(ctx, sideBySide("r3"));

    assertThat(rowCounts(((RestoreStatus.Done) status).url())).isEqualTo(backup.rowCounts());
  }

  @Test
  void startRestore_corruptBackup_failsBeforeTouchingAnything() throws Exception {
    SampleSchema.run(db, "update customers set name = 'changed after backup' where id = 1");
    String before = SampleSchema.contentHash(db);
    DumpFiles.flipByte(DumpFiles.largestDataFile(Path.of(backup.location()).resolve("dump")));

    assertThatThrownBy(() -> provider.startRestore(ctx, sideBySide("r4")))
        .isInstanceOf(DbRecoverException.class)
        .hasMessageContaining("checksum")
        .extracting(e -> ((DbRecoverException) e).code())
        .isEqualTo(ErrorCode.RESTORE_FAILED);
    assertThat(SampleSchema.contentHash(db)).isEqualTo(before);
    try (Connection c = Jdbc.connect(db)) {
      assertThat(Jdbc.databaseExists(c, db.database() + "_rb_r4")).isFalse();
    }
  }

  @Test
  void startRestore_corruptionFoundWhilePgRestoreRuns_stopsItDropsTheNewDatabaseExit4()
      throws Exception {
    // big enough that pg_restore is still loading when the checksums (run beside it) fail
    SampleSchema.run(
        db,
        "create table big as select g as id, md5(g::text) as v"
            + " from generate_series(1, 500000) g");
    RecoveryPoint large = provider.backup(ctx, new BackupRequest(null, false, null));
    String before = SampleSchema.contentHash(db);
    Map<String, Long> countsBefore = rowCounts(db);
    DumpFiles.flipByte(DumpFiles.largestDataFile(Path.of(large.location()).resolve("dump")));

    assertThatThrownBy(
            () ->
                provider.startRestore(
                    ctx, new RestoreRequest("r12", large, db.database() + "_rb_r12", false)))
        .isInstanceOf(DbRecoverException.class)
        .hasMessageContaining("failed its checksum check")
        .hasMessageContaining("nothing was changed")
        .hasMessageContaining("was stopped and that database dropped")
        .satisfies(
            e ->
                assertThat(e.getSuppressed())
                    .anySatisfy(s -> assertThat(s).hasMessageContaining("(stopped)")))
        .extracting(e -> ((DbRecoverException) e).code())
        .isEqualTo(ErrorCode.RESTORE_FAILED);
    assertThat(SampleSchema.contentHash(db)).isEqualTo(before);
    assertThat(rowCounts(db)).isEqualTo(countsBefore);
    try (Connection c = Jdbc.connect(db)) {
      assertThat(Jdbc.databaseExists(c, db.database() + "_rb_r12")).isFalse();
    }
  }

  @Test
  void startRestore_inPlaceFromCorruptBackup_checksumsFirstAndTheOriginalStaysAsItWas()
      throws Exception {
    SampleSchema.run(db, "update customers set name = 'changed after backup' where id = 1");
    String before = SampleSchema.contentHash(db);
    DumpFiles.flipByte(DumpFiles.largestDataFile(Path.of(backup.location()).resolve("dump")));

    assertThatThrownBy(
            () ->
                provider.startRestore(ctx, new RestoreRequest("r13", backup, db.database(), true)))
        .isInstanceOf(DbRecoverException.class)
        .hasMessageContaining("failed its checksum check")
        .hasMessageContaining("nothing was changed")
        .extracting(e -> ((DbRecoverException) e).code())
        .isEqualTo(ErrorCode.RESTORE_FAILED);
    assertThat(SampleSchema.contentHash(db)).isEqualTo(before);
  }

  @Test
  void startRestore_pgRestoreFails_restoreFailedWithoutPasswordAndOriginalUnchanged()
      throws Exception {
    // Damage the archive and re-record its checksums: corruption the checksums cannot see.
    Path bdir = Path.of(backup.location());
    DumpFiles.flipByte(DumpFiles.largestDataFile(bdir.resolve("dump")));
    String meta = Files.readString(bdir.resolve("metadata.json"));
    for (Map.Entry<String, String> e : Checksums.of(bdir, bdir.resolve("dump")).entrySet()) {
      meta = meta.replaceAll("(\"" + e.getKey() + "\" : \")[0-9a-f]+", "$1" + e.getValue());
    }
    Files.writeString(bdir.resolve("metadata.json"), meta);
    String before = SampleSchema.contentHash(db);
    String password = db.password().orElseThrow().reveal();

    assertThatThrownBy(() -> provider.startRestore(ctx, sideBySide("r5")))
        .isInstanceOf(DbRecoverException.class)
        .hasMessageContaining("pg_restore")
        .hasMessageContaining("error")
        // the verbose progress lines of pg_restore are left out of the message
        .hasMessageNotContaining("launching item")
        .hasMessageNotContaining("processing data for table")
        .hasMessageNotContaining(password)
        .extracting(e -> ((DbRecoverException) e).code())
        .isEqualTo(ErrorCode.RESTORE_FAILED);
    assertThat(SampleSchema.contentHash(db)).isEqualTo(before);
  }

  @Test
  void startRestore_inPlace_replacesOriginalWithBackupContent() throws Exception {
    String atBackup = SampleSchema.contentHash(db);
    SampleSchema.run(db, "delete from orders where id > 10", "drop table audit_log");

    RestoreStatus status =
        provider.startRestore(ctx, new RestoreRequest("r6", backup, db.database(), true));

    assertThat(((RestoreStatus.Done) status).url()).isEqualTo(db);
    assertThat(SampleSchema.contentHash(db)).isEqualTo(atBackup);
    assertThat(fingerprint(db)).isEqualTo(backup.schemaFingerprint());
  }

  @Test
  void pollRestore_afterStart_isDone() {
    RestoreStatus started = provider.startRestore(ctx, sideBySide("r7"));

    assertThat(provider.pollRestore(ctx, sideBySide("r7"))).isEqualTo(started);
  }

  @Test
  void pollRestore_neverStarted_isFailed() {
    assertThat(provider.pollRestore(ctx, sideBySide("r8")))
        .isInstanceOf(RestoreStatus.Failed.class);
  }

  @Test
  void pollRestore_targetWithoutMarker_isRunning() {
    SampleSchema.run(db, "create database " + Jdbc.ident(db.database() + "_rb_r9"));

    assertThat(provider.pollRestore(ctx, sideBySide("r9")))
        .isInstanceOf(RestoreStatus.Running.class);
  }

  @Test
  void recoveryPointsAndVerify_listAndCheckTheBackup() {
    assertThat(provider.recoveryPoints(ctx)).containsExactly(backup);
    assertThat(provider.verifyBackup(ctx, backup.id(), false).passed()).isTrue();
  }

  @Test
  void deleteBackup_removesIt() {
    assertThat(provider.deleteBackup(ctx, backup.id())).isTrue();
    assertThat(provider.recoveryPoints(ctx)).isEmpty();
  }

  @Test
  void capabilities_offersDumpRestoreWithoutHistoryWindow() {
    assertThat(provider.capabilities(ctx).offers(Method.DUMP_RESTORE)).isTrue();
    assertThat(provider.capabilities(ctx).window()).isEmpty();
  }

  @Test
  void configuredUrl_url_isParsed() {
    assertThat(provider.configuredUrl(ctx.environment(), tmp)).isEqualTo(db);
  }

  @Test
  void configuredUrl_embedded_startsClusterAndCreatesDatabase() throws Exception {
    EnvironmentConfig base = ctx.environment();
    EnvironmentConfig embedded =
        new EnvironmentConfig(
            "dev",
            base.tier(),
            base.protection(),
            new EnvironmentConfig.Database("postgres", null, true, Map.of("database", "shop")),
            base.backupStore(),
            null,
            base.migrations(),
            base.allowedMethods(),
            base.retention(),
            base.smokeQueries(),
            1);
    Path state = TestEnvironments.openTempDir("dbrecover-state-");
    try {
      DbUrl url = provider.configuredUrl(embedded, state);

      assertThat(url.database()).isEqualTo("shop");
      try (Connection c = Jdbc.connect(url)) {
        assertThat(DatabaseInspector.serverVersionNum(c)).isGreaterThanOrEqualTo(150000);
      }
    } finally {
      EmbeddedCluster.at(state.resolve("embedded")).stop();
      io.dbrecover.postgres.internal.EmbeddedBinaries.deleteTree(state);
    }
  }

  @Test
  void startRestore_unknownBackup_backupNotFound() throws IOException {
    RecoveryPoint ghost =
        new RecoveryPoint(
            "backup-20990101-000000",
            RecoveryPoint.Kind.LOGICAL_BACKUP,
            Instant.EPOCH,
            null,
            false,
            0,
            null,
            null,
            null,
            null);

    assertThatThrownBy(
            () -> provider.startRestore(ctx, new RestoreRequest("r10", ghost, "x_rb_r10", false)))
        .isInstanceOf(DbRecoverException.class)
        .extracting(e -> ((DbRecoverException) e).code())
        .isEqualTo(ErrorCode.BACKUP_NOT_FOUND);
  }
}
