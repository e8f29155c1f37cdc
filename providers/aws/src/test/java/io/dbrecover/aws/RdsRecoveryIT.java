package io.dbrecover.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbrecover.aws.internal.InstanceNames;
import io.dbrecover.engine.api.DbRecoverConfig;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.Incident;
import io.dbrecover.engine.api.Interaction;
import io.dbrecover.engine.api.Method;
import io.dbrecover.engine.api.MigrationTool;
import io.dbrecover.engine.api.Plan;
import io.dbrecover.engine.api.ProtectionLevel;
import io.dbrecover.engine.api.PruneResult;
import io.dbrecover.engine.api.RecoveryEngine;
import io.dbrecover.engine.api.RecoveryPoint;
import io.dbrecover.engine.api.RunOptions;
import io.dbrecover.engine.api.RunOutcome;
import io.dbrecover.engine.api.Step;
import io.dbrecover.engine.api.SwapBackResult;
import io.dbrecover.engine.api.Tier;
import io.dbrecover.engine.testing.TestPostgres;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole recovery run on the {@code rds} provider against a stateful RDS and Secrets Manager
 * (WireMock, real SDK), where every RDS instance is a real PostgreSQL server: the source instance
 * is a database on the shared embedded server, a point-in-time restore loads the state captured at
 * that time into a new embedded server. Verification, the data-loss report and the swap run on real
 * data.
 */
class RdsRecoveryIT {
  private static final String PASSWORD = "e2e-Pw-7f3kQ";
  private static final String SECRET = "app/prod/db";
  private static final Instant GOOD = Instant.parse("2025-01-15T10:00:00Z");
  private static final Instant MORE_ORDERS = Instant.parse("2025-01-15T10:05:00Z");
  private static final Instant BAD_MIGRATION = Instant.parse("2025-01-15T10:10:00Z");
  private static final Instant LATE_ORDER = Instant.parse("2025-01-15T10:12:00Z");

  @TempDir Path state;
  private final MutableClock clock = new MutableClock(GOOD);
  private FakeAws aws;
  private DbUrl source;
  private DbUrl sourceWithPassword;
  private RecoveryEngine engine;
  private DbRecoverConfig config;
  private final List<String> progress = new ArrayList<>();

  @BeforeEach
  void setUp() {
    aws = new FakeAws(clock);
    source = TestPostgres.createDatabase();
    TestPostgres.sql(
        source,
        "create table orders (id int primary key, customer text not null,"
            + " amount numeric(10,2) not null);"
            + " insert into orders select g, 'c' || g, g * 1.5 from generate_series(1, 100) g");
    aws.rds.addInstance(
        "orders", "localhost", source.port(), source.database(), Map.of("team", "payments"));
    aws.rds.capture("orders", GOOD);
    clock.set(MORE_ORDERS);
    TestPostgres.sql(
        source, "insert into orders select g, 'c' || g, g * 1.5 from generate_series(101, 105) g");
    aws.rds.capture("orders", MORE_ORDERS);
    clock.set(BAD_MIGRATION);
    TestPostgres.sql(source, "update orders set amount = 0 where id <= 40");
    aws.rds.capture("orders", BAD_MIGRATION);
    clock.set(LATE_ORDER);
    TestPostgres.sql(source, "insert into orders values (106, 'c106', 9.99)");
    aws.rds.capture("orders", LATE_ORDER);
    clock.set(Instant.parse("2025-01-15T10:20:00Z"));

    sourceWithPassword =
        DbUrl.parse(
            "postgresql://postgres:"
                + PASSWORD
                + "@localhost:"
                + source.port()
                + "/"
                + source.database());
    aws.secrets.create(
        SECRET,
        "{\"DATABASE_URL\":\""
            + sourceWithPassword.toSecretUri().reveal()
            + "\",\"REDIS_URL\":\"redis://cache:6379\"}");
    EnvironmentConfig env =
        new EnvironmentConfig(
            "production",
            Tier.PRODUCTION,
            ProtectionLevel.NONE,
            new EnvironmentConfig.Database(
                "rds",
                null,
                false,
                Map.of(
                    "instance",
                    "orders",
                    "region",
                    "eu-west-1",
                    "endpoint-override",
                    aws.endpoint())),
            state.resolve("backups"),
            new EnvironmentConfig.UrlTarget("secretsmanager", SECRET, "DATABASE_URL"),
            new EnvironmentConfig.Migrations(MigrationTool.SQL, null),
            Set.of(Method.POINT_IN_TIME, Method.SNAPSHOT_RESTORE, Method.DUMP_RESTORE),
            new EnvironmentConfig.Retention(1, Duration.ofDays(1), Duration.ofDays(90)),
            List.of(
                new EnvironmentConfig.SmokeQuery("orders", "select count(*) from orders", null)),
            1);
    config = new DbRecoverConfig(Optional.empty(), state, Map.of("production", env));
    engine = newEngine();
  }

