package io.dbrecover.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dagger.Component;
import dagger.Module;
import dagger.Provides;
import dagger.multibindings.IntoMap;
import dagger.multibindings.StringKey;
import io.dbrecover.engine.api.BackupCheck;
import io.dbrecover.engine.api.ConfigLoader;
import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbRecoverConfig;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.EngineModule;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.Incident;
import io.dbrecover.engine.api.Interaction;
import io.dbrecover.engine.api.ProtectionLevel;
import io.dbrecover.engine.api.PruneResult;
import io.dbrecover.engine.api.RecoveryEngine;
import io.dbrecover.engine.api.RecoveryPoint;
import io.dbrecover.engine.api.RunOptions;
import io.dbrecover.engine.api.RunOutcome;
import io.dbrecover.engine.api.Step;
import io.dbrecover.engine.spi.BackupRequest;
import io.dbrecover.engine.spi.BackupStorage;
import io.dbrecover.engine.spi.DatabaseInspector;
import io.dbrecover.engine.spi.ProviderContext;
import io.dbrecover.engine.testing.TestPostgres;
import io.dbrecover.postgres.PostgresProvider;
import io.dbrecover.postgres.PostgresProviderModule;
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
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.inject.Singleton;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The S3 backup store end to end: the engine wired by Dagger as the CLI is (the postgres provider
 * gets the {@code s3} store from the map multibinding), real pg_dump / pg_restore on an embedded
 * PostgreSQL, and a stateful S3 in WireMock.
 */
class S3BackupStoreIT {
  private static final String BUCKET = "acme-backups";
  private static final String PREFIX = "dbrecover/prod/";
  private static final int EVENTS = 250_000;

  /** The engine with the postgres provider and an S3 store whose clients use test credentials. */
  @Singleton
  @Component(modules = {EngineModule.class, PostgresProviderModule.class, TestS3Module.class})
  interface TestEngine {
    RecoveryEngine engine();
  }

  @Module
  static final class TestS3Module {
    private TestS3Module() {}

    @Provides
    @IntoMap
    @StringKey(S3BackupStorage.SCHEME)
    static BackupStorage.Factory s3() {
      return new S3BackupStorage.Factory(AwsStub.clients());
    }
  }

  private static final Interaction YES =
      new Interaction() {
        @Override
        public void progress(Step step, String message) {}

        @Override
        public boolean confirm(ProtectionLevel level, String phrase, String summary) {
          return true;
        }
      };

  private final S3Fake s3 = new S3Fake();
  private final RecoveryEngine engine = DaggerS3BackupStoreIT_TestEngine.create().engine();
  private final List<String> progress = new ArrayList<>();

  @TempDir Path dir;
  private DbUrl source;
  private DbRecoverConfig config;

  @BeforeEach
  void setUp() throws IOException, SQLException {
    s3.createBucket(BUCKET);
    source = TestPostgres.createDatabase();
    sql(
        source,
        "create table customers (id int primary key, name text not null)",
        "insert into customers select g, 'customer ' || g from generate_series(1, 100) g",
        "create table events (id bigint primary key, payload text not null)",
        // hex text compresses about 2:1, so this table's dump file spans two 5 MiB parts
        "insert into events select g, md5(g::text) || md5((g * 7)::text)"
            + " from generate_series(1, "
            + EVENTS
            + ") g");
    Files.write(
        dir.resolve("dbrecover.yaml"),
        List.of(
            "state-dir: state",
            "environments:",
            "  prod:",
            "    tier: development",
            "    database: { provider: postgres, url: \"${DATABASE_URL}\" }",
            "    backup-store:",
            "      url: s3://" + BUCKET + "/dbrecover/prod",
            "      options:",
            "        part-size: 5MiB",
            "        region: eu-west-1",
            "        endpoint-override: ${S3_ENDPOINT}",
            "    url-target: { type: dotenv, path: .env }",
            "    retention: { keep-last: 1, max-age: 1s, safety-max-age: 1s }",
            "    jobs: 2"));
    config =
        ConfigLoader.load(
            dir.resolve("dbrecover.yaml"),
            Map.of(
                "DATABASE_URL", source.toSecretUri().reveal(),
                "S3_ENDPOINT", s3.endpoint()));
  }

