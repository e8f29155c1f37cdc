package io.dbrecover.neon;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DataLossReport;
import io.dbrecover.engine.api.DbRecoverConfig;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.Decision;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.Incident;
import io.dbrecover.engine.api.Interaction;
import io.dbrecover.engine.api.Method;
import io.dbrecover.engine.api.MigrationTool;
import io.dbrecover.engine.api.Plan;
import io.dbrecover.engine.api.ProtectionLevel;
import io.dbrecover.engine.api.RecoveryEngine;
import io.dbrecover.engine.api.RecoveryPoint;
import io.dbrecover.engine.api.RunOptions;
import io.dbrecover.engine.api.RunOutcome;
import io.dbrecover.engine.api.Step;
import io.dbrecover.engine.api.SwapBackResult;
import io.dbrecover.engine.api.Tier;
import io.dbrecover.engine.internal.DotenvUrlTarget;
import io.dbrecover.engine.spi.ProviderContext;
import io.dbrecover.engine.spi.UrlTarget;
import io.dbrecover.engine.testing.TestPostgres;
import io.dbrecover.neon.testing.MutableClock;
import io.dbrecover.neon.testing.NeonApiStub;
import io.dbrecover.neon.testing.NeonFake;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recoveries of a Neon environment through the engine's public API, against {@link NeonFake}: a
 * stateful Neon API whose branches are real databases on the embedded PostgreSQL server. Restore,
 * verification, the data-loss report and the DATABASE_URL swap all run against real data; every
 * request and answer is checked against Neon's OpenAPI document.
 *
 * <p>The story of each test: {@code main} holds three good orders at 10:00; at 10:30 a bad deploy
 * corrupts order 2, deletes order 3 and a customer places order 4; at 11:00 the operator recovers
 * to just before 10:30.
 */
class NeonEngineIT {
  private static final String ENV = "production";
  private static final Instant T0 = Instant.parse("2025-01-15T09:00:00Z");
  private static final Instant GOOD = Instant.parse("2025-01-15T10:00:00Z");
  private static final Instant DAMAGE = Instant.parse("2025-01-15T10:30:00Z");
  private static final Instant NOW = Instant.parse("2025-01-15T11:00:00Z");