  private RecoveryEngine newEngine() {
    AwsClients clients = AwsStub.clients();
    return new RecoveryEngine(
        // Waiting for a snapshot moves the test clock instead of sleeping.
        Map.of(RdsProvider.NAME, new RdsProvider(clients, d -> clock.set(clock.instant().plus(d)))),
        Map.of(
            SecretsManagerUrlTarget.TYPE,
            new SecretsManagerUrlTarget.Factory(
                clients, new AwsSettings("eu-west-1", URI.create(aws.endpoint())))),
        clock);
  }

  @AfterEach
  void tearDown() {
    aws.close();
  }

  @Test
  void recover_corruptedByAMigration_restoresJustBeforeItVerifiesReportsAndSwaps()
      throws Exception {
    Plan plan = engine.plan(config, "production", Incident.data(BAD_MIGRATION), false);
    assertThat(plan.decision().method())
        .as(String.valueOf(plan.decision()))
        .isEqualTo(Method.POINT_IN_TIME);

    RunOutcome outcome = runToTheEnd(plan);

    assertThat(outcome.state())
        .as(String.valueOf(outcome.error()))
        .isEqualTo(RunOutcome.State.DONE);
    String restoredId = InstanceNames.restored("orders", outcome.runId());
    RdsFake.Instance restored = aws.rds.instance(restoredId).orElseThrow();
    // The state captured at 10:05, the newest before the damage: 105 orders, none zeroed.
    DbUrl restoredDb = DbUrl.of("localhost", restored.port, source.database(), "postgres", null);
    assertThat(query(restoredDb, "select count(*) from orders")).isEqualTo("105");
    assertThat(query(restoredDb, "select count(*) from orders where amount = 0")).isEqualTo("0");
    // The original is kept as it was, for forensics and swap-back.
    assertThat(query(source, "select count(*) from orders where amount = 0")).isEqualTo("40");
    // DATABASE_URL now reaches the restored instance with the same credentials; other keys kept.
    var secret = new ObjectMapper().readTree(aws.secrets.current(SECRET));
    DbUrl swapped = DbUrl.parse(secret.get("DATABASE_URL").asText());
    assertThat(swapped.port()).isEqualTo(restored.port).isNotEqualTo(source.port());
    assertThat(swapped.password().map(p -> p.reveal())).contains(PASSWORD);
    assertThat(secret.get("REDIS_URL").asText()).isEqualTo("redis://cache:6379");
    // The settings RDS does not copy were passed, so the restored instance has the source's.
    assertThat(restored.settings).isEqualTo(RdsFake.Settings.PRODUCTION);
    assertThat(restored.tags)
        .containsEntry("team", "payments")
        .containsEntry("dbrecover:run", outcome.runId())
        .containsEntry("dbrecover:source", "orders");
    // Report: 106 live rows, 105 restored; order 106 is lost, the 40 zeroed rows are changed.
    String report = Files.readString(outcome.report());
    assertThat(report)
        .contains("status: **DONE**")
        .contains("| public.orders | 106 | 105 | 1 | 40 | 0 |");
    assertThat(aws.calls()).containsOnlyOnce("RestoreDBInstanceToPointInTime");
    assertThat(aws.calls()).filteredOn(c -> c.equals("secretsmanager.PutSecretValue")).hasSize(1);
    assertThat(allRunFiles()).noneMatch(text -> text.contains(PASSWORD));
    assertThat(String.join("\n", progress)).doesNotContain(PASSWORD);
  }

