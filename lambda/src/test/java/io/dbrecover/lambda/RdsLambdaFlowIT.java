package io.dbrecover.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbrecover.aws.FakeAws;
import io.dbrecover.aws.MutableClock;
import io.dbrecover.aws.RdsFake;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.testing.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alarm -> execution -> restore -> verify -> swap flow on the {@code rds} provider, as a Lambda
 * deployment runs it: the stateful RDS and Secrets Manager fakes of the AWS provider's tests
 * (WireMock in AWS's wire formats, through the real SDK; every RDS instance a real PostgreSQL
 * server), the state machine played from its ASL file. The fakes' clock moves by each Wait state's
 * seconds instead of sleeping, so RDS's minutes of "creating" pass at once. One step invocation
 * dies after the restore call was accepted; its retry finds the restore by its run tag and asks for
 * no second one.
 */
class RdsLambdaFlowIT {
  private static final String SECRET = "app/prod/db";
  private static final String PASSWORD = "lambda-Pw-9xQ2";
  private static final Instant GOOD = Instant.parse("2025-01-15T10:00:00Z");
  private static final Instant MORE_ORDERS = Instant.parse("2025-01-15T10:05:00Z");
  private static final Instant BAD_UPDATE = Instant.parse("2025-01-15T10:10:00Z");
  private static final Instant LATE_ORDER = Instant.parse("2025-01-15T10:12:00Z");
  private static final Path ASL = Path.of("../terraform/modules/recovery/state-machine.asl.json");
  private static final String SECRETS_MANAGER_ENDPOINT = "aws.endpointUrlSecretsManager";

  @TempDir Path work;
  private final MutableClock clock = new MutableClock(GOOD);
  private FakeAws aws;
  private SfnStub sfn;

  @BeforeAll
  static void credentials() {
    System.setProperty("aws.accessKeyId", "AKIDTEST");
    System.setProperty("aws.secretAccessKey", "test-secret-key");
  }

  @BeforeEach
  void setUp() {
    aws = new FakeAws(clock);
    sfn = new SfnStub();
    System.setProperty(SECRETS_MANAGER_ENDPOINT, aws.endpoint());
    // A Lambda always has AWS_REGION; the SDK reads it from the process, not the harness's map.
    System.setProperty("aws.region", "eu-west-1");
  }

  @AfterEach
  void tearDown() {
    System.clearProperty(SECRETS_MANAGER_ENDPOINT);
    System.clearProperty("aws.region");
    sfn.close();
    aws.close();
  }

  @Test
  void alarmToSwap_onRds_restoresJustBeforeTheDamageAndSwapsTheSecret_onceDespiteACrash()
      throws Exception {
    DbUrl source = TestPostgres.createDatabase();
    sql(
        source,
        "create table orders (id int primary key, customer text not null,"
            + " amount numeric(10,2) not null);"
            + " insert into orders select g, 'c' || g, g * 1.5 from generate_series(1, 100) g");
    aws.rds.addInstance(
        "orders", "localhost", source.port(), source.database(), Map.of("team", "payments"));
    aws.rds.capture("orders", GOOD);
    clock.set(MORE_ORDERS);
    sql(source, "insert into orders select g, 'c' || g, g * 1.5 from generate_series(101, 105) g");
    aws.rds.capture("orders", MORE_ORDERS);
    clock.set(BAD_UPDATE);
    sql(source, "update orders set amount = 0 where id <= 40");
    aws.rds.capture("orders", BAD_UPDATE);
    clock.set(LATE_ORDER);
    sql(source, "insert into orders values (106, 'c106', 9.99)");
    aws.rds.capture("orders", LATE_ORDER);
    clock.set(Instant.parse("2025-01-15T10:20:00Z"));
    DbUrl live =
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
            + live.toSecretUri().reveal()
            + "\",\"REDIS_URL\":\"redis://cache:6379\"}");
    Path yaml = work.resolve("dbrecover.yaml");
    Files.writeString(
        yaml,
        "environments:\n  production:\n    tier: production\n    protection: none\n"
            + "    database:\n      provider: rds\n      options:\n        instance: orders\n"
            + "        region: eu-west-1\n        endpoint-override: '"
            + aws.endpoint()
            + "'\n    url-target: { type: secretsmanager, path: "
            + SECRET
            + ", key: DATABASE_URL }\n"
            + "    migrations: { tool: sql }\n"
            + "    verify:\n      smoke-queries:\n"
            + "        - { name: orders, sql: 'select count(*) from orders' }\n");
    Harness harness =
        new Harness(work.resolve("state"))
            .env(LambdaSettings.CONFIG, yaml.toString())
            .env(LambdaSettings.STATE_MACHINE_ARN, Harness.STATE_MACHINE)
            .env(LambdaSettings.SFN_ENDPOINT, sfn.endpoint())
            .env(
                LambdaSettings.ALARM_ROUTES,
                "[{\"alarm\":\"orders-data-corruption\",\"environment\":\"production\"}]");

