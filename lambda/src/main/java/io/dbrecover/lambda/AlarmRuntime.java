package io.dbrecover.lambda;

import java.time.Clock;

/**
 * The alarm entry's object graph, built at init like {@link LambdaRuntime}'s; a class of its own so
 * that the alarm jar never references the engine or a provider.
 */
final class AlarmRuntime {
  private AlarmRuntime() {}

  private static final AlarmComponent COMPONENT =
      AlarmComponent.create(
          LambdaSettings.fromEnv(System.getenv()), new JsonLog(System.out, Clock.systemUTC()));

  static AlarmComponent alarm() {
    return COMPONENT;
  }
}
