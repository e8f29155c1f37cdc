package io.dbrecover.gcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbrecover.engine.api.DbRecoverConfig;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.Incident;
import io.dbrecover.engine.api.Interaction;
import io.dbrecover.engine.api.Method;
import io.dbrecover.engine.api.MigrationTool;
import io.dbrecover.engine.api.Plan;
import io.dbrecover.engine.api.ProtectionLevel;
import io.dbrecover.engine.api.RecoveryEngine;
import io.dbrecover.engine.api.RunOptions;
import io.dbrecover.engine.api.RunOutcome;
import io.dbrecover.engine.api.Step;
import io.dbrecover.engine.api.SwapBackResult;
import io.dbrecover.engine.api.Tier;
import io.dbrecover.engine.testing.TestPostgres;
import io.dbrecover.gcp.internal.InstanceNames;
import io.dbrecover.gcp.internal.RetryPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
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
 * A whole recovery run on the {@code cloudsql} provider against a stateful Cloud SQL Admin API and
 * Secret Manager (WireMock, the real Google clients), where every Cloud SQL instance is a real
 * PostgreSQL server: the source instance is a database on the shared embedded server, a clone to a
 * point in time loads the state captured at that time into a new embedded server reached at its own
 * address. Verification, the data-loss report and the DATABASE_URL swap run on real data.
 */
