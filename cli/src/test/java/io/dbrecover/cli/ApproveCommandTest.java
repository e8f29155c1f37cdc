package io.dbrecover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbrecover.engine.api.ApprovalRequest;
import io.dbrecover.engine.api.ConfigLoader;
import io.dbrecover.engine.api.DbRecoverConfig;
import io.dbrecover.engine.api.ProtectionLevel;
import io.dbrecover.engine.api.RecoveryEngine;
import io.dbrecover.engine.api.Secret;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code dbrecover approve} in-process with {@code --force}: the request recorded by the Lambda's
 * step entry (files store), the answer sent to Step Functions on WireMock, exit codes.
 */
class ApproveCommandTest {
  static final String TOKEN = "AQCEAAAAKgAAAAMAAAAAAAAAAa1b2c3d-secret-task-token";
  static final String RUN = "run-20250610-140300-1a2b";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path work;
  private SfnTaskStub sfn;
  private final RecoveryEngine engine = DaggerCliComponent.create().engine();

  record Result(int exit, String out, String err) {}

  @BeforeAll
  static void credentials() {
    System.setProperty("aws.accessKeyId", "AKIDTEST");
    System.setProperty("aws.secretAccessKey", "test-secret-key");
  }

  @BeforeEach
  void setUp() throws Exception {
    sfn = new SfnTaskStub();
    Files.writeString(
        work.resolve("dbrecover.yaml"),
        "environments:\n"
            + "  prod:\n    protection: strict\n"
            + "    database: { provider: postgres, url: 'postgresql://app:pw-not-shown@127.0.0.1:1/app' }\n"
            + "  staging:\n    protection: confirm\n"
            + "    database: { provider: postgres, url: 'postgresql://app@127.0.0.1:1/app' }\n");
  }

  @AfterEach
  void tearDown() {
    sfn.close();
  }

  private DbRecoverConfig config() {
    DbRecoverConfig c = ConfigLoader.load(work.resolve("dbrecover.yaml"), Map.of());
    return new DbRecoverConfig(c.source(), work.resolve("state"), c.environments(), c.stateStore());
  }

  /** What the step entry records when the state machine starts waiting. */
  static ApprovalRequest request(String runId, String env, ProtectionLevel level, Instant at) {
    return new ApprovalRequest(
        runId,
        env,
        level,
        "orders-data-corruption-20250610T140300-3f9a1c2b7d4e",
        "arn:aws:states:eu-west-1:123456789012:execution:dbrecover-recovery:orders-1",
        "pg_dump restore",
        "backup b-20250610-0300",
        "dbrecover asks to recover environment "
            + env
            + ".\nDecision: pg_dump restore from backup b-20250610-0300\n"
            + "Data loss (estimate from the backup's row counts): orders 12 rows\n",
        at,
        at.plus(Duration.ofHours(4)),
        Secret.of(TOKEN),
        null);
  }

  private void seed(ApprovalRequest r) {
    engine.requestApproval(config(), r);
  }

  private Result run(String... args) {
    CommandLine cli =
        Main.commandLine(
            new DbRecoverCommand(
                () -> engine, Map.of(ApproveCommand.SFN_ENDPOINT, sfn.endpoint())));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    String[] all = new String[args.length + 4];
    all[0] = "--config";
    all[1] = work.resolve("dbrecover.yaml").toString();
    all[2] = "--state-dir";
    all[3] = work.resolve("state").toString();
    System.arraycopy(args, 0, all, 4, args.length);
    int exit = cli.execute(all);
    Result r = new Result(exit, out.toString(), err.toString());
    assertThat(r.out() + r.err()).doesNotContain(TOKEN).doesNotContain("pw-not-shown");
    return r;
  }

  @Test
  void approve_strictWithPhraseForced_sendsTaskSuccessAndRecordsTheAnswer() throws Exception {
    seed(request(RUN, "prod", ProtectionLevel.STRICT, Instant.now()));

    Result r = run("approve", RUN, "--force", "--by", "alice", "--phrase", "rollback-prod");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("Approved run " + RUN + " (prod): the state machine starts");
    JsonNode sent = sfn.calls(SfnTaskStub.SUCCESS).get(0);
    assertThat(sent.get("taskToken").asText()).isEqualTo(TOKEN);
    assertThat(JSON.readTree(sent.get("output").asText()))
        .isEqualTo(
            JSON.readTree("{\"approved\":true,\"by\":\"alice\",\"phrase\":\"rollback-prod\"}"));
    assertThat(sfn.requests().get(0).getHeader("Content-Type"))
        .isEqualTo("application/x-amz-json-1.0");
    ApprovalRequest.Answer a = engine.approval(config(), RUN).orElseThrow().answer();
    assertThat(a.outcome()).isEqualTo(ApprovalRequest.Outcome.APPROVED);
    assertThat(a.by()).isEqualTo("alice");
  }