  @AfterEach
  void stop() {
    s3.close();
  }

  @Test
  void backup_uploadsTheDumpThenMetadataLast_andKeepsNoStagingCopy() throws IOException {
    RecoveryPoint p = engine.backup(config, "prod", "pre-deploy", progress::add);

    assertThat(p.id()).matches("backup-\\d{8}-\\d{6}-pre-deploy");
    assertThat(p.location()).isEqualTo("s3://" + BUCKET + "/" + PREFIX + p.id());
    assertThat(p.rowCounts()).containsEntry("public.events", (long) EVENTS);
    List<String> keys = new ArrayList<>(s3.objects(BUCKET).keySet());
    assertThat(keys)
        .contains(PREFIX + p.id() + "/metadata.json", PREFIX + p.id() + "/dump/toc.dat")
        .allMatch(k -> k.startsWith(PREFIX + p.id() + "/"));
    assertThat(s3.objects(BUCKET).values())
        .as("the events table's dump file went up as a multipart upload")
        .anyMatch(o -> o.etag().matches("\"[0-9a-f]{32}-2\""));
    assertThat(objectWrites()).last().isEqualTo(PREFIX + p.id() + "/metadata.json");
    assertThat(backupDirsIn(dir.resolve("state/staging/prod"))).isEmpty();
  }

  @Test
  void listBackups_readsTheRemoteMetadata() {
    RecoveryPoint p = engine.backup(config, "prod", null, progress::add);

    List<RecoveryPoint> points = engine.listBackups(config, "prod");

    assertThat(points).extracting(RecoveryPoint::id).containsExactly(p.id());
    assertThat(points.get(0).rowCounts()).containsEntry("public.customers", 100L);
    assertThat(points.get(0).schemaFingerprint()).isEqualTo(p.schemaFingerprint());
  }

  @Test
  void listBackups_ignoresABackupWithoutMetadata() {
    RecoveryPoint p = engine.backup(config, "prod", null, progress::add);
    s3.objects(BUCKET).remove(PREFIX + p.id() + "/metadata.json");

    assertThat(engine.listBackups(config, "prod")).isEmpty();
    BackupCheck check = engine.verifyBackup(config, "prod", p.id(), false, progress::add);
    assertThat(check.passed()).isFalse();
    assertThat(check.checks().get(0).detail())
        .isEqualTo("metadata.json missing: the backup never completed");
  }

  @Test
  void verifyBackup_intactBackup_passesEveryCheck() {
    RecoveryPoint p = engine.backup(config, "prod", null, progress::add);

    BackupCheck check = engine.verifyBackup(config, "prod", p.id(), true, progress::add);

    assertThat(check.checks()).allMatch(BackupCheck.Item::passed, "passed");
    assertThat(check.checks())
        .extracting(BackupCheck.Item::name)
        .contains("metadata", "checksums", "pg_restore --list");
    assertThat(downloadsLeft()).isEmpty();
  }

  @Test
  void verifyBackup_overwrittenObject_reportsTheFileWhoseSha256Differs() {
    RecoveryPoint p = engine.backup(config, "prod", null, progress::add);
    String victim = largestDumpObject(p.id());
    s3.overwrite(BUCKET, victim, "not a dump".getBytes());

    BackupCheck check = engine.verifyBackup(config, "prod", p.id(), false, progress::add);

    assertThat(check.passed()).isFalse();
    assertThat(check.checks())
        .filteredOn(i -> i.name().equals("checksums"))
        .singleElement()
        .satisfies(
            i ->
                assertThat(i.detail())
                    .isEqualTo(
                        victim.substring((PREFIX + p.id() + "/").length())
                            + " has a different sha256 than recorded (corrupt or modified)"));
  }

