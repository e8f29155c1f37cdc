package io.dbrecover.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbrecover.engine.api.DbRecoverConfig;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.EnvironmentStatus;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.Incident;
import io.dbrecover.engine.api.Interaction;
import io.dbrecover.engine.api.Method;
import io.dbrecover.engine.api.MigrationTool;
import io.dbrecover.engine.api.Plan;
import io.dbrecover.engine.api.ProtectionLevel;
import io.dbrecover.engine.api.RecoveryEngine;
import io.dbrecover.engine.api.RestoreWindow;
import io.dbrecover.engine.api.RunOptions;
import io.dbrecover.engine.api.RunOutcome;
import io.dbrecover.engine.api.StateStoreConfig;
import io.dbrecover.engine.api.Step;
import io.dbrecover.engine.api.Tier;
import io.dbrecover.engine.spi.ProviderContext;
import io.dbrecover.engine.spi.RestoreRequest;
import io.dbrecover.engine.spi.RestoreStatus;
import io.dbrecover.engine.spi.UrlTarget;
import io.dbrecover.engine.testing.PitrTestProvider;
import io.dbrecover.engine.testing.TestPostgres;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine with {@code state-store: dynamodb}: a run started by one process (the Lambda, say) is
 * locked, journaled and listed in the table, so another process with an empty state directory (the
 * CLI) sees it in {@code status}, is kept out by its lock, and can resume it.
 */
class DynamoDbEngineStateIT {
  @RegisterExtension static final Dynalite DYNAMODB = new Dynalite();

  @TempDir Path lambdaState;
  @TempDir Path cliState;

  private final Clock clock = Clock.systemUTC();
  private String table;
  private DbUrl live;
  private DbUrl before;
  private RestoringProvider provider;

  /**
   * Restores to a point in time by copying a database taken before the damage: the start and the
   * first poll say "still restoring", the next poll creates the copy. Counts restore calls.
   */
  private final class RestoringProvider extends PitrTestProvider {
    int starts;
    int polls;
    boolean created;

    RestoringProvider(DbUrl live, RestoreWindow window) {
      super(live, window);
    }

    @Override
    public RestoreStatus startRestore(ProviderContext ctx, RestoreRequest request) {
      starts++;
      return new RestoreStatus.Running(ctx.clock().instant().plusSeconds(30), "restoring");
    }

    @Override
    public RestoreStatus pollRestore(ProviderContext ctx, RestoreRequest request) {
      if (++polls == 1) {
        return new RestoreStatus.Running(ctx.clock().instant().plusSeconds(30), "restoring");
      }
      if (!created) {
        TestPostgres.sql(
            TestPostgres.url("postgres"),
            "create database \""
                + request.targetName()
                + "\" template \""
                + before.database()
                + "\"");
        created = true;
      }
      return new RestoreStatus.Done(live.withDatabase(request.targetName()), "copied");
    }
  }

  private static final class Silent implements Interaction {
    @Override
    public void progress(Step step, String message) {}

    @Override
    public boolean confirm(ProtectionLevel level, String phrase, String summary) {
      return true;
    }
  }

  @BeforeEach
  void setUp() {
    table = "dbrecover-engine-" + System.nanoTime();
    Dynalite.createStateTable(
        AwsStub.clients().dynamoDb(new AwsSettings("us-east-1", DYNAMODB.endpoint())), table);
    live = TestPostgres.createDatabase();
    TestPostgres.sql(
        live,
        "create table orders (id int primary key, v text); insert into orders values (1, 'ok')");
    before = TestPostgres.createDatabase(live);
    TestPostgres.sql(live, "update orders set v = 'corrupt'");
    Instant now = clock.instant();
    provider = new RestoringProvider(live, new RestoreWindow(now.minus(Duration.ofDays(1)), now));
  }

  private RecoveryEngine engine() {
    return new RecoveryEngine(
        Map.of("pitr-test", provider),
        Map.<String, UrlTarget.Factory>of(),
        Map.of(DynamoDbStateStore.TYPE, new DynamoDbStateStore.Factory(AwsStub.clients(), clock)),
        clock);
  }

  private DbRecoverConfig config(Path stateDir) {
    EnvironmentConfig env =
        new EnvironmentConfig(
            "prod",
            Tier.PRODUCTION,
            ProtectionLevel.NONE,
            new EnvironmentConfig.Database(
                "pitr-test", live.toSecretUri().reveal(), false, Map.of()),
            stateDir.resolve("backups"),
            null,
            new EnvironmentConfig.Migrations(MigrationTool.SQL, null),
            Set.of(Method.values()),
            EnvironmentConfig.Retention.DEFAULT,
            List.of(),
            1);
    return new DbRecoverConfig(
        Optional.empty(),
        stateDir,
        Map.of("prod", env),
        new StateStoreConfig(
            "dynamodb",
            Map.of(
                "table",
                table,
                "region",
                "us-east-1",
                "endpoint-override",
                DYNAMODB.endpoint().toString())));
  }

