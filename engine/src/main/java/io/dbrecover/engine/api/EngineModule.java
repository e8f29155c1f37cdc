package io.dbrecover.engine.api;

import dagger.Module;
import dagger.Provides;
import dagger.multibindings.IntoMap;
import dagger.multibindings.Multibinds;
import dagger.multibindings.StringKey;
import io.dbrecover.engine.internal.DotenvUrlTarget;
import io.dbrecover.engine.internal.FileStateStore;
import io.dbrecover.engine.spi.BackupStorage;
import io.dbrecover.engine.spi.StateStore;
import io.dbrecover.engine.spi.UrlTarget;
import java.time.Clock;
import java.util.Map;

/**
 * Dagger bindings of the engine itself: the clock, the built-in dotenv URL target, the files state
 * store, and the (possibly empty) map of remote backup stores by URL scheme that provider modules
 * add to.
 */
@Module
public abstract class EngineModule {
  private EngineModule() {}

  /** Remote backup stores by URL scheme ({@code s3}); empty when no module adds one. */
  @Multibinds
  abstract Map<String, BackupStorage.Factory> backupStorages();

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