    byte[] alarm = Harness.snsAlarmAt(BAD_UPDATE);
    AlarmHandler alarms = new AlarmHandler(harness.alarmComponent());
    assertThat(Harness.invoke(alarms, alarm).get("alarms").get(0).get("status").asText())
        .isEqualTo("started");
    assertThat(Harness.invoke(alarms, alarm).get("alarms").get(0).get("status").asText())
        .isEqualTo("already-started");
    JsonNode executionInput =
        Harness.JSON.readTree(SfnStub.body(sfn.starts().get(0)).get("input").asText());

    StepHandler step = new StepHandler(harness.component());
    harness.crashOnce("\"step\":\"AWAIT_RESTORE\"");
    StateMachineDriver driver =
        new StateMachineDriver(
                ASL,
                Map.of(
                    StateMachineDriver.STEP_FUNCTION,
                    payload -> Harness.invoke(step, payload.toString().getBytes(UTF8))))
            .waiter(seconds -> clock.advance(Duration.ofSeconds(seconds)));
    StateMachineDriver.Outcome outcome = driver.run(executionInput);

    System.out.println(harness.logText());
    assertThat(outcome.state()).as(outcome.output().toString()).isEqualTo("Recovered");
    assertThat(driver.taskErrors).containsExactly(Harness.SimulatedCrash.class.getName());
    String runId = outcome.output().get("run").get("runId").asText();
    RdsFake.Instance restored =
        aws.rds.instances().stream()
            .filter(i -> runId.equals(i.tags.get("dbrecover:run")))
            .findFirst()
            .orElseThrow();
    // The capture at 10:05, the newest before the damage: 105 orders, none zeroed.
    DbUrl restoredDb = DbUrl.of("localhost", restored.port, source.database(), "postgres", null);
    assertThat(query(restoredDb, "select count(*) from orders")).isEqualTo("105");
    assertThat(query(restoredDb, "select count(*) from orders where amount = 0")).isEqualTo("0");
    assertThat(query(source, "select count(*) from orders where amount = 0")).isEqualTo("40");
    JsonNode secret = Harness.JSON.readTree(aws.secrets.current(SECRET));
    DbUrl swapped = DbUrl.parse(secret.get("DATABASE_URL").asText());
    assertThat(swapped.port()).isEqualTo(restored.port).isNotEqualTo(source.port());
    assertThat(swapped.password().map(p -> p.reveal())).contains(PASSWORD);
    assertThat(secret.get("REDIS_URL").asText()).isEqualTo("redis://cache:6379");
    assertThat(aws.calls()).containsOnlyOnce("RestoreDBInstanceToPointInTime");
    assertThat(aws.calls()).filteredOn("secretsmanager.PutSecretValue"::equals).hasSize(1);
    assertThat(driver.waits).isNotEmpty();
    assertThat(harness.logText()).doesNotContain(PASSWORD);
  }

  private static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;

  private static void sql(DbUrl db, String sql) throws Exception {
    try (Connection c = connect(db)) {
      c.createStatement().execute(sql);
    }
  }

  private static String query(DbUrl db, String sql) throws Exception {
    try (Connection c = connect(db);
        ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static Connection connect(DbUrl db) throws Exception {
    Properties p = new Properties();
    p.setProperty("user", db.user().orElse("postgres"));
    db.password().ifPresent(s -> p.setProperty("password", s.reveal()));
    return DriverManager.getConnection(db.jdbcUrl(), p);
  }
}
