package io.dbrecover.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The snapshot entry's answers to bad input and unreachable databases. */
class SnapshotHandlerTest {
  @TempDir Path state;

  @Test
  void handleRequest_unknownEnvironment_rejectedNamingTheKnownOnes() {
    Harness h = new Harness(state);

    JsonNode out = Harness.invoke(new SnapshotHandler(h.component()), "{\"environment\":\"prod\"}");

    assertThat(out.get("status").asText()).isEqualTo("failed");
    assertThat(out.get("error").get("message").asText())
        .startsWith("unknown environment 'prod'")
        .endsWith("known environments: embedded");
    assertThat(state.resolve("backups")).doesNotExist();
  }

  @Test
  void handleRequest_eventBridgeRuleEventInsteadOfSchedulerInput_rejected() {
    Harness h = new Harness(state);

    JsonNode out =
        Harness.invoke(
            new SnapshotHandler(h.component()), Harness.fixture("eventbridge-scheduled.json"));

    assertThat(out.get("status").asText()).isEqualTo("rejected");
    assertThat(out.get("error").get("message").asText())
        .startsWith("the snapshot input has unknown keys [version, id, detail-type");
  }

  @Test
  void handleRequest_unreachableDatabase_failsWithoutThePasswordAnywhere() throws Exception {
    Path yaml = state.resolve("dbrecover.yaml");
    Files.writeString(
        yaml,
        "environments:\n  prod:\n    protection: none\n"
            + "    database: { provider: postgres, url: '${APP_DB_URL}' }\n"
            + "    backup-store: backups\n");
    Harness h =
        new Harness(state)
            .env(LambdaSettings.CONFIG, yaml.toString())
            .env("APP_DB_URL", "postgresql://app:Sup3r-s3cret@127.0.0.1:1/app");

    JsonNode out =
        Harness.invoke(
            new SnapshotHandler(h.component()), Harness.fixture("scheduler-snapshot.json"));

    assertThat(out.get("status").asText()).isEqualTo("failed");
    assertThat(out.toString()).doesNotContain("Sup3r-s3cret");
    assertThat(h.logText()).contains("snapshot failed").doesNotContain("Sup3r-s3cret");
  }

  @Test
  void label_gitSha_appendsItsFirstTwelveDigits() {
    assertThat(SnapshotHandler.label("pre-deploy", "9FCEB02D0AE598E95DC970B74767F19372D61AF8"))
        .isEqualTo("pre-deploy-9fceb02d0ae5");
    assertThat(SnapshotHandler.label(null, null)).isEqualTo("scheduled");
  }

  @Test
  void label_notAHash_rejected() {
    assertThatThrownBy(() -> SnapshotHandler.label("pre-deploy", "main"))
        .isInstanceOf(RejectedEventException.class)
        .hasMessage("git_sha 'main' is not a commit hash (7 to 64 hex digits)");
  }
}
