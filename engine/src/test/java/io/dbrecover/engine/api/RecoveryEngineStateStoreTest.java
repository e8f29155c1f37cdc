package io.dbrecover.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbrecover.engine.internal.FileStateStore;
import io.dbrecover.engine.spi.Provider;
import io.dbrecover.engine.spi.StateStore;
import io.dbrecover.engine.spi.UrlTarget;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine takes locks (and keeps journals) in the state store the configuration names. */
class RecoveryEngineStateStoreTest {
  @TempDir Path state;

  /** Records which locks were taken; enough to see which store the engine chose. */
  private static final class RecordingStore implements StateStore {
    final List<String> locked = new ArrayList<>();
    final List<String> released = new ArrayList<>();

    @Override
    public String describe() {
      return "recording store";
    }

    @Override
    public Lock lock(String environment, String holder) {
      locked.add(environment + ":" + holder);
      return new Lock() {
        @Override
        public void renew() {}

        @Override
        public void close() {
          released.add(environment);
        }
      };
    }

    @Override
    public RunLog create(String environment, String runId) {
      throw new IllegalStateException("not used by these tests");
    }

    @Override
    public RunLog open(String runId) {
      throw new IllegalStateException("not used by these tests");
    }

    @Override
    public List<String> runIds(String environment) {
      return List.of();
    }
  }

  private final RecordingStore recording = new RecordingStore();

  private RecoveryEngine engine() {
    return new RecoveryEngine(
        Map.<String, Provider>of(),
        Map.<String, UrlTarget.Factory>of(),
        Map.of(
            "files",
            new FileStateStore.Factory(Clock.systemUTC()),
            "recording",
            (config, dir) -> recording),
        Clock.systemUTC());
  }

  private DbRecoverConfig config(StateStoreConfig store) {
    EnvironmentConfig env =
        new EnvironmentConfig(
            "prod",
            Tier.PRODUCTION,
            ProtectionLevel.NONE,
            new EnvironmentConfig.Database(
                "postgres", "postgresql://app@127.0.0.1:1/app", false, Map.of()),
            state.resolve("backups"),
            null,
            new EnvironmentConfig.Migrations(MigrationTool.SQL, null),
            Set.of(Method.values()),
            EnvironmentConfig.Retention.DEFAULT,
            List.of(),
            1);
    return new DbRecoverConfig(Optional.empty(), state, Map.of("prod", env), store);
  }

  @Test
  void lock_configuredStore_takesAndReleasesTheLockThere() {
    try (RecoveryEngine.Lock lock =
        engine().lock(config(new StateStoreConfig("recording", Map.of())), "prod", "run r1")) {
      assertThat(recording.locked).containsExactly("prod:run r1");
    }

    assertThat(recording.released).containsExactly("prod");
    assertThat(state.resolve("locks")).doesNotExist();
  }

  @Test
  void lock_filesStore_locksAFileUnderTheStateDirectory() {
    try (RecoveryEngine.Lock lock = engine().lock(config(StateStoreConfig.FILES), "prod", "r1")) {
      assertThat(state.resolve("locks/prod.lock")).exists();
      assertThatThrownBy(() -> engine().lock(config(StateStoreConfig.FILES), "prod", "r2"))
          .isInstanceOf(DbRecoverException.class)
          .extracting(e -> ((DbRecoverException) e).code())
          .isEqualTo(ErrorCode.LOCKED);
    }
  }

  @Test
  void lock_unknownStoreType_configurationErrorListingTheAvailableOnes() {
    assertThatThrownBy(
            () -> engine().lock(config(new StateStoreConfig("etcd", Map.of())), "prod", "r1"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("state-store type 'etcd' is not in this build; available: files, recording");
  }
}