  @Test
  void swapBack_afterARecovery_pointsDatabaseUrlAtTheOriginalAgain() throws Exception {
    RunOutcome outcome =
        runToTheEnd(engine.plan(config, "production", Incident.data(BAD_MIGRATION), false));

    SwapBackResult back = engine.swapBack(config, outcome.runId());

    var secret = new ObjectMapper().readTree(aws.secrets.current(SECRET));
    assertThat(DbUrl.parse(secret.get("DATABASE_URL").asText()).port()).isEqualTo(source.port());
    assertThat(secret.get("REDIS_URL").asText()).isEqualTo("redis://cache:6379");
    assertThat(back.verification().passed()).isTrue();
    assertThat(back.url()).doesNotContain(PASSWORD).contains(":" + source.port() + "/");
    assertThat(aws.secrets.versionCount(SECRET)).isEqualTo(3);
  }

  @Test
  void resume_killedAfterTheRestoreCallBeforeItWasJournalled_adoptsTheInstanceAndRestoresOnce()
      throws Exception {
    Plan plan = engine.plan(config, "production", Incident.data(BAD_MIGRATION), false);
    String runId;
    try (RecoveryEngine.Lock lock = engine.lock(config, "production", "test");
        RecoveryEngine.RunSession session = engine.start(config, plan, options(), lock)) {
      runId = session.runId();
      RunOutcome first = session.advance(clock.instant().plus(Duration.ofHours(1)), io());
      assertThat(first.state()).isEqualTo(RunOutcome.State.WAITING);
      // What a process killed right after RDS accepted the restore leaves on disk: the journal
      // without the start-restore step's "done" record and what followed it.
      Path journal = session.runDir().resolve("journal.jsonl");
      List<String> lines = Files.readAllLines(journal);
      int cut = indexOf(lines, "\"" + Step.START_RESTORE.name() + "\"", "\"done\"");
      Files.write(journal, lines.subList(0, cut));
    }

    RunOutcome outcome;
    try (RecoveryEngine.RunSession resumed = newEngine().resume(config, runId)) {
      outcome = drive(resumed);
    }

    assertThat(outcome.state())
        .as(String.valueOf(outcome.error()))
        .isEqualTo(RunOutcome.State.DONE);
    assertThat(aws.calls()).containsOnlyOnce("RestoreDBInstanceToPointInTime");
    RdsFake.Instance restored =
        aws.rds.instance(InstanceNames.restored("orders", runId)).orElseThrow();
    assertThat(DbUrl.parse(secretUrl()).port()).isEqualTo(restored.port);
  }

  @Test
  void recover_fromALabelledSnapshot_restoresTheSnapshotsStateAndSwaps() throws Exception {
    RecoveryPoint snapshot = engine.backup(config, "production", "pre-deploy-42", progress::add);
    Instant deploy = clock.instant().plus(Duration.ofMinutes(10));
    clock.set(deploy);
    TestPostgres.sql(source, "delete from orders where id > 50");
    clock.set(deploy.plus(Duration.ofMinutes(5)));
    Incident pinned = new Incident(Incident.Kind.DATA, deploy, null, snapshot.id(), null);

    Plan plan = engine.plan(config, "production", pinned, false);
    RunOutcome outcome = runToTheEnd(plan, pinned);

    assertThat(plan.decision().method()).isEqualTo(Method.SNAPSHOT_RESTORE);
    assertThat(outcome.state())
        .as(String.valueOf(outcome.error()))
        .isEqualTo(RunOutcome.State.DONE);
    assertThat(snapshot.labelOpt()).contains("pre-deploy-42");
    assertThat(aws.rds.snapshot(snapshot.id()).orElseThrow().tags)
        .containsEntry("dbrecover:label", "pre-deploy-42")
        .containsEntry("dbrecover:backup", snapshot.id());
    RdsFake.Instance restored =
        aws.rds.instance(InstanceNames.restored("orders", outcome.runId())).orElseThrow();
    DbUrl restoredDb = DbUrl.of("localhost", restored.port, source.database(), "postgres", null);
    // The snapshot's state: all 106 orders, as they were when it was taken.
    assertThat(query(restoredDb, "select count(*) from orders")).isEqualTo("106");
    assertThat(restored.settings).isEqualTo(RdsFake.Settings.PRODUCTION);
    assertThat(DbUrl.parse(secretUrl()).port()).isEqualTo(restored.port);
    assertThat(Files.readString(outcome.report()))
        .contains("| public.orders | 50 | 106 | 0 | 0 | 56 |");
    assertThat(aws.calls()).containsOnlyOnce("RestoreDBInstanceFromDBSnapshot");
  }