  @Test
  void restore_fromS3_bringsBackTheDataSideBySide_andACorruptBackupTouchesNothing()
      throws SQLException {
    RecoveryPoint good = engine.backup(config, "prod", "before-damage", progress::add);
    sql(source, "delete from events where id > 1000");

    RunOutcome restored = run(good.id());

    assertThat(restored.state()).isEqualTo(RunOutcome.State.DONE);
    DbUrl live = engine.liveUrl(config, "prod");
    assertThat(live.database()).isNotEqualTo(source.database());
    assertThat(count(live, "events")).isEqualTo(EVENTS);
    assertThat(count(source, "events")).isEqualTo(1000);
    assertThat(downloadsLeft()).isEmpty();

    s3.overwrite(BUCKET, largestDumpObject(good.id()), "tampered".getBytes());
    RunOutcome refused = run(good.id());

    assertThat(refused.state()).isEqualTo(RunOutcome.State.FAILED);
    assertThat(refused.error().code()).isEqualTo(ErrorCode.RESTORE_FAILED);
    assertThat(refused.error().code().exitCode()).isEqualTo(4);
    assertThat(refused.error().getMessage())
        .contains("backup " + good.id() + " failed its checksum check")
        .contains("has a different sha256 than recorded")
        .contains("nothing was changed");
    assertThat(engine.liveUrl(config, "prod")).isEqualTo(live);
    assertThat(count(live, "events")).isEqualTo(EVENTS);
  }

  @Test
  void prune_deletesExpiredBackupsFromTheBucket() throws InterruptedException {
    RecoveryPoint older = engine.backup(config, "prod", "one", progress::add);
    Thread.sleep(1100);
    RecoveryPoint newer = engine.backup(config, "prod", "two", progress::add);
    Thread.sleep(1100);

    PruneResult result = engine.prune(config, "prod", false);

    assertThat(result.deleted()).containsExactly(older.id());
    assertThat(s3.objects(BUCKET).keySet())
        .isNotEmpty()
        .allMatch(k -> k.startsWith(PREFIX + newer.id() + "/"));
    assertThat(engine.listBackups(config, "prod"))
        .extracting(RecoveryPoint::id)
        .containsExactly(newer.id());
  }

  @Test
  void backup_removesAnOldIncompleteRemoteBackupButNotAYoungOne() {
    s3.setNow(Instant.now().minus(Duration.ofHours(2)));
    s3.overwrite(BUCKET, PREFIX + "backup-20260101-000000/dump/toc.dat", new byte[] {1});
    s3.setNow(null);
    s3.overwrite(BUCKET, PREFIX + "backup-20260101-000001/dump/toc.dat", new byte[] {1});

    RecoveryPoint p = engine.backup(config, "prod", null, progress::add);

    assertThat(s3.objects(BUCKET).keySet())
        .noneMatch(k -> k.contains("backup-20260101-000000"))
        .contains(PREFIX + "backup-20260101-000001/dump/toc.dat")
        .contains(PREFIX + p.id() + "/metadata.json");
    assertThat(progress)
        .contains(
            "removing incomplete backup backup-20260101-000000 from s3://"
                + BUCKET
                + "/dbrecover/prod");
  }

  @Test
  void physicalBackup_onAnS3Store_isRefusedBeforeAnythingRuns() {
    assertThatThrownBy(() -> engine.backup(config, "prod", null, true, progress::add))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith(
            "backup --physical (a pg_basebackup base backup) needs a directory backup store")
        .hasMessageContaining("keeps backups in s3://acme-backups/dbrecover/prod")
        .extracting(e -> ((ConfigurationException) e).code().exitCode())
        .isEqualTo(1);
    assertThat(s3.server.findAll(anyRequestedFor(anyUrl()))).isEmpty();
  }

  @Test
  void verifyBackup_keyLeadingOutOfTheBackup_isRefusedAndWritesNothingOutside() {
    RecoveryPoint p = engine.backup(config, "prod", null, progress::add);
    s3.overwrite(BUCKET, PREFIX + p.id() + "/../../../../escaped.txt", "x".getBytes());

    assertThatThrownBy(() -> engine.verifyBackup(config, "prod", p.id(), false, progress::add))
        .hasMessageContaining("does not name a file of the backup");
    assertThat(dir.resolve("escaped.txt")).doesNotExist();
    assertThat(dir.resolve("state/escaped.txt")).doesNotExist();
    assertThat(downloadsLeft()).isEmpty();
  }

