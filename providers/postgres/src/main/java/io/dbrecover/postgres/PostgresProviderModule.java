package io.dbrecover.postgres;

import dagger.Module;
import dagger.Provides;
import dagger.multibindings.IntoMap;
import dagger.multibindings.StringKey;
import io.dbrecover.engine.spi.BackupStorage;
import io.dbrecover.engine.spi.Provider;
import java.util.Map;

/**
 * Registers the {@code postgres} provider with Dagger, with the remote backup stores other modules
 * register by URL scheme.
 */
@Module
public final class PostgresProviderModule {
  private PostgresProviderModule() {}

  @Provides
  @IntoMap
  @StringKey(PostgresProvider.NAME)
  static Provider postgresProvider(Map<String, BackupStorage.Factory> storages) {
    return new PostgresProvider(System.getenv(), storages);
  }
}