  @Test
  void prune_twoSnapshotsOneExpired_deletesOnlyTheExpiredOneDbrecoverTook() {
    RecoveryPoint old = engine.backup(config, "production", "pre-deploy-41", progress::add);
    clock.set(clock.instant().plus(Duration.ofDays(2)));
    RecoveryPoint recent = engine.backup(config, "production", "pre-deploy-42", progress::add);
    clock.set(clock.instant().plus(Duration.ofHours(1)));

    assertThat(engine.listBackups(config, "production"))
        .extracting(RecoveryPoint::id)
        .containsExactly(recent.id(), old.id());
    PruneResult pruned = engine.prune(config, "production", false);

    assertThat(pruned.deleted()).containsExactly(old.id());
    assertThat(pruned.kept()).containsExactly(recent.id());
    assertThat(aws.rds.snapshot(old.id())).isEmpty();
    assertThat(aws.rds.snapshot(recent.id())).isPresent();
  }

  // ---- helpers ----

  private RunOutcome runToTheEnd(Plan plan) {
    return runToTheEnd(plan, Incident.data(BAD_MIGRATION));
  }

  private RunOutcome runToTheEnd(Plan plan, Incident incident) {
    RunOptions options = new RunOptions(incident, false, true, List.of(), null);
    try (RecoveryEngine.Lock lock = engine.lock(config, "production", "test");
        RecoveryEngine.RunSession session = engine.start(config, plan, options, lock)) {
      return drive(session);
    }
  }

  /** Advances, moving the clock to each "wait until" as the CLI's sleep would. */
  private RunOutcome drive(RecoveryEngine.RunSession session) {
    for (int i = 0; i < 200; i++) {
      RunOutcome outcome = session.advance(clock.instant().plus(Duration.ofHours(1)), io());
      if (outcome.state() != RunOutcome.State.WAITING) {
        return outcome;
      }
      clock.set(outcome.waitUntil());
    }
    throw new AssertionError("the run did not finish in 200 polls");
  }

  private static RunOptions options() {
    return new RunOptions(Incident.data(BAD_MIGRATION), false, true, List.of(), null);
  }

  private Interaction io() {
    return new Interaction() {
      @Override
      public void progress(Step step, String message) {
        progress.add(step + ": " + message);
      }

      @Override
      public boolean confirm(ProtectionLevel level, String phrase, String summary) {
        return true;
      }
    };
  }

  private String secretUrl() throws IOException {
    return new ObjectMapper().readTree(aws.secrets.current(SECRET)).get("DATABASE_URL").asText();
  }

  private static int indexOf(List<String> lines, String... parts) {
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (Stream.of(parts).allMatch(line::contains)) {
        return i;
      }
    }
    throw new AssertionError("no journal line with " + List.of(parts) + " in " + lines);
  }

  private List<String> allRunFiles() throws IOException {
    try (Stream<Path> files = Files.walk(state)) {
      return files
          .filter(Files::isRegularFile)
          .map(
              p -> {
                try {
                  return Files.readString(p);
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              })
          .toList();
    }
  }

  private static String query(DbUrl db, String sql) throws SQLException {
    try (Connection c = TestPostgres.connect(db);
        ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
