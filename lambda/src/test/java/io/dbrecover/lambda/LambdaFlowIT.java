package io.dbrecover.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.postgres.testing.SampleSchema;
import io.dbrecover.postgres.testing.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alarm -> execution -> restore -> verify -> swap on the embedded PostgreSQL with real pg_dump and
 * pg_restore: the snapshot entry takes the backup a schedule would, an SNS-wrapped alarm starts the
 * execution (Step Functions on WireMock), and a driver plays the state machine's own ASL file,
 * calling the step entry as Lambda would. One step invocation dies mid-run; the state machine's
 * retry repeats it and the run completes once.
 */
class LambdaFlowIT {
  private static final Path ASL = Path.of("../terraform/modules/recovery/state-machine.asl.json");

  @TempDir Path work;
  private SfnStub sfn;

  @BeforeAll
  static void credentials() {
    System.setProperty("aws.accessKeyId", "AKIDTEST");
    System.setProperty("aws.secretAccessKey", "test-secret-key");
  }

  @BeforeEach
  void setUp() {
    sfn = new SfnStub();
  }

  @AfterEach
  void tearDown() {
    sfn.close();
  }

  @Test
  void alarmToSwap_stepDiesMidRunAndIsRetried_runCompletesOnceAndDataIsBack() throws Exception {
    DbUrl db = TestPostgres.freshDatabase();
    SampleSchema.create(db);
    Path yaml = work.resolve("dbrecover.yaml");
    Files.writeString(
        yaml,
        "environments:\n  prod:\n    protection: none\n"
            + "    database: { provider: postgres, url: '${APP_DB_URL}' }\n"
            + "    backup-store: backups\n    url-target: { type: dotenv, path: app.env }\n"
            + "    jobs: 2\n");
    Files.writeString(work.resolve("app.env"), "DATABASE_URL=" + db.toSecretUri().reveal() + "\n");
    Harness harness =
        new Harness(work.resolve("state"))
            .env(LambdaSettings.CONFIG, yaml.toString())
            .env("APP_DB_URL", db.toSecretUri().reveal())
            .env(LambdaSettings.STATE_MACHINE_ARN, Harness.STATE_MACHINE)
            .env(LambdaSettings.SFN_ENDPOINT, sfn.endpoint())
            .env(
                LambdaSettings.ALARM_ROUTES,
                "[{\"alarm\":\"orders-data-corruption\",\"environment\":\"prod\"}]");
    LambdaComponent component = harness.component();

    JsonNode snapshot =
        Harness.invoke(new SnapshotHandler(component), Harness.fixture("scheduler-snapshot.json"));
    assertThat(snapshot.get("status").asText()).as(snapshot.toString()).isEqualTo("done");
    String atBackup = SampleSchema.contentHash(db);
    SampleSchema.run(
        db,
        "update orders set amount = 0 where id % 3 = 0",
        "delete from audit_log where message like 'event 1%'");
    assertThat(SampleSchema.contentHash(db)).isNotEqualTo(atBackup);
    long zeroed = SampleSchema.ROW_COUNTS.get("public.orders") / 3; // ids 1..400 with id % 3 = 0

    byte[] alarm = Harness.snsAlarmAt(Instant.now());
    AlarmHandler alarms = new AlarmHandler(harness.alarmComponent());
    JsonNode started = Harness.invoke(alarms, alarm);
    JsonNode duplicate = Harness.invoke(alarms, alarm);
    assertThat(started.get("alarms").get(0).get("status").asText()).isEqualTo("started");
    assertThat(duplicate.get("alarms").get(0).get("status").asText()).isEqualTo("already-started");
    JsonNode executionInput =
        Harness.JSON.readTree(SfnStub.body(sfn.starts().get(0)).get("input").asText());

    StepHandler step = new StepHandler(component);
    harness.crashOnce("\"step\":\"VERIFY_RESTORED\"");
    StateMachineDriver driver =
        new StateMachineDriver(
            ASL,
            Map.of(
                StateMachineDriver.STEP_FUNCTION, payload -> Harness.invoke(step, bytes(payload))));
    StateMachineDriver.Outcome outcome = driver.run(executionInput);

    assertThat(outcome.state()).as(outcome.output().toString()).isEqualTo("Recovered");
    assertThat(driver.taskErrors).containsExactly(Harness.SimulatedCrash.class.getName());
    String runId = outcome.output().get("run").get("runId").asText();
    assertThat(driver.published).hasSize(1);
    assertThat(driver.published.get(0).get("Subject").asText())
        .isEqualTo("dbrecover: recovery done");
    assertThat(driver.published.get(0).get("Message").asText()).contains(runId);
    JsonNode result =
        Harness.JSON
            .readTree(driver.published.get(0).get("Message").asText())
            .path("run")
            .path("response")
            .path("result");
    assertThat(result.path("status").asText()).as(result.toString()).isEqualTo("DONE");
    assertThat(result.path("undo").asText()).isEqualTo("dbrecover swap-back " + runId);
    assertThat(result.path("fullReport").asText()).isEqualTo("dbrecover report " + runId);
    assertThat(result.path("verifications").size()).isEqualTo(2);
    assertThat(result.path("verifications").findValues("passed")).allMatch(JsonNode::asBoolean);
    assertThat(result.path("dataLoss").path("rowsChanged").asLong())
        .as("the orders the corruption zeroed differ in the recovered database")
        .isEqualTo(zeroed);
    assertThat(result.path("dataLoss").path("tables").findValuesAsText("table"))
        .as("only orders loses or changes rows; the deleted audit_log rows come back")
        .containsExactly("public.orders");
    assertThat(driver.published.get(0).get("Message").asText())
        .doesNotContain(db.password().orElseThrow().reveal());

    DbUrl swapped = swappedUrl(work.resolve("app.env"));
    assertThat(swapped.database()).startsWith(db.database() + "_rb_");
    assertThat(SampleSchema.contentHash(swapped)).isEqualTo(atBackup);
    assertThat(restoredDatabases(db)).containsExactly(swapped.database());
    Path runs = work.resolve("state/runs");
    try (Stream<Path> dirs = Files.list(runs)) {
      assertThat(dirs.map(p -> p.getFileName().toString()).toList()).containsExactly(runId);
    }
    String journal = Files.readString(runs.resolve(runId).resolve("journal.jsonl"));
    assertThat(count(journal, "\"step\":\"START_RESTORE\",\"status\":\"done\"")).isEqualTo(1);
    assertThat(count(journal, "\"step\":\"SWAP_URL\",\"status\":\"done\"")).isEqualTo(1);
    assertThat(count(journal, "\"step\":\"REPORT\",\"status\":\"done\"")).isEqualTo(1);
    assertThat(harness.logText())
        .doesNotContain(db.password().orElseThrow().reveal())
        .contains("run " + runId + " done");
  }

  private static byte[] bytes(JsonNode payload) {
    return payload.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static int count(String text, String needle) {
    Matcher m = Pattern.compile(Pattern.quote(needle)).matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  private static DbUrl swappedUrl(Path appEnv) throws Exception {
    String line =
        Files.readAllLines(appEnv).stream()
            .filter(l -> l.startsWith("DATABASE_URL="))
            .findFirst()
            .orElseThrow();
    return DbUrl.parse(line.substring("DATABASE_URL=".length()).replace("\"", ""));
  }

  private static List<String> restoredDatabases(DbUrl db) throws Exception {
    Properties p = new Properties();
    db.user().ifPresent(u -> p.setProperty("user", u));
    db.password().ifPresent(s -> p.setProperty("password", s.reveal()));
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), p);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "select datname from pg_database where datname like '"
                    + db.database()
                    + "\\_rb\\_%' order by 1")) {
      List<String> names = new java.util.ArrayList<>();
      while (rs.next()) {
        names.add(rs.getString(1));
      }
      return names;
    }
  }
}
