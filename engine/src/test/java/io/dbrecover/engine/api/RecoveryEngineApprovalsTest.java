package io.dbrecover.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbrecover.engine.spi.Provider;
import io.dbrecover.engine.spi.UrlTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Approval requests kept beside the journals (the files store here), and their answers. */
class RecoveryEngineApprovalsTest {
  private static final Instant NOW = Instant.parse("2025-06-10T14:05:00Z");
  private static final String RUN = "run-20250610-140500-1a2b";

  @TempDir Path state;

  private final RecoveryEngine engine =
      new RecoveryEngine(
          Map.<String, Provider>of(),
          Map.<String, UrlTarget.Factory>of(),
          Clock.fixed(NOW, ZoneOffset.UTC));

  private DbRecoverConfig config() {
    return new DbRecoverConfig(Optional.empty(), state, Map.of(), StateStoreConfig.FILES);
  }

  private static ApprovalRequest request(String runId, Instant at) {
    return new ApprovalRequest(
        runId,
        "prod",
        ProtectionLevel.STRICT,
        "orders-1",
        "arn:aws:states:eu-west-1:123456789012:execution:dbrecover-recovery:orders-1",
        "pg_dump restore",
        "backup b1",
        "summary",
        at,
        at.plus(Duration.ofHours(4)),
        Secret.of("secret-token-value"),
        null);
  }

  @Test
  void requestApproval_thenApproval_readsItBackWithTheToken() throws Exception {
    engine.requestApproval(config(), request(RUN, NOW));

    ApprovalRequest back = engine.approval(config(), RUN).orElseThrow();

    assertThat(back).isEqualTo(request(RUN, NOW));
    assertThat(back.toString()).doesNotContain("secret-token-value");
    assertThat(Files.readString(state.resolve("approvals/" + RUN + ".json")))
        .contains("secret-token-value");
    assertThat(back.pending(NOW)).isTrue();
    assertThat(back.pending(NOW.plus(Duration.ofHours(4)))).isFalse();
  }

  @Test
  void answerApproval_twice_firstAnswerStands() {
    engine.requestApproval(config(), request(RUN, NOW));
    ApprovalRequest.Answer alice =
        new ApprovalRequest.Answer(ApprovalRequest.Outcome.APPROVED, "alice", null, NOW);
    ApprovalRequest.Answer bob =
        new ApprovalRequest.Answer(ApprovalRequest.Outcome.DENIED, "bob", "no", NOW);

    assertThat(engine.answerApproval(config(), RUN, alice)).isTrue();
    assertThat(engine.answerApproval(config(), RUN, bob)).isFalse();

    assertThat(engine.approval(config(), RUN).orElseThrow().answer()).isEqualTo(alice);
  }

  @Test
  void approvals_several_newestFirst() {
    String older = "run-20250610-120000-aaaa";
    engine.requestApproval(config(), request(older, NOW.minus(Duration.ofHours(2))));
    engine.requestApproval(config(), request(RUN, NOW));

    List<ApprovalRequest> all = engine.approvals(config());

    assertThat(all).extracting(ApprovalRequest::runId).containsExactly(RUN, older);
  }

  @Test
  void approval_notARunId_configurationError() {
    assertThatThrownBy(() -> engine.approval(config(), "latest"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("'latest' is not a run id (run-YYYYMMDD-HHMMSS-xxxx)");
  }

  @Test
  void newRunId_isARunIdOfTheEnginesClock() {
    assertThat(engine.newRunId()).startsWith("run-20250610-140500-");
    assertThat(RecoveryEngine.isRunId(engine.newRunId())).isTrue();
  }
}
