package io.dbrecover.lambda;

import dagger.Module;
import dagger.Provides;
import io.dbrecover.engine.api.ConfigLoader;
import io.dbrecover.engine.api.DbRecoverConfig;
import javax.inject.Singleton;

/** What every entry shares: the configuration. */
@Module
public final class ConfigModule {
  private ConfigModule() {}

  /**
   * {@code dbrecover.yaml} from {@code DBRECOVER_CONFIG} (or the embedded default), its state
   * directory replaced by {@code DBRECOVER_STATE_DIR}: the deployment package is read-only. Its
   * {@code state-store} is kept: with {@code dynamodb}, runs and locks live in the table and the
   * state directory holds only reports.
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
            loaded.source(),
            settings.stateDir().toAbsolutePath(),
            loaded.environments(),
            loaded.stateStore());
    for (AlarmRoute route : settings.routes().routes()) {
      // Fails the cold start, not the first alarm, when a route names no environment.
      config.environment(route.environment());
    }
    return config;
  }
}
