package io.dbrecover.aws;

import static org.assertj.core.api.Assertions.assertThat;

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
import io.dbrecover.engine.api.RecoveryEngine;
import io.dbrecover.engine.api.RunOptions;
import io.dbrecover.engine.api.RunOutcome;
import io.dbrecover.engine.api.Step;
import io.dbrecover.engine.api.Tier;
import io.dbrecover.engine.testing.TestPostgres;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole recovery run on the {@code aurora} provider against the stateful fake: the cluster's
 * storage is a real PostgreSQL database with captured states; the restored cluster is a new
 * embedded server, and its writer instance is created by the provider once the cluster is
 * available.
 */
class AuroraRecoveryIT {
  private static final String SECRET = "analytics/db";
  private static final Instant GOOD = Instant.parse("2025-01-15T10:00:00Z");
  private static final Instant DAMAGE = Instant.parse("2025-01-15T10:10:00Z");

  @TempDir Path state;
  private final MutableClock clock = new MutableClock(GOOD);
  private FakeAws aws;
  private DbUrl source;
  private RecoveryEngine engine;
  private DbRecoverConfig config;

  @BeforeEach
  void setUp() {
    aws = new FakeAws(clock);
    source = TestPostgres.createDatabase();
    TestPostgres.sql(
        source,
        "create table events (id int primary key, kind text not null);"
            + " insert into events select g, 'view' from generate_series(1, 50) g");
    aws.rds.addCluster("analytics", "analytics-w1", "localhost", source.port(), source.database());
    aws.rds.captureCluster("analytics", GOOD);
    clock.set(DAMAGE);
    TestPostgres.sql(source, "delete from events where id <= 20");
    aws.rds.captureCluster("analytics", DAMAGE.plusSeconds(60));
    clock.set(DAMAGE.plus(Duration.ofMinutes(5)));
    aws.secrets.create(SECRET, source.toSecretUri().reveal());
    EnvironmentConfig env =
        new EnvironmentConfig(
            "analytics",
            Tier.PRODUCTION,
            ProtectionLevel.NONE,
            new EnvironmentConfig.Database(
                "aurora",
                null,
                false,
                Map.of(
                    "cluster",
                    "analytics",
                    "region",
                    "eu-west-1",
                    "endpoint-override",
                    aws.endpoint())),
            state.resolve("backups"),
            new EnvironmentConfig.UrlTarget("secretsmanager", SECRET, null),
            new EnvironmentConfig.Migrations(MigrationTool.SQL, null),
            Set.of(Method.POINT_IN_TIME, Method.SNAPSHOT_RESTORE),
            EnvironmentConfig.Retention.DEFAULT,
            List.of(),
            1);
    config = new DbRecoverConfig(Optional.empty(), state, Map.of("analytics", env));
    AwsClients clients = AwsStub.clients();
    engine =
        new RecoveryEngine(
            Map.of(AuroraProvider.NAME, new AuroraProvider(clients)),
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
  void recover_rowsDeleted_restoresTheClusterBeforeAddsAWriterAndSwaps() throws Exception {
    Plan plan = engine.plan(config, "analytics", Incident.data(DAMAGE), false);
    RunOutcome outcome;
    try (RecoveryEngine.Lock lock = engine.lock(config, "analytics", "test");
        RecoveryEngine.RunSession session =
            engine.start(
                config,
                plan,
                new RunOptions(Incident.data(DAMAGE), false, true, List.of(), null),
                lock)) {
      outcome = null;
      for (int i = 0; i < 200 && outcome == null; i++) {
        RunOutcome o = session.advance(clock.instant().plus(Duration.ofHours(1)), quiet());
        if (o.state() == RunOutcome.State.WAITING) {
          clock.set(o.waitUntil());
        } else {
          outcome = o;
        }
      }
    }

    assertThat(plan.decision().method()).isEqualTo(Method.POINT_IN_TIME);
    assertThat(outcome.state())
        .as(String.valueOf(outcome.error()))
        .isEqualTo(RunOutcome.State.DONE);
    String clusterId = InstanceNames.restored("analytics", outcome.runId());
    RdsFake.Cluster restored = aws.rds.cluster(clusterId).orElseThrow();
    assertThat(restored.restoreRequest)
        .containsEntry("RestoreType", "full-copy")
        .containsEntry("DBSubnetGroupName", "orders-subnets")
        .containsEntry("DBClusterParameterGroupName", "orders-apg16");
    assertThat(restored.members)
        .containsExactly(InstanceNames.restoredWriter("analytics", outcome.runId()));
    RdsFake.Instance writer = aws.rds.instance(restored.members.get(0)).orElseThrow();
    assertThat(writer.settings.instanceClass()).isEqualTo("db.r6g.large");
    DbUrl restoredDb = DbUrl.of("localhost", restored.port, source.database(), "postgres", null);
    try (Connection c = TestPostgres.connect(restoredDb);
        ResultSet rs = c.createStatement().executeQuery("select count(*) from events")) {
      rs.next();
      assertThat(rs.getLong(1)).isEqualTo(50);
    }
    assertThat(DbUrl.parse(aws.secrets.current(SECRET)).port()).isEqualTo(restored.port);
    assertThat(Files.readString(outcome.report()))
        .contains("| public.events | 30 | 50 | 0 | 0 | 20 |");
    assertThat(aws.calls()).containsOnlyOnce("RestoreDBClusterToPointInTime");
    assertThat(aws.calls()).containsOnlyOnce("CreateDBInstance");
  }

  private static Interaction quiet() {
    return new Interaction() {
      @Override
      public void progress(Step step, String message) {}

      @Override
      public boolean confirm(ProtectionLevel level, String phrase, String summary) {
        return true;
      }
    };
  }
}