  /** Starts a run as the Lambda would, and returns its session (holding the lock). */
  private RecoveryEngine.RunSession startRun() {
    RecoveryEngine lambda = engine();
    RecoveryEngine.Lock lock = lambda.lock(config(lambdaState), "prod", "lambda rollback");
    Incident incident = Incident.data(clock.instant().minus(Duration.ofMinutes(10)));
    Plan plan = lambda.plan(config(lambdaState), "prod", incident, false);
    return lambda.start(
        config(lambdaState), plan, new RunOptions(incident, false, true, List.of(), null), lock);
  }

  @Test
  void advance_stoppedWhileRestoringThenResumedElsewhere_finishesWithOneRestoreAndOneJournal() {
    String runId;
    try (RecoveryEngine.RunSession run = startRun()) {
      runId = run.runId();
      RunOutcome first = run.advance(clock.instant().plus(Duration.ofMinutes(5)), new Silent());
      assertThat(first.state())
          .as(String.valueOf(first.error()))
          .isEqualTo(RunOutcome.State.WAITING);
    }
    assertThat(provider.starts).isEqualTo(1);

    RunOutcome done;
    try (RecoveryEngine.RunSession resumed = engine().resume(config(cliState), runId)) {
      done = resumed.advance(clock.instant().plus(Duration.ofMinutes(5)), new Silent());
    }

    assertThat(done.state()).isEqualTo(RunOutcome.State.DONE);
    assertThat(provider.starts).as("the resumed run polls, it does not restore again").isEqualTo(1);
    assertThat(engine().status(config(lambdaState), "prod").runs())
        .singleElement()
        .satisfies(r -> assertThat(r.state()).isEqualTo("done"));
    List<String> records =
        new DynamoDbStateStore.Factory(AwsStub.clients(), clock)
            .create(config(cliState).stateStore(), cliState)
            .open(runId)
            .records();
    for (int i = 0; i < records.size(); i++) {
      assertThat(records.get(i)).startsWith("{\"seq\":" + (i + 1) + ",");
    }
    assertThat(records)
        .filteredOn(r -> r.contains("\"step\":\"START_RESTORE\",\"status\":\"started\""))
        .hasSize(1);
    assertThat(lambdaState.resolve("runs").resolve(runId).resolve("journal.jsonl")).doesNotExist();
    assertThat(cliState.resolve("runs").resolve(runId).resolve("report.md")).exists();
  }

  @Test
  void lock_whileALambdaRunHoldsIt_theCliIsLockedOutNamingTheRun() {
    try (RecoveryEngine.RunSession run = startRun()) {
      assertThatThrownBy(() -> engine().lock(config(cliState), "prod", "operator"))
          .isInstanceOf(DbRecoverException.class)
          .hasMessageStartingWith("environment 'prod' is locked by lambda rollback (since ")
          .extracting(e -> ((DbRecoverException) e).code())
          .isEqualTo(ErrorCode.LOCKED);
    }
  }

  @Test
  void status_runStartedElsewhere_isListedFromTheTable() {
    String runId;
    try (RecoveryEngine.RunSession run = startRun()) {
      runId = run.runId();
    }

    EnvironmentStatus status = engine().status(config(cliState), "prod");

    assertThat(status.runs()).hasSize(1);
    assertThat(status.runs().get(0).runId()).isEqualTo(runId);
    assertThat(status.runs().get(0).method()).isEqualTo(Method.POINT_IN_TIME.label());
    assertThat(status.runs().get(0).state()).isEqualTo("incomplete (resume it)");
    assertThat(cliState.resolve("runs").resolve(runId).resolve("journal.jsonl")).doesNotExist();
  }

  @Test
  void resume_onAnotherMachine_readsTheRunFromTheTableUnderTheLock() {
    String runId;
    try (RecoveryEngine.RunSession run = startRun()) {
      runId = run.runId();
    }

    try (RecoveryEngine.RunSession resumed = engine().resume(config(cliState), runId)) {
      assertThat(resumed.runId()).isEqualTo(runId);
      assertThat(resumed.decision().method()).isEqualTo(Method.POINT_IN_TIME);
      assertThatThrownBy(() -> engine().lock(config(lambdaState), "prod", "lambda again"))
          .hasMessageStartingWith("environment 'prod' is locked by resume " + runId);
    }
  }
}
