package io.dbrecover.engine.internal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Holds an environment lock in a separate process for {@link EnvironmentLockTest}: prints {@code
 * LOCKED} once it holds it, then holds it until stdin closes.
 */
final class LockHolderMain {
  private LockHolderMain() {}

  @SuppressWarnings("try") // the lock is held, not used
  public static void main(String[] args) throws IOException {
    try (EnvironmentLock lock = EnvironmentLock.acquire(Path.of(args[0]), args[1], args[2])) {
      System.out.println("LOCKED");
      System.out.flush();
      while (System.in.read() >= 0) {
        // hold until the parent closes our stdin
      }
    }
  }
}
