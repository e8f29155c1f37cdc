package io.dbrecover.engine.api;

import java.time.Duration;

/** The provider throttled us; {@link #retryAfter()} says when it accepts calls again. */
public final class RateLimitedException extends ProviderException {
  private static final long serialVersionUID = 1L;
  private final Duration retryAfter;

  public RateLimitedException(String message, String requestId, Duration retryAfter) {
    super(message, requestId, null);
    this.retryAfter = retryAfter;
  }

  public Duration retryAfter() {
    return retryAfter;
  }
}
