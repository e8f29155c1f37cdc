package io.dbrecover.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.Secret;
import io.dbrecover.engine.api.StateStoreConfig;
import io.dbrecover.engine.spi.StateStore;
import io.dbrecover.engine.spi.UrlTarget;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * Against a real AWS account (run with {@code -Plive}; credentials and region from the default
 * chain). {@code DBRECOVER_LIVE_DYNAMODB_TABLE}: an existing state table (see
 * docs/providers/aws.md); the test uses environment {@code live-<time>} and run {@code
 * run-<time>-live}, and releases its lock. {@code DBRECOVER_LIVE_SSM_PREFIX}: a parameter path such
 * as {@code /dbrecover-live}; the test creates {@code <prefix>/url-<time>} as a SecureString and
 * deletes it.
 */
class AwsStateLiveTest {
  private final AwsClients clients = AwsClients.fromDefaultChain();
  private final long now = Instant.now().getEpochSecond();

  @Test
  @EnabledIfEnvironmentVariable(named = "DBRECOVER_LIVE_DYNAMODB_TABLE", matches = ".+")
  void dynamoDb_lockJournalAndStatus_onARealTable() {
    StateStore store =
        new DynamoDbStateStore.Factory(clients, Clock.systemUTC())
            .create(
                new StateStoreConfig(
                    "dynamodb", Map.of("table", System.getenv("DBRECOVER_LIVE_DYNAMODB_TABLE"))),
                Path.of("."));
    String env = "live-" + now;
    String runId = "run-" + now + "-live";

    try (StateStore.Lock lock = store.lock(env, "live test")) {
      assertThatThrownBy(() -> store.lock(env, "second contender"))
          .extracting(e -> ((DbRecoverException) e).code())
          .isEqualTo(ErrorCode.LOCKED);
      lock.renew();
      StateStore.RunLog log = store.create(env, runId);
      log.append(1, "{\"seq\":1}");
      log.append(2, "{\"seq\":2}");
      assertThat(store.open(runId).records()).containsExactly("{\"seq\":1}", "{\"seq\":2}");
      assertThat(store.runIds(env)).containsExactly(runId);
    }
    store.lock(env, "after release").close();
  }

  @Test
  @EnabledIfEnvironmentVariable(named = "DBRECOVER_LIVE_SSM_PREFIX", matches = ".+")
  void ssm_swapAndSwapBack_onARealParameter() {
    String name = System.getenv("DBRECOVER_LIVE_SSM_PREFIX") + "/url-" + now;
    UrlTarget target =
        new SsmParameterUrlTarget.Factory(clients, AwsSettings.DEFAULT)
            .create(new EnvironmentConfig.UrlTarget("ssm", name, null), Path.of("."));
    try {
      target.write(Secret.of("postgresql://app:one@db-1.invalid:5432/app"), "run-live-1");
      Map<String, String> receipt =
          target.write(Secret.of("postgresql://app:two@db-2.invalid:5432/app"), "run-live-2");
      assertThat(target.read()).contains(Secret.of("postgresql://app:two@db-2.invalid:5432/app"));

      target.swapBack(receipt);

      assertThat(target.read()).contains(Secret.of("postgresql://app:one@db-1.invalid:5432/app"));
    } finally {
      IamActionRecorder.outsideTheList(
          () -> clients.ssm(AwsSettings.DEFAULT).deleteParameter(b -> b.name(name)));
    }
  }
}
