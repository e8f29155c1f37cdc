package io.dbrecover.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbrecover.engine.api.ApprovalRequest;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.ProtectionLevel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The step entry's answers to input it cannot act on: failed, said why, nothing touched. */
class StepHandlerTest {
  @TempDir Path state;

  private StepHandler handler(Harness h) {
    return new StepHandler(h.component());
  }

  @Test
  void handleRequest_malformedInput_failsWithConfigurationCodeAndStartsNothing() {
    Harness h = new Harness(state);

    JsonNode out = Harness.invoke(handler(h), "not json");

    assertThat(out.get("status").asText()).isEqualTo("failed");
    assertThat(out.get("error").get("exitCode").asInt()).isEqualTo(1);
    assertThat(out.get("error").get("message").asText())
        .isEqualTo("the step input is not JSON (JsonParseException)");
    assertThat(state.resolve("runs")).doesNotExist();
    assertThat(state.resolve("lambda")).doesNotExist();
  }

  @Test
  void handleRequest_unknownAction_failsListingTheActions() {
    Harness h = new Harness(state);

    JsonNode out = Harness.invoke(handler(h), "{\"action\":\"rollback\",\"runId\":\"x\"}");

    assertThat(out.get("error").get("message").asText())
        .isEqualTo("action 'rollback' is not one of start, advance, await-approval");
  }

  @Test
  void handleRequest_unknownKey_failsNamingIt() {
    Harness h = new Harness(state);

    JsonNode out = Harness.invoke(handler(h), "{\"action\":\"advance\",\"runid\":\"x\"}");

    assertThat(out.get("error").get("message").asText())
        .startsWith(
            "the step input has unknown keys [runid]; known keys: action, alarm, approval,");
  }

  @Test
  void handleRequest_advanceOfNoRun_failsSayingWhatARunIdIs() {
    Harness h = new Harness(state);

    JsonNode out = Harness.invoke(handler(h), "{\"action\":\"advance\",\"runId\":\"nope\"}");

    assertThat(out.get("status").asText()).isEqualTo("failed");
    assertThat(out.get("runId").asText()).isEqualTo("nope");
    assertThat(out.get("error").get("message").asText())
        .startsWith("'nope' is not a run id (run-YYYYMMDD-HHMMSS-xxxx)");
  }

  @Test
  void handleRequest_startWithBadTime_failsAndRecordsNothing() {
    Harness h = new Harness(state);

    JsonNode out =
        Harness.invoke(
            handler(h),
            "{\"action\":\"start\",\"execution\":\"e-1\",\"environment\":\"embedded\","
                + "\"kind\":\"data\",\"suspectedStart\":\"yesterday\"}");

    assertThat(out.get("error").get("message").asText())
        .isEqualTo(
            "suspectedStart 'yesterday' is not an ISO-8601 instant such as 2025-06-10T14:03:00Z");
    assertThat(state.resolve("lambda")).doesNotExist();
  }

  @Test
  void handleRequest_strictApprovalWithoutPhrase_cancelledBeforeLockingOrPlanning()
      throws Exception {
    Path yaml = state.resolve("dbrecover.yaml");
    Files.writeString(
        yaml,
        "environments:\n  production:\n    protection: strict\n"
            + "    database: { provider: postgres, url: 'postgresql://app:pw-not-shown@127.0.0.1:1/app' }\n");
    Harness h = new Harness(state).env(LambdaSettings.CONFIG, yaml.toString());

    JsonNode out =
        Harness.invoke(
            handler(h),
            "{\"action\":\"start\",\"execution\":\"e-1\",\"environment\":\"production\","
                + "\"kind\":\"data\",\"suspectedStart\":\"2025-06-10T14:00:00Z\","
                + "\"approval\":{\"approved\":true,\"by\":\"alice\"}}");

    assertThat(out.get("status").asText()).isEqualTo("failed");
    assertThat(out.get("error").get("exitCode").asInt()).isEqualTo(6);
    assertThat(out.get("error").get("message").asText())
        .isEqualTo(
            "environment 'production' is strict: the approval must carry \"phrase\":"
                + " \"rollback-production\"; nothing was changed");
    assertThat(state.resolve("locks")).doesNotExist();
    assertThat(h.logText()).doesNotContain("pw-not-shown");
  }

