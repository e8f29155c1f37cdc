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
import io.dbrecover.engine.api.Method;
import io.dbrecover.engine.api.MigrationTool;
import io.dbrecover.engine.api.Plan;
import io.dbrecover.engine.api.ProtectionLevel;
import io.dbrecover.engine.api.RecoveryEngine;
import io.dbrecover.engine.api.RestoreWindow;
import io.dbrecover.engine.api.RunOptions;
import io.dbrecover.engine.api.StateStoreConfig;
import io.dbrecover.engine.api.Tier;
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
  private PitrTestProvider provider;

  @BeforeEach
  void setUp() {
    table = "dbrecover-engine-" + System.nanoTime();
    Dynalite.createStateTable(
        AwsStub.clients().dynamoDb(new AwsSettings("us-east-1", DYNAMODB.endpoint())), table);
    live = TestPostgres.createDatabase();
    TestPostgres.sql(
        live, "create table orders (id int primary key); insert into orders values (1)");
    Instant now = clock.instant();
    provider = new PitrTestProvider(live, new RestoreWindow(now.minus(Duration.ofDays(1)), now));
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
