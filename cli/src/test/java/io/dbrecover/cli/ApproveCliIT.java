package io.dbrecover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbrecover.engine.api.ConfigLoader;
import io.dbrecover.engine.api.DbRecoverConfig;
import io.dbrecover.engine.api.ProtectionLevel;
import io.dbrecover.engine.api.RecoveryEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dbrecover approve} as an on-call engineer runs it: the packaged command in a subprocess,
 * the request the Lambda recorded in the state directory, the answer typed on standard input, Step
 * Functions on WireMock.
 */
class ApproveCliIT {
  private static final String RUN = ApproveCommandTest.RUN;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path work;
  private SfnTaskStub sfn;
  private CliProcess cli;
  private final RecoveryEngine engine = DaggerCliComponent.create().engine();

  @BeforeEach
  void setUp() throws Exception {
    sfn = new SfnTaskStub();
    Files.writeString(
        work.resolve("dbrecover.yaml"),
        "state-dir: state\nenvironments:\n"
            + "  prod:\n    protection: strict\n"
            + "    database: { provider: postgres, url: 'postgresql://app@127.0.0.1:1/app' }\n"
            + "  staging:\n    protection: confirm\n"
            + "    database: { provider: postgres, url: 'postgresql://app@127.0.0.1:1/app' }\n");
    cli =
        new CliProcess(work)
            .env("AWS_ACCESS_KEY_ID", "AKIDTEST")
            .env("AWS_SECRET_ACCESS_KEY", "test-secret-key")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env(ApproveCommand.SFN_ENDPOINT, sfn.endpoint());
  }

  @AfterEach
  void tearDown() {
    sfn.close();
  }

  private void seed(String env, ProtectionLevel level) {
    DbRecoverConfig c = ConfigLoader.load(work.resolve("dbrecover.yaml"), Map.of());
    engine.requestApproval(c, ApproveCommandTest.request(RUN, env, level, Instant.now()));
  }

  @Test
  void approve_confirmAnsweredYes_showsThePlanAndSendsTheApproval() throws Exception {
    seed("staging", ProtectionLevel.CONFIRM);

    CliProcess.Result r = cli.runWithInput("y\n", "approve", RUN, "--by", "carol");

    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.err())
        .contains("Approval request of run " + RUN + ": environment staging (protection confirm)")
        .contains("Decision: pg_dump restore from backup b-20250610-0300")
        .contains("Data loss (estimate from the backup's row counts)")
        .contains("Approve the recovery of staging (run " + RUN + ")? [y/N]");
    assertThat(r.out()).startsWith("Approved run " + RUN + " (staging)");
    assertThat(r.all()).doesNotContain(ApproveCommandTest.TOKEN);
    JsonNode sent = sfn.calls(SfnTaskStub.SUCCESS).get(0);
    assertThat(JSON.readTree(sent.get("output").asText()))
        .isEqualTo(JSON.readTree("{\"approved\":true,\"by\":\"carol\"}"));
  }

  @Test
  void approve_answeredNo_exitSixNothingSentAndTheRequestStillWaits() {
    seed("staging", ProtectionLevel.CONFIRM);

    CliProcess.Result r = cli.runWithInput("n\n", "approve", RUN);

    assertThat(r.exit()).as(r.all()).isEqualTo(6);
    assertThat(r.err())
        .contains("not approved; nothing was sent, run " + RUN + " still waits")
        .contains("(exit 6: cancelled by the user)");
    assertThat(sfn.requests()).isEmpty();
    CliProcess.Result again = cli.runWithInput("yes\n", "approve", RUN);
    assertThat(again.exit()).as(again.all()).isZero();
  }

  @Test
  void approve_strictPhraseTyped_sendsItWithTheApproval() throws Exception {
    seed("prod", ProtectionLevel.STRICT);

    CliProcess.Result r = cli.runWithInput("rollback-prod\n", "approve", RUN, "--by", "dave");

    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.err()).contains("Type rollback-prod to approve, anything else cancels:");
    JsonNode sent = sfn.calls(SfnTaskStub.SUCCESS).get(0);
    assertThat(JSON.readTree(sent.get("output").asText()))
        .isEqualTo(
            JSON.readTree("{\"approved\":true,\"by\":\"dave\",\"phrase\":\"rollback-prod\"}"));
  }

  @Test
  void approve_strictWrongPhrase_exitSixNothingSent() {
    seed("prod", ProtectionLevel.STRICT);

    CliProcess.Result r = cli.runWithInput("rollback-staging\n", "approve", RUN);

    assertThat(r.exit()).as(r.all()).isEqualTo(6);
    assertThat(sfn.requests()).isEmpty();
  }

  @Test
  void approve_noInput_exitSixAskingForForce() {
    seed("staging", ProtectionLevel.CONFIRM);

    CliProcess.Result r = cli.run("approve", RUN);

    assertThat(r.exit()).as(r.all()).isEqualTo(6);
    assertThat(r.err()).contains("no answer (end of input); nothing was sent. Use --force");
    assertThat(sfn.requests()).isEmpty();
  }
}