  @Test
  void backup_sameRunTwice_returnsTheFirstBackupAndUploadsNothingNew() {
    PostgresProvider provider =
        new PostgresProvider(System.getenv(), Map.of(S3BackupStorage.SCHEME, TestS3Module.s3()));
    ProviderContext ctx =
        new ProviderContext(
            config.environment("prod"), source, config.stateDir(), Clock.systemUTC(), null);
    RecoveryPoint first = provider.backup(ctx, new BackupRequest(null, true, "run-7"));
    List<String> writes = objectWrites();

    RecoveryPoint again = provider.backup(ctx, new BackupRequest(null, true, "run-7"));

    assertThat(again.id()).isEqualTo(first.id());
    assertThat(again.safety()).isTrue();
    assertThat(objectWrites()).isEqualTo(writes);
    assertThat(writes).filteredOn(k -> k.endsWith("/metadata.json")).hasSize(1);
  }

  @Test
  void pitrEnable_onAnS3Store_isRefused_andStatusSaysWhy() {
    assertThatThrownBy(() -> engine.enableArchiving(config, "prod", false, progress::add))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith(
            "WAL archiving for point-in-time restore needs a directory backup store");

    assertThat(engine.status(config, "prod").notes())
        .contains(
            "point-in-time restore needs a directory backup store (base backups and the WAL"
                + " archive stay on this machine); this environment keeps its backups in"
                + " s3://acme-backups/dbrecover/prod");
  }

  @Test
  void backup_deniedUpload_failsWithTheActionAndLeavesNoObjectOrStagingCopy() {
    s3.deny("PutObject");

    assertThatThrownBy(() -> engine.backup(config, "prod", null, progress::add))
        .hasMessageContaining("AWS denied s3:PutObject")
        .hasMessageNotContaining(source.password().map(p -> p.reveal()).orElse("no-password"));
    assertThat(s3.objects(BUCKET)).isEmpty();
    assertThat(s3.openUploads()).isZero();
    assertThat(backupDirsIn(dir.resolve("state/staging/prod"))).isEmpty();
  }

  // --- helpers

  private RunOutcome run(String backupId) {
    Incident incident = new Incident(Incident.Kind.DATA, null, null, backupId, null);
    try (RecoveryEngine.Lock lock = engine.lock(config, "prod", "test");
        RecoveryEngine.RunSession session =
            engine.start(
                config,
                engine.plan(config, "prod", incident),
                new RunOptions(incident, false, true, List.of(), null),
                lock)) {
      while (true) {
        RunOutcome o = session.advance(Instant.now().plus(Duration.ofMinutes(10)), YES);
        if (o.state() != RunOutcome.State.WAITING) {
          return o;
        }
      }
    }
  }

  /** Keys of the requests that created objects (PutObject, CompleteMultipartUpload), in order. */
  private List<String> objectWrites() {
    List<LoggedRequest> all = new ArrayList<>(s3.server.findAll(anyRequestedFor(anyUrl())));
    all.sort(Comparator.comparing(LoggedRequest::getLoggedDate));
    return all.stream()
        .filter(
            r ->
                (r.getMethod().getName().equals("PUT") && !r.getUrl().contains("uploadId="))
                    || (r.getMethod().getName().equals("POST") && r.getUrl().contains("uploadId=")))
        .map(r -> r.getUrl().replaceFirst("^/" + BUCKET + "/", "").replaceFirst("\\?.*$", ""))
        .toList();
  }

  private String largestDumpObject(String id) {
    return s3.objects(BUCKET).entrySet().stream()
        .filter(e -> e.getKey().startsWith(PREFIX + id + "/dump/"))
        .filter(e -> e.getKey().endsWith(".dat.gz"))
        .max(Comparator.comparingInt(e -> e.getValue().data().length))
        .orElseThrow()
        .getKey();
  }

  private List<Path> downloadsLeft() {
    return backupDirsIn(dir.resolve("state/staging/prod/downloads"));
  }

  private static List<Path> backupDirsIn(Path d) {
    if (!Files.isDirectory(d)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(d)) {
      return s.filter(p -> p.getFileName().toString().startsWith("backup-")).toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void sql(DbUrl url, String... statements) throws SQLException {
    try (Connection c = DatabaseInspector.connect(url);
        Statement st = c.createStatement()) {
      for (String s : statements) {
        st.execute(s);
      }
    }
  }

  private static long count(DbUrl url, String table) throws SQLException {
    try (Connection c = DatabaseInspector.connect(url);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select count(*) from " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
