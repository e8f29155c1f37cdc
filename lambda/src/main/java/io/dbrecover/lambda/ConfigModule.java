package io.dbrecover.lambda;

import dagger.Module;
import dagger.Provides;
import io.dbrecover.engine.api.ConfigLoader;
import io.dbrecover.engine.api.DbRecoverConfig;
import javax.inject.Singleton;

/** What every entry shares: the configuration and the execution-to-run records. */
@Module
public final class ConfigModule {
  private ConfigModule() {}

  /**
   * {@code dbrecover.yaml} from {@code DBRECOVER_CONFIG} (or the embedded default), its state
   * directory replaced by {@code DBRECOVER_STATE_DIR}: the deployment package is read-only.
   */
  @Provides
  @Singleton
  static DbRecoverConfig config(LambdaSettings settings) {
    DbRecoverConfig loaded =
        settings
            .configFileOpt()
            .map(f -> ConfigLoader.load(f, settings.env()))
            .orElseGet(() -> ConfigLoader.embeddedDefault(settings.stateDir()));
    DbRecoverConfig config =
        new DbRecoverConfig(
            loaded.source(), settings.stateDir().toAbsolutePath(), loaded.environments());
    for (AlarmRoute route : settings.routes().routes()) {
      // Fails the cold start, not the first alarm, when a route names no environment.
      config.environment(route.environment());
    }
    return config;
  }

  /**
   * Where executions record their runs: files in the state directory until the engine's journal and
   * lock can live in DynamoDB; then this binding is the one to replace.
   */
  @Provides
  @Singleton
  static ExecutionRuns executionRuns(LambdaSettings settings) {
    return new FileExecutionRuns(settings.stateDir().toAbsolutePath());
  }
}
