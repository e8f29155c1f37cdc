package io.dbrecover.engine.api;

import dagger.Module;
import dagger.Provides;
import java.time.Clock;

/** Dagger bindings of the engine itself: the clock and the built-in dotenv URL target. */
@Module
public abstract class EngineModule {
  private EngineModule() {}

  @Provides
  static Clock clock() {
    return Clock.systemUTC();
  }
}
