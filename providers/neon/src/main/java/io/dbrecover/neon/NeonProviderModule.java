package io.dbrecover.neon;

import dagger.Module;
import dagger.Provides;
import dagger.multibindings.IntoMap;
import dagger.multibindings.StringKey;
import io.dbrecover.engine.spi.Provider;

/** Registers the {@code neon} provider with Dagger. */
@Module
public final class NeonProviderModule {
  private NeonProviderModule() {}

  @Provides
  @IntoMap
  @StringKey(NeonProvider.NAME)
  static Provider neonProvider() {
    return new NeonProvider(System.getenv());
  }
}
