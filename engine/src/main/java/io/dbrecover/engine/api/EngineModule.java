package io.dbrecover.engine.api;

import dagger.Module;
import dagger.Provides;
import dagger.multibindings.IntoMap;
import dagger.multibindings.StringKey;
import io.dbrecover.engine.internal.DotenvUrlTarget;
import io.dbrecover.engine.internal.FileStateStore;
import io.dbrecover.engine.spi.StateStore;
import io.dbrecover.engine.spi.UrlTarget;
import java.time.Clock;

/**
 * Dagger bindings of the engine itself: the clock, the built-in dotenv URL target and the files
 * state store.
 */
@Module
public abstract class EngineModule {
  private EngineModule() {}

  @Provides
  static Clock clock() {
    return Clock.systemUTC();
  }

  @Provides
  @IntoMap
  @StringKey(DotenvUrlTarget.TYPE)
  static UrlTarget.Factory dotenv() {
    return new DotenvUrlTarget.Factory();
  }

  @Provides
  @IntoMap
  @StringKey(FileStateStore.TYPE)
  static StateStore.Factory files(Clock clock) {
    return new FileStateStore.Factory(clock);
  }
}
