package io.dbrecover.postgres;

import dagger.Module;
import dagger.Provides;
import dagger.multibindings.IntoMap;
import dagger.multibindings.StringKey;
import io.dbrecover.engine.spi.Provider;

/** Registers the {@code postgres} provider with Dagger. */
@Module
public final class PostgresProviderModule {
  private PostgresProviderModule() {}

  @Provides
  @IntoMap
  @StringKey(PostgresProvider.NAME)
  static Provider postgresProvider() {
    return new PostgresProvider(System.getenv());
  }
}
