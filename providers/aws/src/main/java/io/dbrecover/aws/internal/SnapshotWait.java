package io.dbrecover.aws.internal;

import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.spi.ProviderContext;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Waits for an RDS or Aurora snapshot to become available: polls with backoff (15, 30, 60, 60 ...
 * seconds) through the injected {@link Sleeper}, reports progress, fails on {@code failed} and
 * after {@link #TIMEOUT}.
 */
public final class SnapshotWait {
  /** How long a backup waits for its snapshot. */
  public static final Duration TIMEOUT = Duration.ofHours(2);

  private static final Duration FIRST = Duration.ofSeconds(15);
  private static final Duration MAX = Duration.ofSeconds(60);

  private SnapshotWait() {}

  /**
   * @param what e.g. {@code RDS DB snapshot 'orders-dbr-...'}
   * @param snapshot the snapshot as created
   * @param describe reads it again
   * @param status its status
   * @param percent its progress in percent, or null
   */
  public static <T> T available(
      ProviderContext ctx,
      Sleeper sleeper,
      String what,
      T snapshot,
      Supplier<T> describe,
      Function<T, String> status,
      Function<T, Integer> percent) {
    Instant deadline = ctx.clock().instant().plus(TIMEOUT);
    Duration wait = FIRST;
    T current = snapshot;
    while (!"available".equals(status.apply(current))) {
      String s = status.apply(current);
      if ("failed".equals(s) || "deleting".equals(s)) {
        throw new DbRecoverException(
            ErrorCode.PROVIDER_API,
            what
                + " is "
                + s
                + "; look at the events in the RDS console and take the backup again");
      }
      if (ctx.clock().instant().isAfter(deadline)) {
        throw new DbRecoverException(
            ErrorCode.PROVIDER_API,
            what
                + " is still "
                + s
                + " after "
                + TIMEOUT.toHours()
                + " h; it keeps going at AWS: `dbrecover list-backups` shows it once available");
      }
      Integer p = percent.apply(current);
      ctx.progress().update(what + " is " + s + (p == null ? "" : " (" + p + "%)"));
      try {
        sleeper.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new DbRecoverException(
            ErrorCode.CANCELLED, "interrupted while waiting for " + what, e);
      }
      wait = wait.multipliedBy(2).compareTo(MAX) > 0 ? MAX : wait.multipliedBy(2);
      current = describe.get();
    }
    return current;
  }
}
