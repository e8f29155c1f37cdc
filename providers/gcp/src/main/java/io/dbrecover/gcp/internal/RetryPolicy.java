package io.dbrecover.gcp.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * How Google API calls are retried: 429, quota 403s, 5xx, 409 {@code operationInProgress} (Cloud
 * SQL runs one admin operation per instance at a time) and, for reads, network errors.
 *
 * @param attempts attempts in all, the first included, before the error surfaces (exit 8)
 * @param baseBackoff the first backoff; doubled each attempt, with jitter
 * @param maxBackoff the longest single backoff
 */
public record RetryPolicy(int attempts, Duration baseBackoff, Duration maxBackoff) {
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(6, Duration.ofSeconds(1), Duration.ofSeconds(32));

  public RetryPolicy {
    Objects.requireNonNull(baseBackoff, "baseBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be at least 1");
    }
  }

  /**
   * The wait after failed attempt {@code attempt} (1-based): {@code base * 2^(attempt-1)}, capped,
   * then scaled by a jitter factor in [0.5, 1.0) so clients that failed together do not retry
   * together. {@code jitter} is in [0, 1).
   */
  public Duration backoff(int attempt, double jitter) {
    long base = baseBackoff.toMillis() << Math.min(attempt - 1, 20);
    long capped = Math.min(base, maxBackoff.toMillis());
    return Duration.ofMillis((long) (capped * (0.5 + jitter / 2)));
  }
}