  @Test
  void handleRequest_approvalWithoutAnswer_rejected() {
    Harness h = new Harness(state);

    JsonNode out =
        Harness.invoke(
            handler(h),
            "{\"action\":\"start\",\"execution\":\"e-1\",\"environment\":\"embedded\","
                + "\"kind\":\"data\",\"suspectedStart\":\"2025-06-10T14:00:00Z\","
                + "\"approval\":{\"ok\":\"yes\"}}");

    assertThat(out.get("error").get("message").asText())
        .startsWith("the approval must be a JSON object with \"approved\": true or false");
  }

  @Test
  void handleRequest_awaitApproval_recordsTheTokenUnderTheRunIdAndNeverLogsIt() throws Exception {
    Path yaml = state.resolve("dbrecover.yaml");
    Files.writeString(
        yaml,
        "environments:\n  production:\n    protection: strict\n"
            + "    database: { provider: postgres, url: 'postgresql://app:pw-not-shown@127.0.0.1:1/app' }\n");
    Harness h = new Harness(state).env(LambdaSettings.CONFIG, yaml.toString());
    String token = "AQCEAAAAKgAAAAMAAAAAAAAAAdp0secret-task-token";

    JsonNode out =
        Harness.invoke(
            handler(h),
            "{\"action\":\"await-approval\",\"runId\":\"run-20250610-140300-1a2b\","
                + "\"execution\":\"e-1\",\"executionArn\":"
                + "\"arn:aws:states:eu-west-1:123456789012:execution:dbrecover-recovery:e-1\","
                + "\"environment\":\"production\",\"protection\":\"strict\","
                + "\"method\":\"pg_dump restore\",\"recoveryPoint\":\"backup b1\","
                + "\"summary\":\"dbrecover asks to recover environment production\","
                + "\"taskToken\":\""
                + token
                + "\"}");

    assertThat(out.get("status").asText()).as(out.toString()).isEqualTo("awaiting");
    assertThat(out.get("runId").asText()).isEqualTo("run-20250610-140300-1a2b");
    ApprovalRequest r =
        h.component()
            .engine()
            .approval(h.component().config(), "run-20250610-140300-1a2b")
            .orElseThrow();
    assertThat(r.taskToken().reveal()).isEqualTo(token);
    assertThat(r.protection()).isEqualTo(ProtectionLevel.STRICT);
    assertThat(r.expiresAt()).isEqualTo(r.requestedAt().plus(StepHandler.APPROVAL_TIMEOUT));
    assertThat(r.answer()).isNull();
    assertThat(state.resolve("approvals/run-20250610-140300-1a2b.json")).exists();
    assertThat(h.logText()).contains("run-20250610-140300-1a2b").doesNotContain(token);
    assertThat(out.toString()).doesNotContain(token);
    assertThat(state.resolve("runs")).doesNotExist();
  }

  @Test
  void handleRequest_awaitApprovalWithoutARunId_thrownSoTheWaitingTaskFailsAndNothingRecorded() {
    Harness h = new Harness(state);

    // Thrown, not answered: the waiting task ignores the function's answer and would wait.
    assertThatThrownBy(
            () ->
                Harness.invoke(
                    handler(h),
                    "{\"action\":\"await-approval\",\"runId\":\"latest\","
                        + "\"execution\":\"e-1\",\"environment\":\"embedded\","
                        + "\"protection\":\"confirm\",\"taskToken\":\"t\"}"))
        .isInstanceOf(DbRecoverException.class)
        .hasMessage(
            "the await-approval input is rejected: runId 'latest' is not a run id; the waiting"
                + " task fails and the failure is notified");
    assertThat(state.resolve("approvals")).doesNotExist();
  }
}
