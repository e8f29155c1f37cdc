package io.dbrecover.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dbrecover.cli.StepFunctionsApprovals;
import io.dbrecover.engine.api.ApprovalRequest;
import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.postgres.testing.SampleSchema;
import io.dbrecover.postgres.testing.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An environment with {@code protection: confirm} on the embedded PostgreSQL: the state machine
 * (its ASL file, played by the driver) announces the plan, the data-loss estimate and the run id,
 * the step entry records the waiting task's token, and the CLI's approve code answers through Step
 * Functions (a WireMock stub); an approval starts the run under the announced id, a denial starts
 * nothing.
 */
class ApprovalFlowIT {
  private static final Path ASL = Path.of("../terraform/modules/recovery/state-machine.asl.json");

  @TempDir Path work;

  @BeforeAll
  static void credentials() {
    System.setProperty("aws.accessKeyId", "AKIDTEST");
    System.setProperty("aws.secretAccessKey", "test-secret-key");
  }

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

  /** What `dbrecover approve` runs, against the Step Functions stub. */
  private static StepFunctionsApprovals approvals(Harness harness, SfnTaskStub sfn) {
    return new StepFunctionsApprovals(
        harness.component().engine(),
        harness.component().config(),
        StepFunctionsApprovals.clients(sfn.endpoint()));
  }

  @Test
  void protectedEnvironment_approvedWithTheCli_announcesTheRunIdThenRecoversUnderIt()
      throws Exception {
    Setup s = setUp();
    try (SfnTaskStub sfn = new SfnTaskStub()) {
      StepFunctionsApprovals approvals = approvals(s.harness(), sfn);
      StateMachineDriver driver =
          driver(s.harness())
              .approver(
                  waiting -> {
                    ApprovalRequest r = approvals.waiting(waiting.get("runId").asText());
                    approvals.approve(r, "alice", null);
                    return sfn.answerFor(waiting.get("taskToken").asText());
                  });

      StateMachineDriver.Outcome outcome = driver.run(startInput());

      assertThat(outcome.state()).as(outcome.output().toString()).isEqualTo("Recovered");
      String runId = driver.awaited.get(0).get("runId").asText();
      assertThat(outcome.output().get("run").get("runId").asText()).isEqualTo(runId);
      assertThat(work.resolve("state/runs/" + runId + "/journal.jsonl")).exists();
      JsonNode announcement = driver.published.get(0);
      assertThat(announcement.get("Subject").asText()).isEqualTo("dbrecover: approval needed");
      assertThat(announcement.get("Message").asText())
          .contains("dbrecover asks to recover environment prod (protection confirm)")
          .contains("Decision: pg_dump restore")
          .contains("Data loss (estimate from the backup's row counts)")
          .contains("Run id: " + runId)
          .contains("dbrecover approve " + runId)
          .doesNotContain("token-")
          .doesNotContain(s.db().password().orElseThrow().reveal());
      JsonNode sent = SfnStub.body(sfn.calls(SfnTaskStub.SUCCESS).get(0));
      assertThat(Harness.JSON.readTree(sent.get("output").asText()))
          .isEqualTo(Harness.JSON.readTree("{\"approved\":true,\"by\":\"alice\"}"));
      String line = Files.readAllLines(work.resolve("app.env")).get(0);
      DbUrl swapped = DbUrl.parse(line.substring("DATABASE_URL=".length()));
      assertThat(swapped.database()).startsWith(s.db().database() + "_rb_");
      assertThat(SampleSchema.contentHash(swapped)).isEqualTo(s.atBackup());
      assertThat(s.harness().logText())
          .contains("recovery of prod approved by alice")
          .doesNotContain("token-");
      assertThat(s.harness().component().engine().approval(s.harness().component().config(), runId))
          .hasValueSatisfying(
              r -> assertThat(r.answer().outcome()).isEqualTo(ApprovalRequest.Outcome.APPROVED));
      assertThatThrownBy(() -> approvals.waiting(runId))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageStartingWith(
              "the approval request of run " + runId + " was already answered: approved by alice");
    }
  }

  @Test
  void protectedEnvironment_deniedWithTheCli_startsNothingAndNotifiesTheFailure() throws Exception {
    Setup s = setUp();
    try (SfnTaskStub sfn = new SfnTaskStub()) {
      StepFunctionsApprovals approvals = approvals(s.harness(), sfn);
      StateMachineDriver driver =
          driver(s.harness())
              .approver(
                  waiting -> {
                    ApprovalRequest r = approvals.waiting(waiting.get("runId").asText());
                    approvals.deny(r, "bob", "not now");
                    return sfn.answerFor(waiting.get("taskToken").asText());
                  });

      StateMachineDriver.Outcome outcome = driver.run(startInput());

      assertThat(outcome.state()).isEqualTo("RecoveryFailed");
      assertThat(outcome.output().get("error").get("Error").asText()).isEqualTo("Denied");
      assertThat(outcome.output().get("error").get("Cause").asText())
          .isEqualTo("denied by bob: not now");
      assertThat(driver.published).hasSize(2);
      assertThat(driver.published.get(1).get("Subject").asText())
          .isEqualTo("dbrecover: recovery FAILED");
      assertThat(work.resolve("state/runs")).doesNotExist();
      assertThat(work.resolve("state/lambda")).doesNotExist();
      assertThat(Files.readString(work.resolve("app.env")))
          .isEqualTo("DATABASE_URL=" + s.db().toSecretUri().reveal() + "\n");
    }
  }
}
