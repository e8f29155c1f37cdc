package io.dbrecover.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbrecover.engine.api.BackupCheck;
import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.RecoveryPoint;
import io.dbrecover.engine.api.Secret;
import io.dbrecover.engine.spi.BackupRequest;
import io.dbrecover.engine.spi.DatabaseInspector;
import io.dbrecover.engine.spi.Progress;
import io.dbrecover.postgres.internal.Jdbc;
import io.dbrecover.postgres.testing.DumpFiles;
import io.dbrecover.postgres.testing.SampleSchema;
import io.dbrecover.postgres.testing.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogicalBackupStoreIT {
  private static final Instant T1 = Instant.parse("2026-05-01T10:00:00Z");
  private static final Instant T2 = Instant.parse("2026-05-01T11:30:00Z");
  private static final PgTools TOOLS = PgTools.discover(System.getenv());

  @TempDir Path storeDir;
  private DbUrl db;

  @BeforeEach
  void setUp() {
    db = TestPostgres.freshDatabase();
    SampleSchema.create(db);
  }

  private LogicalBackupStore store(Instant at) {
    return new LogicalBackupStore(storeDir, "test", TOOLS, Clock.fixed(at, ZoneOffset.UTC), 2);
  }

  private RecoveryPoint backup(Instant at) {
    return store(at).backup(db, new BackupRequest(null, false, null), Progress.NONE);
  }

  @Test
  void backup_sampleSchema_recordsExactRowCountsAndFingerprint() throws Exception {
    RecoveryPoint point = backup(T1);

    assertThat(point.id()).isEqualTo("backup-20260501-100000");
    assertThat(point.kind()).isEqualTo(RecoveryPoint.Kind.LOGICAL_BACKUP);
    assertThat(point.rowCounts()).isEqualTo(SampleSchema.ROW_COUNTS);
    try (Connection c = Jdbc.connect(db)) {
      assertThat(point.schemaFingerprint()).isEqualTo(DatabaseInspector.schemaFingerprint(c));
    }
    assertThat(point.location()).isEqualTo(storeDir.resolve(point.id()).toString());
  }

  @Test
  void backup_writesDumpAndMetadataWithChecksumOfEveryFile() throws IOException {
    RecoveryPoint point = backup(T1);

    Path dir = storeDir.resolve(point.id());
    String metadata = Files.readString(dir.resolve("metadata.json"));
    assertThat(dir.resolve("dump/toc.dat")).exists();
    assertThat(metadata)
        .contains("\"dump/toc.dat\"")
        .contains("\"pgDumpVersion\"")
        .contains("\"public.orders\" : 400");
    try (var files = Files.list(dir.resolve("dump"))) {
      files.forEach(f -> assertThat(metadata).contains("\"dump/" + f.getFileName() + "\""));
    }
  }

  @Test
  void backup_checksumsHashedWhilePgDumpWrote_matchTheFilesReadAgainAfterwards()
      throws IOException {
    SampleSchema.run(
        db,
        "create table big as select g as id, md5(g::text) as v from generate_series(1, 200000) g");

    RecoveryPoint point = backup(T1);

    Path dir = storeDir.resolve(point.id());
    assertThat(io.dbrecover.postgres.internal.BackupMetadata.read(dir).files())
        .isEqualTo(io.dbrecover.postgres.internal.Checksums.of(dir, dir.resolve("dump")));
    assertThat(store(T1).verify(point.id(), false, db).passed()).isTrue();
  }

  @Test
  void backup_labelAndSafety_areRecorded() {
    RecoveryPoint point =
        store(T1).backup(db, new BackupRequest("pre-deploy", true, "run-1"), Progress.NONE);

    assertThat(point.id()).isEqualTo("backup-20260501-100000-pre-deploy");
    assertThat(point.labelOpt()).contains("pre-deploy");
    assertThat(point.safety()).isTrue();
  }

  @Test
  void backup_sameRunRetried_returnsTheFirstBackup() {
    RecoveryPoint first =
        store(T1).backup(db, new BackupRequest(null, true, "run-7"), Progress.NONE);

    RecoveryPoint again =
        store(T2).backup(db, new BackupRequest(null, true, "run-7"), Progress.NONE);

    assertThat(again).isEqualTo(first);
    assertThat(store(T2).list()).hasSize(1);
  }

  @Test
  void backup_sameSecond_bumpsIdToStayUnique() {
    RecoveryPoint first = backup(T1);
    RecoveryPoint second = backup(T1);

    assertThat(second.id()).isEqualTo("backup-20260501-100001");
    assertThat(first.id()).isNotEqualTo(second.id());
  }

  @Test
  void list_twoBackups_newestFirst() {
    RecoveryPoint older = backup(T1);
    RecoveryPoint newer = backup(T2);

    assertThat(store(T2).list())
        .extracting(RecoveryPoint::id)
        .containsExactly(newer.id(), older.id());
  }

  @Test
  void list_backupWithoutMetadata_isIgnoredAndNextBackupRemovesIt() throws IOException {
    Path partial = Files.createDirectories(storeDir.resolve("backup-20260101-000000/dump"));

    assertThat(store(T1).list()).isEmpty();
    backup(T1);
    assertThat(partial.getParent()).doesNotExist();
  }

  @Test
  void find_unknownId_throwsBackupNotFoundListingAvailable() {
    RecoveryPoint point = backup(T1);

    assertThatThrownBy(() -> store(T1).find("backup-20990101-000000"))
        .isInstanceOf(DbRecoverException.class)
        .hasMessageContaining("available: " + point.id())
        .extracting(e -> ((DbRecoverException) e).code())
        .isEqualTo(ErrorCode.BACKUP_NOT_FOUND);
  }

  @Test
  void find_emptyStore_saysHowToTakeOne() {
    assertThatThrownBy(() -> store(T1).find("backup-20990101-000000"))
        .isInstanceOf(DbRecoverException.class)
        .hasMessageContaining("no backups")
        .hasMessageContaining("dbrecover backup test");
  }

  @Test
  void verify_freshBackup_passesEveryCheck() {
    RecoveryPoint point = backup(T1);

    BackupCheck check = store(T1).verify(point.id(), false, db);

    assertThat(check.checks())
        .extracting(BackupCheck.Item::name)
        .containsExactly("metadata", "checksums", "pg_restore --list");
    assertThat(check.passed()).as(check.toString()).isTrue();
  }

  @Test
  void verify_flippedByteInLargestDataFile_failsChecksumsNamingTheFile() throws IOException {
    RecoveryPoint point = backup(T1);
    Path damaged = DumpFiles.largestDataFile(storeDir.resolve(point.id()).resolve("dump"));
    DumpFiles.flipByte(damaged);

    BackupCheck check = store(T1).verify(point.id(), false, db);

    assertThat(check.passed()).isFalse();
    assertThat(check.checks())
        .filteredOn(i -> i.name().equals("checksums"))
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.passed()).isFalse();
              assertThat(i.detail()).startsWith("dump/" + damaged.getFileName());
            });
  }

  @Test
  void verify_deep_restoresIntoScratchAndMatchesMetadata() throws Exception {
    RecoveryPoint point = backup(T1);

    BackupCheck check = store(T1).verify(point.id(), true, db);

    assertThat(check.passed()).as(check.toString()).isTrue();
    assertThat(check.checks())
        .extracting(BackupCheck.Item::name)
        .contains("restore", "row counts", "schema fingerprint");
    try (Connection c = Jdbc.connect(db);
        var rs =
            c.createStatement()
                .executeQuery(
                    "select count(*) from pg_database where datname like 'dbrecover_verify_%'")) {
      rs.next();
      assertThat(rs.getInt(1)).as("scratch databases left behind").isZero();
    }
  }

  @Test
  void verify_missingMetadata_failsMetadataCheck() throws IOException {
    Files.createDirectories(storeDir.resolve("backup-20260101-000000/dump"));

    BackupCheck check = store(T1).verify("backup-20260101-000000", false, db);

    assertThat(check.checks().get(0).passed()).isFalse();
    assertThat(check.checks().get(0).detail()).contains("missing");
  }

  @Test
  void delete_existingBackup_removesItAndReportsTrue() {
    RecoveryPoint point = backup(T1);

    assertThat(store(T1).delete(point.id())).isTrue();
    assertThat(store(T1).delete(point.id())).isFalse();
    assertThat(store(T1).list()).isEmpty();
  }

  @Test
  void backup_metadata_neverContainsThePassword() throws IOException {
    String password = db.password().orElseThrow().reveal();

    RecoveryPoint point = backup(T1);

    assertThat(Files.readString(storeDir.resolve(point.id()).resolve("metadata.json")))
        .doesNotContain(password);
  }

  @Test
  void backup_wrongPassword_configurationErrorWithoutThePassword() {
    String wrong = "Wr0ng-Pa55word-xyz";
    DbUrl bad = DbUrl.of(db.host(), db.port(), db.database(), "postgres", Secret.of(wrong));

    assertThatThrownBy(
            () -> store(T1).backup(bad, new BackupRequest(null, false, null), Progress.NONE))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageNotContaining(wrong)
        .hasMessageContaining(bad.redacted());
    assertThat(store(T1).list()).isEmpty();
  }

  @Test
  void backup_rowCountsTakenInDumpSnapshot_matchRestoredCounts() {
    RecoveryPoint point = backup(T1);
    SampleSchema.run(db, "delete from orders where id > 100");

    BackupCheck check = store(T1).verify(point.id(), true, db);

    assertThat(point.rowCounts()).containsEntry("public.orders", 400L);
    assertThat(check.passed()).as(check.toString()).isTrue();
    assertThat(Map.copyOf(SampleSchema.rowCounts(db))).containsEntry("public.orders", 100L);
  }
}