class CloudSqlRecoveryIT {
  private static final String PASSWORD = "e2e-Pw-9gQx2";
  private static final String SECRET = "app-db";
  private static final String SECRET_NAME = "projects/" + GcpStub.PROJECT + "/secrets/" + SECRET;
  private static final String CLONE = "POST instances/orders/clone";
  private static final Instant GOOD = Instant.parse("2025-01-15T10:00:00Z");
  private static final Instant MORE_ORDERS = Instant.parse("2025-01-15T10:05:00Z");
  private static final Instant BAD_MIGRATION = Instant.parse("2025-01-15T10:10:00Z");
  private static final Instant LATE_ORDER = Instant.parse("2025-01-15T10:12:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path state;
  private final MutableClock clock = new MutableClock(GOOD);
  private final List<Duration> retryWaits = new ArrayList<>();
  private final List<String> progress = new ArrayList<>();
  private FakeGcp gcp;
  private DbUrl source;
  private RecoveryEngine engine;
  private DbRecoverConfig config;

  @BeforeEach
  void setUp() {
    gcp = new FakeGcp(clock);
    source = TestPostgres.createDatabase();
    TestPostgres.sql(
        source,
        "create table orders (id int primary key, customer text not null,"
            + " amount numeric(10,2) not null);"
            + " insert into orders select g, 'c' || g, g * 1.5 from generate_series(1, 100) g");
    gcp.sql.addInstance("orders", "localhost", source.port(), source.database());
    gcp.sql.capture("orders", GOOD);
    clock.set(MORE_ORDERS);
    TestPostgres.sql(
        source, "insert into orders select g, 'c' || g, g * 1.5 from generate_series(101, 105) g");
    gcp.sql.capture("orders", MORE_ORDERS);
    clock.set(BAD_MIGRATION);
    TestPostgres.sql(source, "update orders set amount = 0 where id <= 40");
    gcp.sql.capture("orders", BAD_MIGRATION);
    clock.set(LATE_ORDER);
    TestPostgres.sql(source, "insert into orders values (106, 'c106', 9.99)");
    gcp.sql.capture("orders", LATE_ORDER);
    clock.set(Instant.parse("2025-01-15T10:20:00Z"));

    DbUrl live =
        DbUrl.parse(
            "postgresql://postgres:"
                + PASSWORD
                + "@localhost:"
                + source.port()
                + "/"
                + source.database());
    gcp.secrets.create(
        SECRET,
        "{\"DATABASE_URL\":\""
            + live.toSecretUri().reveal()
            + "\",\"REDIS_URL\":\"redis://cache:6379\"}");
    EnvironmentConfig env =
        new EnvironmentConfig(
            "production",
            Tier.PRODUCTION,
            ProtectionLevel.NONE,
            new EnvironmentConfig.Database(
                CloudSqlProvider.NAME,
                null,
                false,
                Map.of(
                    "project",
                    GcpStub.PROJECT,
                    "instance",
                    "orders",
                    "api-url",
                    gcp.root().toString(),
                    "port",
                    String.valueOf(gcp.sql.port()))),
            state.resolve("backups"),
            new EnvironmentConfig.UrlTarget(
                SecretManagerUrlTarget.TYPE, SECRET_NAME, "DATABASE_URL"),
            new EnvironmentConfig.Migrations(MigrationTool.SQL, null),
            Set.of(Method.POINT_IN_TIME, Method.SNAPSHOT_RESTORE, Method.DUMP_RESTORE),
            new EnvironmentConfig.Retention(1, Duration.ofDays(1), Duration.ofDays(90)),
            List.of(
                new EnvironmentConfig.SmokeQuery("orders", "select count(*) from orders", null)),
            1);
    config = new DbRecoverConfig(Optional.empty(), state, Map.of("production", env));
    engine = newEngine();
  }

  /** A fresh engine and clients, as a new process would have. */
  private RecoveryEngine newEngine() {
    GcpClients clients = GcpStub.clients(RetryPolicy.DEFAULT, retryWaits);
    return new RecoveryEngine(
        // Waiting for an operation moves the test clock instead of sleeping.
        Map.of(
            CloudSqlProvider.NAME,
            new CloudSqlProvider(clients, d -> clock.set(clock.instant().plus(d)), Map.of())),
        Map.of(
            SecretManagerUrlTarget.TYPE, new SecretManagerUrlTarget.Factory(clients, gcp.root())),
        clock);
  }

  @AfterEach
  void tearDown() {
    gcp.close();
  }

  @Test
  void recover_corruptedByAMigration_clonesJustBeforeItVerifiesReportsAndSwaps() throws Exception {
    Plan plan = engine.plan(config, "production", Incident.data(BAD_MIGRATION), false);
    assertThat(plan.decision().method())
        .as(String.valueOf(plan.decision()))
        .isEqualTo(Method.POINT_IN_TIME);

    RunOutcome outcome = runToTheEnd(plan);

    assertThat(outcome.state())
        .as(String.valueOf(outcome.error()))
        .isEqualTo(RunOutcome.State.DONE);
    String cloneName = InstanceNames.restored("orders", outcome.runId());
    CloudSqlFake.Instance clone = gcp.sql.instance(cloneName).orElseThrow();
    assertThat(clone.state).isEqualTo("RUNNABLE");
    // The state captured at 10:05, the newest before the damage: 105 orders, none zeroed, and
    // order 106 (after the damage) absent. Read at the clone's own address, as the app will.
    DbUrl restored = DbUrl.of(clone.ip, gcp.sql.port(), source.database(), "postgres", null);
    assertThat(query(restored, "select count(*) from orders")).isEqualTo("105");
    assertThat(query(restored, "select count(*) from orders where amount = 0")).isEqualTo("0");
    assertThat(query(restored, "select count(*) from orders where id = 106")).isEqualTo("0");
    // The original is kept as it was, for forensics and swap-back.
    assertThat(query(source, "select count(*) from orders where amount = 0")).isEqualTo("40");
    assertThat(query(source, "select count(*) from orders")).isEqualTo("106");
    // DATABASE_URL now reaches the clone with the same credentials; other keys kept; the version
    // it replaced is recorded for swap-back.
    JsonNode secret = JSON.readTree(gcp.secrets.current(SECRET));
    DbUrl swapped = DbUrl.parse(secret.get("DATABASE_URL").asText());
    assertThat(swapped.host()).isEqualTo(clone.ip);
    assertThat(swapped.port()).isEqualTo(gcp.sql.port()).isNotEqualTo(source.port());
    assertThat(swapped.database()).isEqualTo(source.database());
    assertThat(swapped.password().map(p -> p.reveal())).contains(PASSWORD);
    assertThat(secret.get("REDIS_URL").asText()).isEqualTo("redis://cache:6379");
    assertThat(gcp.secrets.versions(SECRET)).hasSize(2);
    assertThat(allRunFiles()).anyMatch(text -> text.contains("\"previous-version-id\":\"1\""));
    // Report: 106 live rows, 105 restored; order 106 is lost, the 40 zeroed rows are changed.
    String report = Files.readString(outcome.report());
    assertThat(report)
        .contains("status: **DONE**")
        .contains("| public.orders | 106 | 105 | 1 | 40 | 0 |");
    // One clone, to a time before the damage and after the last good capture.
    assertThat(gcp.calls()).containsOnlyOnce(CLONE);
    JsonNode cloneContext =
        JSON.readTree(
                gcp.server
                    .findAll(
                        com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(
                            com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching(
                                ".*/instances/orders/clone")))
                    .get(0)
                    .getBodyAsString())
            .path("cloneContext");
    assertThat(cloneContext.path("destinationInstanceName").asText()).isEqualTo(cloneName);
    Instant at = Instant.parse(cloneContext.path("pointInTime").asText());
    assertThat(at).isBefore(BAD_MIGRATION).isAfterOrEqualTo(MORE_ORDERS);
    assertThat(gcp.calls()).filteredOn(c -> c.endsWith(":addVersion")).hasSize(1);
    assertThat(retryWaits).isEmpty();
    assertThat(allRunFiles()).noneMatch(text -> text.contains(PASSWORD));
    assertThat(String.join("\n", progress)).doesNotContain(PASSWORD);
  }

  @Test
  void swapBack_afterARecovery_pointsDatabaseUrlAtTheOriginalAgain() throws Exception {
    RunOutcome outcome =
        runToTheEnd(engine.plan(config, "production", Incident.data(BAD_MIGRATION), false));
    assertThat(outcome.state())
        .as(String.valueOf(outcome.error()))
        .isEqualTo(RunOutcome.State.DONE);

    SwapBackResult back = engine.swapBack(config, outcome.runId());

    JsonNode secret = JSON.readTree(gcp.secrets.current(SECRET));
    DbUrl url = DbUrl.parse(secret.get("DATABASE_URL").asText());
    assertThat(url.host()).isEqualTo("localhost");
    assertThat(url.port()).isEqualTo(source.port());
    assertThat(url.password().map(p -> p.reveal())).contains(PASSWORD);
    assertThat(secret.get("REDIS_URL").asText()).isEqualTo("redis://cache:6379");
    assertThat(back.verification().passed()).isTrue();
    assertThat(back.url()).doesNotContain(PASSWORD).contains(":" + source.port() + "/");
    // Versions are added, never destroyed: the original, the swap, the swap back.
    assertThat(gcp.secrets.versions(SECRET))
        .extracting(SecretManagerFake.Version::number)
        .containsExactly(1, 2, 3);
    assertThat(gcp.secrets.versions(SECRET).get(2).text())
        .isEqualTo(gcp.secrets.versions(SECRET).get(0).text());
  }

  @Test
  void resume_killedAfterTheCloneCallBeforeItWasJournalled_findsTheCloneAndClonesOnce()
      throws Exception {
    Plan plan = engine.plan(config, "production", Incident.data(BAD_MIGRATION), false);
    String runId;
    try (RecoveryEngine.Lock lock = engine.lock(config, "production", "test");
        RecoveryEngine.RunSession session = engine.start(config, plan, options(), lock)) {
      runId = session.runId();
      RunOutcome first = session.advance(clock.instant().plus(Duration.ofHours(1)), io());
      assertThat(first.state()).isEqualTo(RunOutcome.State.WAITING);
      assertThat(gcp.calls()).containsOnlyOnce(CLONE);
      // What a process killed right after Cloud SQL accepted the clone leaves on disk: the
      // journal without the start-restore step's "done" record and what followed it.
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
    assertThat(gcp.calls()).containsOnlyOnce(CLONE);
    CloudSqlFake.Instance clone =
        gcp.sql.instance(InstanceNames.restored("orders", runId)).orElseThrow();
    DbUrl restored = DbUrl.of(clone.ip, gcp.sql.port(), source.database(), "postgres", null);
    assertThat(query(restored, "select count(*) from orders")).isEqualTo("105");
    assertThat(DbUrl.parse(secretUrl()).host()).isEqualTo(clone.ip);
  }

  @Test
  void recover_cloneOperationEndsWithAnError_failsWithExit4AndLeavesTheOriginalAndTheSecret()
      throws Exception {
    String before = gcp.secrets.current(SECRET);
    gcp.sql.failClones("An internal error occurred while cloning the instance.");

    RunOutcome outcome =
        runToTheEnd(engine.plan(config, "production", Incident.data(BAD_MIGRATION), false));

    assertThat(outcome.state()).isEqualTo(RunOutcome.State.FAILED);
    assertThat(outcome.error().code()).isEqualTo(ErrorCode.RESTORE_FAILED);
    assertThat(outcome.error().code().exitCode()).isEqualTo(4);
    assertThat(outcome.error().getMessage())
        .contains("INTERNAL_ERROR")
        .contains("An internal error occurred while cloning the instance.");
    assertThat(gcp.calls()).containsOnlyOnce(CLONE);
    // Nothing swapped: DATABASE_URL still holds the original, in its only version.
    assertThat(gcp.secrets.current(SECRET)).isEqualTo(before);
    assertThat(gcp.secrets.versions(SECRET)).hasSize(1);
    assertThat(gcp.calls()).noneMatch(c -> c.endsWith(":addVersion"));
    assertThat(query(source, "select count(*) from orders")).isEqualTo("106");
    assertThat(query(source, "select count(*) from orders where amount = 0")).isEqualTo("40");
  }

  // ---- helpers ----

  private RunOutcome runToTheEnd(Plan plan) {
    try (RecoveryEngine.Lock lock = engine.lock(config, "production", "test");
        RecoveryEngine.RunSession session = engine.start(config, plan, options(), lock)) {
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
    return JSON.readTree(gcp.secrets.current(SECRET)).get("DATABASE_URL").asText();
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

  /** A clock the test moves by hand; shared by the engine and the fakes. */
  static final class MutableClock extends Clock {
    private volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void set(Instant instant) {
      now = instant;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