  private final MutableClock clock = new MutableClock(T0);
  private final NeonFake fake = new NeonFake(clock, NeonApiStub.PROJECT, 86400);
  @RegisterExtension final NeonApiStub neon = new NeonApiStub(fake);
  @TempDir Path state;
  private final List<String> progress = new ArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    neon.stub(
        any(urlPathMatching("/api/v2/.*")).willReturn(aResponse().withTransformers(NeonFake.NAME)));
    fake.addBranch("main", true);
    TestPostgres.sql(
        fake.url("main"),
        "create table orders (id int primary key, item text not null);"
            + " insert into orders values (1, 'tea'), (2, 'cake'), (3, 'scone')");
    clock.set(GOOD);
    fake.capture("main");
    Files.writeString(dotenv(), "DATABASE_URL=" + fake.url("main").toSecretUri().reveal() + "\n");
  }

  /** The bad deploy at 10:30 and a customer's order just after it; the clock ends at 11:00. */
  private void damage() {
    clock.set(DAMAGE);
    TestPostgres.sql(
        fake.url("main"),
        "update orders set item = 'CORRUPT' where id = 2; delete from orders where id = 3;"
            + " insert into orders values (4, 'pie')");
    fake.capture("main");
    clock.set(NOW);
  }

  private NeonProvider provider() {
    return new NeonProvider(
        Map.of("NEON_API_KEY", NeonApiStub.API_KEY), neon.clients(), clock::advance);
  }

  private RecoveryEngine engine() {
    return new RecoveryEngine(
        Map.of(NeonProvider.NAME, provider()),
        // The engine's own dotenv target, as the CLI registers it.
        Map.<String, UrlTarget.Factory>of(DotenvUrlTarget.TYPE, new DotenvUrlTarget.Factory()),
        clock);
  }

  private Path dotenv() {
    return state.resolve("app.env");
  }

  private DbRecoverConfig config(List<EnvironmentConfig.SmokeQuery> smoke) {
    EnvironmentConfig env =
        new EnvironmentConfig(
            ENV,
            Tier.PRODUCTION,
            ProtectionLevel.STRICT,
            new EnvironmentConfig.Database(
                NeonProvider.NAME,
                null,
                false,
                Map.of(
                    "project-id", NeonApiStub.PROJECT,
                    "branch", "main",
                    "database", NeonFake.DATABASE,
                    "role", NeonFake.ROLE,
                    "api-url", neon.baseUrl())),
            state.resolve("backups"),
            new EnvironmentConfig.UrlTarget("dotenv", dotenv().toString(), "DATABASE_URL"),
            new EnvironmentConfig.Migrations(MigrationTool.SQL, null),
            Set.of(Method.values()),
            EnvironmentConfig.Retention.DEFAULT,
            smoke,
            1);
    return new DbRecoverConfig(Optional.empty(), state, Map.of(ENV, env));
  }

  private DbRecoverConfig config() {
    return config(List.of());
  }

  private final Interaction io =
      new Interaction() {
        @Override
        public void progress(Step step, String message) {
          progress.add(step.label() + ": " + message);
        }

        @Override
        public boolean confirm(ProtectionLevel level, String phrase, String summary) {
          progress.add("confirm: " + summary);
          return true;
        }
      };

  /** Plans under the lock and starts the run, as {@code dbrecover rollback} does. */
  private RecoveryEngine.RunSession start(
      RecoveryEngine engine, DbRecoverConfig config, Incident incident, boolean inPlace) {
    RecoveryEngine.Lock lock = engine.lock(config, ENV, "test");
    Plan plan = engine.plan(config, ENV, incident, false);
    return engine.start(
        config, plan, new RunOptions(incident, inPlace, false, List.of(), null), lock);
  }

  /** Advances the run, moving the clock to each "wait until", as the CLI's loop sleeps. */
  private RunOutcome drive(RecoveryEngine.RunSession session) {
    for (int i = 0; i < 50; i++) {
      RunOutcome outcome = session.advance(clock.instant().plus(Duration.ofMinutes(10)), io);
      if (outcome.state() != RunOutcome.State.WAITING) {
        return outcome;
      }
      clock.set(outcome.waitUntil());
    }
    throw new AssertionError("the run did not finish in 50 advances: " + progress);
  }

  private RunOutcome recover(Incident incident, boolean inPlace) {
    RecoveryEngine engine = engine();
    try (RecoveryEngine.RunSession session = start(engine, config(), incident, inPlace)) {
      return drive(session);
    }
  }

  @Test
  void rollback_branchRestore_recoversTheStateBeforeTheDamage_reportsTheLoss_andSwapsTheUrl()
      throws Exception {
    damage();

    RunOutcome outcome = recover(Incident.data(DAMAGE), false);

    assertThat(outcome.state()).as("%s", outcome.error()).isEqualTo(RunOutcome.State.DONE);
    String restored = restoredBranch();
    assertThat(restored).startsWith(fake.url("main").database() + "_rb_");
    assertThat(dotenvUrl()).isEqualTo(fake.url(restored).toSecretUri().reveal());
    assertThat(orders(DbUrl.parse(dotenvUrl()))).containsExactly("1=tea", "2=cake", "3=scone");
    assertThat(orders(fake.url("main")))
        .as("the live branch is untouched, for forensics and swap-back")
        .containsExactly("1=tea", "2=CORRUPT", "4=pie");
    JsonNode report = reportJson(outcome);
    assertThat(report.at("/decision/method").asText()).isEqualTo("BRANCH_RESTORE");
    JsonNode table = report.at("/dataLoss/tables/0");
    assertThat(table.path("name").asText()).isEqualTo("public.orders");
    assertThat(table.path("currentRows").asLong()).isEqualTo(3);
    assertThat(table.path("recoveredRows").asLong()).isEqualTo(3);
    assertThat(table.path("lostRows").asLong()).as("order 4, placed after the damage").isEqualTo(1);
    assertThat(table.path("changedRows").asLong()).as("order 2").isEqualTo(1);
    assertThat(table.path("addedRows").asLong()).as("order 3 comes back").isEqualTo(1);
    assertThat(requests("POST", "/branches")).hasSize(1);
    JsonNode created = json(requests("POST", "/branches").get(0).getRequest().getBodyAsString());
    assertThat(created.at("/branch/parent_timestamp").asText())
        .isEqualTo(DAMAGE.minusNanos(1000).toString());
    assertNoSecretsIn(outcome.report().getParent());
  }

  @Test
  void rollback_neonFailsTheNewBranch_exit4_liveBranchAndUrlUntouched() throws Exception {
    damage();
    String urlBefore = dotenvUrl();
    fake.failNext("create_timeline");

    RunOutcome outcome = recover(Incident.data(DAMAGE), false);

    assertThat(outcome.state()).isEqualTo(RunOutcome.State.FAILED);
    assertThat(outcome.error().code()).isEqualTo(ErrorCode.RESTORE_FAILED);
    assertThat(outcome.error()).hasMessageContaining("create_timeline");
    assertThat(dotenvUrl()).isEqualTo(urlBefore);
    assertThat(orders(fake.url("main"))).containsExactly("1=tea", "2=CORRUPT", "4=pie");
    assertThat(requests("POST", "/restore")).isEmpty();
  }

  @Test
  void plan_damageOlderThanTheHistoryWindow_noRecoveryPointAndNothingChanged() {
    damage();
    clock.set(NOW.plus(Duration.ofDays(3)));

    Plan plan = engine().plan(config(), ENV, Incident.data(DAMAGE));

    assertThat(plan.decision().outcome()).isEqualTo(Decision.Outcome.NO_RECOVERY_POINT);
    assertThat(plan.historyWindow().earliest()).isEqualTo(clock.instant().minusSeconds(86400));
    assertThat(mutations()).isEmpty();
  }

  @Test
  void rollbackInPlace_restoresTheLiveBranch_andKeepsItsOldStateAsTheSafetyCopy() throws Exception {
    damage();
    String urlBefore = dotenvUrl();

    RunOutcome outcome = recover(Incident.data(DAMAGE), true);

    assertThat(outcome.state()).as("%s", outcome.error()).isEqualTo(RunOutcome.State.DONE);
    String preserved = "main_before_" + outcome.runId();
    assertThat(dotenvUrl()).as("connection string unchanged").isEqualTo(urlBefore);
    assertThat(orders(fake.url("main"))).containsExactly("1=tea", "2=cake", "3=scone");
    assertThat(orders(fake.url(preserved))).containsExactly("1=tea", "2=CORRUPT", "4=pie");
    assertThat(requests("POST", "/snapshot"))
        .as("the preserved branch is the safety copy: no snapshot, no pg_dump")
        .isEmpty();
    List<ServeEvent> restores = requests("POST", "/restore");
    assertThat(restores).hasSize(1);
    JsonNode body = json(restores.get(0).getRequest().getBodyAsString());
    assertThat(body.path("preserve_under_name").asText()).isEqualTo(preserved);
    assertThat(body.path("source_branch_id").asText())
        .isEqualTo(fake.branchId(restoredBranch()).orElseThrow());
    JsonNode report = reportJson(outcome);
    assertThat(report.path("safetyCopy").asText()).contains(preserved);
    assertThat(report.path("swapBack").asText())
        .isEqualTo("dbrecover swap-back " + outcome.runId());
    assertThat(progress)
        .anyMatch(l -> l.contains("its current state is kept as Neon branch " + preserved));
    assertNoSecretsIn(outcome.report().getParent());
  }

  @Test
  void swapBack_afterAnInPlaceRun_restoresTheLiveBranchFromThePreservedOne_once() throws Exception {
    damage();
    String urlBefore = dotenvUrl();
    RunOutcome outcome = recover(Incident.data(DAMAGE), true);

    SwapBackResult first = engine().swapBack(config(), outcome.runId());
    SwapBackResult again = engine().swapBack(config(), outcome.runId());

    assertThat(first.verification().passed()).isTrue();
    assertThat(first.target()).contains("main_before_" + outcome.runId());
    assertThat(again.target()).isEqualTo(first.target());
    assertThat(dotenvUrl()).isEqualTo(urlBefore);
    assertThat(orders(fake.url("main"))).containsExactly("1=tea", "2=CORRUPT", "4=pie");
    assertThat(orders(fake.url("main_swapped_back_" + outcome.runId())))
        .containsExactly("1=tea", "2=cake", "3=scone");
    assertThat(requests("POST", "/restore")).as("the run's, then one swap-back").hasSize(2);
  }

  @Test
  void deleteBackup_preservedBranchWithTheVerifiedBranchBelowIt_namesTheChild_deletesNothing() {
    damage();
    RunOutcome outcome = recover(Incident.data(DAMAGE), true);
    String preserved = fake.branchId("main_before_" + outcome.runId()).orElseThrow();
    ProviderContext ctx =
        new ProviderContext(config().environment(ENV), fake.url("main"), state, clock, null);

    ConfigurationException e =
        catchThrowableOfType(
            () -> provider().deleteBackup(ctx, preserved), ConfigurationException.class);

    assertThat(e).hasMessageContaining("delete them first").hasMessageContaining(restoredBranch());
    assertThat(fake.branchId(preserved)).isPresent();
    assertThat(requests("DELETE", "")).isEmpty();
  }

  @Test
  void listBackups_afterAnInPlaceRun_showsSnapshotsAndThePreservedBranch() {
    RecoveryPoint snapshot = engine().backup(config(), ENV, "before-deploy", m -> {});
    damage();
    RunOutcome outcome = recover(Incident.data(DAMAGE), true);

    List<RecoveryPoint> backups = engine().listBackups(config(), ENV);

    assertThat(backups)
        .extracting(RecoveryPoint::kind, RecoveryPoint::label, RecoveryPoint::safety)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(RecoveryPoint.Kind.SNAPSHOT, outcome.runId(), true),
            org.assertj.core.groups.Tuple.tuple(
                RecoveryPoint.Kind.SNAPSHOT, snapshot.label(), false));
    assertThat(backups.get(0).id())
        .isEqualTo(fake.branchId("main_before_" + outcome.runId()).orElseThrow());
    assertThat(backups.get(1).id()).isEqualTo(snapshot.id());
  }

  @Test
  void restoreInPlace_snapshot_previewIsVerifiedThenFinalized() throws Exception {
    RecoveryPoint snapshot = engine().backup(config(), ENV, "before-deploy", m -> {});
    damage();
    String urlBefore = dotenvUrl();

    RunOutcome outcome =
        recover(new Incident(Incident.Kind.DATA, DAMAGE, null, snapshot.id(), null), true);

    assertThat(outcome.state()).as("%s", outcome.error()).isEqualTo(RunOutcome.State.DONE);
    String preserved = "main_before_" + outcome.runId();
    JsonNode restore =
        json(
            requests("POST", "/snapshots/" + snapshot.id() + "/restore")
                .get(0)
                .getRequest()
                .getBodyAsString());
    assertThat(restore.path("finalize_restore").asBoolean(true)).as("a preview first").isFalse();
    List<ServeEvent> finalized = requests("POST", "/finalize_restore");
    assertThat(finalized).hasSize(1);
    assertThat(requests("DELETE", ""))
        .as("the preview's own compute gives way to the live branch's")
        .singleElement()
        .satisfies(e -> assertThat(e.getRequest().getUrl()).contains("/endpoints/"));
    assertThat(json(finalized.get(0).getRequest().getBodyAsString()).path("name").asText())
        .isEqualTo(preserved);
    assertThat(dotenvUrl()).isEqualTo(urlBefore);
    assertThat(orders(DbUrl.parse(urlBefore))).containsExactly("1=tea", "2=cake", "3=scone");
    assertThat(orders(fake.url(preserved))).containsExactly("1=tea", "2=CORRUPT", "4=pie");
  }

  @Test
  void restoreInPlace_snapshotPreviewFailsVerification_neverFinalized_exit5() throws Exception {
    RecoveryPoint snapshot = engine().backup(config(), ENV, "before-deploy", m -> {});
    damage();
    DbRecoverConfig config =
        config(
            List.of(
                new EnvironmentConfig.SmokeQuery(
                    "order 4 is there", "select count(*) from orders where id = 4", "1")));
    RecoveryEngine engine = engine();
    Incident incident = new Incident(Incident.Kind.DATA, DAMAGE, null, snapshot.id(), null);

    RunOutcome outcome;
    try (RecoveryEngine.RunSession session = start(engine, config, incident, true)) {
      outcome = drive(session);
    }

    assertThat(outcome.state()).isEqualTo(RunOutcome.State.FAILED);
    assertThat(outcome.error().code()).isEqualTo(ErrorCode.VERIFICATION_FAILED);
    assertThat(requests("POST", "/finalize_restore")).isEmpty();
    assertThat(orders(fake.url("main"))).containsExactly("1=tea", "2=CORRUPT", "4=pie");
  }

  @Test
  void resume_killedAfterTheBranchRequestWasAccepted_createsNoSecondBranch() throws Exception {
    damage();
    RunOutcome first = recover(Incident.data(DAMAGE), false);
    // As if the process died right after Neon accepted the POST, before the journal said so.
    cutJournalAfter(first.runId(), Step.START_RESTORE);
    Files.writeString(dotenv(), "DATABASE_URL=" + fake.url("main").toSecretUri().reveal() + "\n");

    RunOutcome resumed;
    try (RecoveryEngine.RunSession session = engine().resume(config(), first.runId())) {
      resumed = drive(session);
    }

    assertThat(resumed.state()).as("%s", resumed.error()).isEqualTo(RunOutcome.State.DONE);
    assertThat(requests("POST", "/branches")).hasSize(1);
    assertThat(orders(DbUrl.parse(dotenvUrl()))).containsExactly("1=tea", "2=cake", "3=scone");
  }

  @Test
  void resumeInPlace_killedAfterTheRestoreRequestWasAccepted_sendsNoSecondRestore()
      throws Exception {
    damage();
    RunOutcome first = recover(Incident.data(DAMAGE), true);
    cutJournalAfter(first.runId(), Step.SWAP_URL);

    RunOutcome resumed;
    try (RecoveryEngine.RunSession session = engine().resume(config(), first.runId())) {
      resumed = drive(session);
    }

    assertThat(resumed.state()).as("%s", resumed.error()).isEqualTo(RunOutcome.State.DONE);
    assertThat(requests("POST", "/restore")).hasSize(1);
    assertThat(requests("POST", "/branches")).hasSize(1);
    assertThat(orders(fake.url("main"))).containsExactly("1=tea", "2=cake", "3=scone");
  }

  @Test
  void dryRun_branchesAtTheTarget_reportsTheExactLoss_andDeletesTheBranchAgain() throws Exception {
    damage();

    Plan plan = engine().dryRun(config(), ENV, Incident.data(DAMAGE), progress::add);

    assertThat(plan.dataLossEstimate().estimate()).as("measured, not estimated").isFalse();
    DataLossReport.Table orders = plan.dataLossEstimate().tables().get(0);
    assertThat(orders.name()).isEqualTo("public.orders");
    assertThat(orders.lostRows()).isEqualTo(1);
    assertThat(orders.changedRows()).isEqualTo(1);
    assertThat(orders.addedRows()).isEqualTo(1);
    assertThat(fake.branchNames()).containsExactly("main");
    assertThat(requests("POST", "/branches")).hasSize(1);
    assertThat(requests("DELETE", "")).hasSize(1);
    assertThat(orders(fake.url("main"))).containsExactly("1=tea", "2=CORRUPT", "4=pie");
    assertThat(dotenvUrl()).isEqualTo(fake.url("main").toSecretUri().reveal());
    assertThat(String.join("\n", progress))
        .contains("deleting the dry run's Neon branch")
        .doesNotContain(NeonFake.PASSWORD)
        .doesNotContain(NeonApiStub.API_KEY);
  }

  @Test
  void dryRun_neonFailsTheBranch_deletesItAgain_exit4() {
    damage();
    fake.failNext("create_timeline");

    DbRecoverException e =
        catchThrowableOfType(
            () -> engine().dryRun(config(), ENV, Incident.data(DAMAGE), progress::add),
            DbRecoverException.class);

    assertThat(e.code()).isEqualTo(ErrorCode.RESTORE_FAILED);
    assertThat(e).hasMessageContaining("create_timeline").hasMessageContaining("failed");
    assertThat(fake.branchNames()).containsExactly("main");
    assertThat(requests("DELETE", "")).hasSize(1);
  }

  /** Drops the journal's records after {@code step}'s "started" one. */
  private void cutJournalAfter(String runId, Step step) throws IOException {
    Path journal = state.resolve("runs").resolve(runId).resolve("journal.jsonl");
    List<String> kept = new ArrayList<>();
    for (String line : Files.readAllLines(journal)) {
      kept.add(line);
      JsonNode record = json(line);
      if (step.name().equals(record.path("step").asText())
          && "started".equals(record.path("status").asText())) {
        break;
      }
    }
    Files.write(journal, kept);
  }

  private String restoredBranch() {
    return fake.branchNames().stream()
        .filter(n -> n.contains("_rb_"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no restored branch in " + fake.branchNames()));
  }

  private String dotenvUrl() throws IOException {
    return Files.readAllLines(dotenv()).stream()
        .filter(l -> l.startsWith("DATABASE_URL="))
        .map(l -> l.substring("DATABASE_URL=".length()))
        .findFirst()
        .orElseThrow();
  }

  private static List<String> orders(DbUrl url) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = TestPostgres.connect(url);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select id, item from orders order by id")) {
      while (rs.next()) {
        out.add(rs.getInt(1) + "=" + rs.getString(2));
      }
    }
    return out;
  }

  private List<ServeEvent> requests(String method, String pathSuffix) {
    List<ServeEvent> out = new ArrayList<>();
    for (ServeEvent e : neon.server().getAllServeEvents()) {
      String path = java.net.URI.create(e.getRequest().getUrl()).getPath();
      if (e.getRequest().getMethod().getName().equals(method) && path.endsWith(pathSuffix)) {
        out.add(e);
      }
    }
    // WireMock lists the newest first
    java.util.Collections.reverse(out);
    return out;
  }

  /** Requests that change something (every method but GET). */
  private List<String> mutations() {
    return neon.server().getAllServeEvents().stream()
        .filter(e -> !e.getRequest().getMethod().getName().equals("GET"))
        .map(e -> e.getRequest().getMethod() + " " + e.getRequest().getUrl())
        .toList();
  }

  private static JsonNode reportJson(RunOutcome outcome) throws IOException {
    return json(Files.readString(outcome.report().resolveSibling("report.json")));
  }

  private static JsonNode json(String text) throws IOException {
    return new ObjectMapper().readTree(text);
  }

  private void assertNoSecretsIn(Path runDir) throws IOException {
    Map<Path, String> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(runDir)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        files.put(p, Files.readString(p, StandardCharsets.UTF_8));
      }
    }
    assertThat(files).isNotEmpty();
    files.forEach(
        (p, text) ->
            assertThat(text)
                .as("%s", p)
                .doesNotContain(NeonFake.PASSWORD)
                .doesNotContain(NeonApiStub.API_KEY));
    assertThat(String.join("\n", progress))
        .doesNotContain(NeonFake.PASSWORD)
        .doesNotContain(NeonApiStub.API_KEY);
  }
}
