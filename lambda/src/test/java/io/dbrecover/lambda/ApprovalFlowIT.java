package io.dbrecover.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.postgres.testing.SampleSchema;
import io.dbrecover.postgres.testing.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An environment with {@code protection: confirm} on the embedded PostgreSQL: the state machine
 * (its ASL file, played by the driver) sends the plan and the data-loss estimate with a task token
 * and waits; an approval starts the run, a denial starts nothing.
 */
class ApprovalFlowIT {
  private static final Path ASL = Path.of("../terraform/modules/recovery/state-machine.asl.json");

  @TempDir Path work;

  private record Setup(DbUrl db, Harness harness, String atBackup) {}

  private Setup setUp() throws Exception {
    DbUrl db = TestPostgres.freshDatabase();
    SampleSchema.create(db);
    Path yaml = work.resolve("dbrecover.yaml");
    Files.writeString(
        yaml,
        "environments:\n  prod:\n    protection: confirm\n"
            + "    database: { provider: postgres, url: '${APP_DB_URL}' }\n"
            + "    backup-store: backups\n    url-target: { type: dotenv, path: app.env }\n"
            + "    jobs: 2\n");
    Files.writeString(work.resolve("app.env"), "DATABASE_URL=" + db.toSecretUri().reveal() + "\n");
    Harness harness =
        new Harness(work.resolve("state"))
            .env(LambdaSettings.CONFIG, yaml.toString())
            .env("APP_DB_URL", db.toSecretUri().reveal());
    JsonNode snapshot =
        Harness.invoke(
            new SnapshotHandler(harness.component()), Harness.fixture("scheduler-snapshot.json"));
    assertThat(snapshot.get("status").asText()).as(snapshot.toString()).isEqualTo("done");
    String atBackup = SampleSchema.contentHash(db);
    SampleSchema.run(db, "update orders set amount = 0 where id % 4 = 0");
    return new Setup(db, harness, atBackup);
  }

  private static JsonNode startInput() {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("action", "start");
    n.put("execution", "orders-data-corruption-approval-test");
    n.put("environment", "prod");
    n.put("kind", "data");
    n.put("suspectedStart", java.time.Instant.now().toString());
    n.put("alarm", "orders-data-corruption");
    return n;
  }

  private static StateMachineDriver driver(Harness harness) {
    StepHandler step = new StepHandler(harness.component());
    return new StateMachineDriver(
        ASL,
        Map.of(
            StateMachineDriver.STEP_FUNCTION,
            payload -> Harness.invoke(step, payload.toString().getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  void protectedEnvironment_approved_sendsPlanWithTokenThenRecovers() throws Exception {
    Setup s = setUp();
    StateMachineDriver driver =
        driver(s.harness())
            .approver(
                message -> {
                  ObjectNode answer = JsonNodeFactory.instance.objectNode();
                  answer.put("approved", true);
                  answer.put("by", "alice");
                  return answer;
                });

    StateMachineDriver.Outcome outcome = driver.run(startInput());

    assertThat(outcome.state()).as(outcome.output().toString()).isEqualTo("Recovered");
    JsonNode request = driver.published.get(0);
    assertThat(request.get("Subject").asText()).isEqualTo("dbrecover: approval needed");
    assertThat(request.get("Message").asText())
        .contains("dbrecover asks to recover environment prod (protection confirm)")
        .contains("Decision: pg_dump restore")
        .contains("Data loss (estimate from the backup's row counts)")
        .contains("send-task-success")
        .endsWith("Task token: token-2")
        .doesNotContain(s.db().password().orElseThrow().reveal());
    String line = Files.readAllLines(work.resolve("app.env")).get(0);
    DbUrl swapped = DbUrl.parse(line.substring("DATABASE_URL=".length()));
    assertThat(swapped.database()).startsWith(s.db().database() + "_rb_");
    assertThat(SampleSchema.contentHash(swapped)).isEqualTo(s.atBackup());
    assertThat(s.harness().logText()).contains("recovery of prod approved by alice");
  }

  @Test
  void protectedEnvironment_denied_startsNothingAndNotifiesTheFailure() throws Exception {
    Setup s = setUp();
    StateMachineDriver driver =
        driver(s.harness())
            .approver(
                message -> {
                  throw new StateMachineDriver.TaskFailure("Denied", "not now");
                });

    StateMachineDriver.Outcome outcome = driver.run(startInput());

    assertThat(outcome.state()).isEqualTo("RecoveryFailed");
    assertThat(outcome.output().get("error").get("Error").asText()).isEqualTo("Denied");
    assertThat(driver.published).hasSize(2);
    assertThat(driver.published.get(1).get("Subject").asText())
        .isEqualTo("dbrecover: recovery FAILED");
    assertThat(work.resolve("state/runs")).doesNotExist();
    assertThat(Files.readString(work.resolve("app.env")))
        .isEqualTo("DATABASE_URL=" + s.db().toSecretUri().reveal() + "\n");
  }
}
