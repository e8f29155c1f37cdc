package io.dbrecover.lambda;

import java.time.Clock;

/**
 * The step and snapshot entries' object graph, one per Lambda execution environment, built when the
 * first handler class is loaded: during the init phase, before a SnapStart snapshot, never on an
 * invocation's path.
 */
final class LambdaRuntime {
  private LambdaRuntime() {}

  private static final LambdaComponent COMPONENT =
      LambdaComponent.create(
          LambdaSettings.fromEnv(System.getenv()), new JsonLog(System.out, Clock.systemUTC()));

  static LambdaComponent recovery() {
    return COMPONENT;
  }
}
