package io.dbrecover.aws.internal;

import java.time.Duration;

/** Waits between polls; injected so tests record the waits instead of sleeping. */
@FunctionalInterface
public interface Sleeper {
  Sleeper SYSTEM = d -> Thread.sleep(d.toMillis());

  void sleep(Duration duration) throws InterruptedException;
}
