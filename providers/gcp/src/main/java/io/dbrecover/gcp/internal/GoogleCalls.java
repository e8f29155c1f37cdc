package io.dbrecover.gcp.internal;

import com.google.api.client.googleapis.json.GoogleJsonResponseException;
import com.google.api.client.googleapis.services.AbstractGoogleClientRequest;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.ErrorCode;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;
import java.util.function.DoubleSupplier;
import java.util.function.Predicate;

/**
 * Runs Google API calls: checks each request against its {@link ApiCall} entry, retries what is
 * retryable ({@link GcpErrors#retryable}) with exponential backoff and jitter, and maps what is
 * left through {@link GcpErrors}. No client exception leaves this class.
 */
public final class GoogleCalls {
  /** One HTTP exchange. */
  @FunctionalInterface
  public interface Exchange<T> {
    T run() throws IOException;
  }

  private final RetryPolicy policy;
  private final Sleeper sleeper;
  private final DoubleSupplier jitter;

  public GoogleCalls(RetryPolicy policy, Sleeper sleeper, DoubleSupplier jitter) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.jitter = Objects.requireNonNull(jitter, "jitter");
  }

  /** Executes a generated-client request; any error is mapped. */
  public <T> T execute(ApiCall call, String resource, AbstractGoogleClientRequest<T> request) {
    return executeOr(call, resource, request, e -> false)
        .orElseThrow(() -> new IllegalStateException(call + " answered nothing"));
  }

  /**
   * Executes a generated-client request; an error that {@code empty} accepts (e.g. a 404 of a
   * lookup) is an empty result instead of an exception.
   */
  public <T> Optional<T> executeOr(
      ApiCall call,
      String resource,
      AbstractGoogleClientRequest<T> request,
      Predicate<GoogleJsonResponseException> empty) {
    check(call, request.getRequestMethod(), request.getUriTemplate());
    // Small JSON bodies: plain text is easier on proxies and stubs than gzip.
    request.setDisableGZipContent(true);
    return run(call, resource, request::execute, empty);
  }

  /** Runs a hand-built exchange whose method and path template are those of {@code call}. */
  public <T> Optional<T> run(
      ApiCall call,
      String resource,
      Exchange<T> exchange,
      Predicate<GoogleJsonResponseException> empty) {
    int attempt = 0;
    while (true) {
      attempt++;
      try {
        return Optional.ofNullable(exchange.run());
      } catch (GoogleJsonResponseException e) {
        if (empty.test(e)) {
          return Optional.empty();
        }
        if (!GcpErrors.retryable(e) || attempt >= policy.attempts()) {
          throw GcpErrors.map(e, call, resource, attempt);
        }
      } catch (IOException e) {
        boolean read = "GET".equals(call.httpMethod());
        if (!(read || GcpErrors.retryable(e)) || attempt >= policy.attempts()) {
          throw GcpErrors.map(e, call, resource, attempt);
        }
      }
      pause(attempt);
    }
  }

  private void pause(int attempt) {
    try {
      sleeper.sleep(policy.backoff(attempt, jitter.getAsDouble()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DbRecoverException(
          ErrorCode.CANCELLED, "interrupted while waiting to retry a Google API call", e);
    }
  }

  private static void check(ApiCall call, String method, String uriTemplate) {
    if (!call.httpMethod().equals(method) || !call.uriTemplate().equals(uriTemplate)) {
      throw new IllegalStateException(
          call
              + " is "
              + call.httpMethod()
              + " "
              + call.uriTemplate()
              + ", not "
              + method
              + " "
              + uriTemplate);
    }
  }

  /** For hand-built exchanges: checks that the request made is the one {@code call} names. */
  public static void checkExchange(ApiCall call, String method, String uriTemplate) {
    check(call, method, uriTemplate);
  }
}
