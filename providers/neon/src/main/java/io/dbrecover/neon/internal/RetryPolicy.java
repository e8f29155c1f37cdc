package io.dbrecover.neon.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * How the Neon client retries.
 *
 * @param lockedWait the wait after 409/423 (another operation holds the branch); neonctl waits 3 s
 * @param lockedAttempts attempts in all while the resource stays locked; neonctl makes 5
 * @param serverAttempts attempts in all for 5xx and network errors (retried calls only)
 * @param baseBackoff the first 5xx backoff; doubled each attempt, with jitter
 * @param maxBackoff the longest single backoff, also the cap of a 429 {@code Retry-After}
 * @param rateLimitAttempts attempts in all while Neon answers 429
 */
public record RetryPolicy(
    Duration lockedWait,
    int lockedAttempts,
    int serverAttempts,
    Duration baseBackoff,
    Duration maxBackoff,
    int rateLimitAttempts) {

  public static final RetryPolicy DEFAULT =
      new RetryPolicy(
          Duration.ofSeconds(3), 5, 4, Duration.ofSeconds(1), Duration.ofSeconds(60), 5);

  public RetryPolicy {
    Objects.requireNonNull(lockedWait, "lockedWait");
    Objects.requireNonNull(baseBackoff, "baseBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    if (lockedAttempts < 1 || serverAttempts < 1 || rateLimitAttempts < 1) {
      throw new IllegalArgumentException("every attempt count must be at least 1");
    }
  }

  /**
   * The backoff before attempt {@code attempt + 1} after a 5xx: {@code base * 2^(attempt-1)},
   * capped, then scaled by a jitter factor in [0.5, 1.0) so clients that failed together do not
   * retry together.
   */
  Duration serverBackoff(int attempt, double jitter) {
    long base = baseBackoff.toMillis() << Math.min(attempt - 1, 20);
    long capped = Math.min(base, maxBackoff.toMillis());
    return Duration.ofMillis((long) (capped * (0.5 + jitter / 2)));
  }
}