  @Test
  void approve_answeredAlready_exitOneSayingByWhomAndSendsNothing() {
    seed(request(RUN, "staging", ProtectionLevel.CONFIRM, Instant.now()));
    assertThat(run("approve", RUN, "--force", "--by", "alice").exit()).isZero();

    Result again = run("approve", RUN, "--force", "--by", "bob");

    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err())
        .startsWith(
            "dbrecover: the approval request of run "
                + RUN
                + " was already answered: approved by alice at ")
        .contains("; nothing was sent")
        .contains("(exit 1: configuration or validation error)");
    assertThat(sfn.calls(SfnTaskStub.SUCCESS)).hasSize(1);
  }

  @Test
  void deny_sendsTaskFailureDeniedWithTheReason() {
    seed(request(RUN, "prod", ProtectionLevel.STRICT, Instant.now()));

    Result r = run("approve", RUN, "--deny", "--force", "--by", "bob", "--reason", "wrong alarm");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("Denied run " + RUN + " (prod): nothing is started");
    JsonNode sent = sfn.calls(SfnTaskStub.FAILURE).get(0);
    assertThat(sent.get("taskToken").asText()).isEqualTo(TOKEN);
    assertThat(sent.get("error").asText()).isEqualTo("Denied");
    assertThat(sent.get("cause").asText()).isEqualTo("denied by bob: wrong alarm");
    assertThat(sfn.calls(SfnTaskStub.SUCCESS)).isEmpty();
    assertThat(engine.approval(config(), RUN).orElseThrow().answer().outcome())
        .isEqualTo(ApprovalRequest.Outcome.DENIED);
  }

  @Test
  void approve_unknownRunId_exitOneListingTheRequestsThatWait() {
    seed(request(RUN, "prod", ProtectionLevel.STRICT, Instant.now()));

    Result r = run("approve", "run-20250101-000000-ffff", "--force");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .startsWith(
            "dbrecover: no approval request for run run-20250101-000000-ffff in the state store;"
                + " waiting: "
                + RUN
                + " (prod, pg_dump restore, until ");
    assertThat(sfn.requests()).isEmpty();
  }

  @Test
  void approve_taskTimedOut_exitOneSayingTheStateMachineNoLongerWaits() {
    seed(request(RUN, "staging", ProtectionLevel.CONFIRM, Instant.now()));
    sfn.answer(SfnTaskStub.SUCCESS, 400, SfnTaskStub.TASK_TIMED_OUT);

    Result r = run("approve", RUN, "--force");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .contains(
            "the state machine no longer waits for the approval of run "
                + RUN
                + " (Step Functions: TaskTimedOut;")
        .contains("nothing was sent");
    assertThat(engine.approval(config(), RUN).orElseThrow().answer().outcome())
        .isEqualTo(ApprovalRequest.Outcome.EXPIRED);
  }

  @Test
  void approve_expiredRequest_exitOneWithoutCallingStepFunctions() {
    seed(
        request(RUN, "staging", ProtectionLevel.CONFIRM, Instant.now().minus(Duration.ofHours(5))));

    Result r = run("approve", RUN, "--force");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("the approval request of run " + RUN + " expired at ");
    assertThat(sfn.requests()).isEmpty();
  }

  @Test
  void approve_accessDenied_exitEightAndNothingRecorded() {
    seed(request(RUN, "staging", ProtectionLevel.CONFIRM, Instant.now()));
    sfn.answer(SfnTaskStub.SUCCESS, 400, SfnTaskStub.ACCESS_DENIED);

    Result r = run("approve", RUN, "--force");

    assertThat(r.exit()).isEqualTo(8);
    assertThat(r.err())
        .contains("Step Functions refused the answer to run " + RUN + " (AccessDeniedException")
        .contains("approvers need states:SendTaskSuccess");
    assertThat(engine.approval(config(), RUN).orElseThrow().answer()).isNull();
  }

  @Test
  void approve_strictForcedWithoutPhrase_exitSixAndNothingSent() {
    seed(request(RUN, "prod", ProtectionLevel.STRICT, Instant.now()));

    Result r = run("approve", RUN, "--force");

    assertThat(r.exit()).isEqualTo(6);
    assertThat(r.err())
        .contains("environment 'prod' is strict: approving needs the phrase rollback-prod");
    assertThat(sfn.requests()).isEmpty();
    assertThat(engine.approval(config(), RUN).orElseThrow().answer()).isNull();
  }

  @Test
  void approve_jsonOutput_oneDocumentWithTheOutcome() throws Exception {
    seed(request(RUN, "staging", ProtectionLevel.CONFIRM, Instant.now()));

    Result r = run("approve", RUN, "--force", "--by", "alice", "--output", "json");

    JsonNode doc = JSON.readTree(r.out());
    assertThat(doc.get("runId").asText()).isEqualTo(RUN);
    assertThat(doc.get("outcome").asText()).isEqualTo("approved");
    assertThat(doc.get("by").asText()).isEqualTo("alice");
    assertThat(doc.get("method").asText()).isEqualTo("pg_dump restore");
    assertThat(doc.has("taskToken")).isFalse();
  }

  @Test
  void help_listsApprove() {
    Result r = run("--help");

    assertThat(r.out()).contains("approve").contains("Approve (or --deny) a recovery");
  }
}
