package io.dbrecover.neon.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.ProviderException;
import io.dbrecover.engine.api.RateLimitedException;
import io.dbrecover.engine.api.Secret;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.DoubleSupplier;

/**
 * Sends one Neon API call: authentication, JSON, retries and the mapping of every HTTP failure to
 * dbrecover's errors. This is the only place that looks at status codes.
 *
 * <p>Retries: 409 and 423 (another operation holds the resource) after {@link
 * RetryPolicy#lockedWait()}, as neonctl does; 429 after {@code Retry-After}; 5xx and network errors
 * with exponential backoff and jitter, for GET and DELETE always and for POST only on 503 (Neon's
 * document: POST is not safe to retry blindly, 503 always is). The API key never appears in a
 * message.
 *
 * <p>The transport is the JDK's {@link HttpClient} (HTTP/1.1, redirects not followed, so the bearer
 * key never goes to another host); one client serves every call, see {@link Timeouts#newClient()}.
 */
public final class NeonHttp {
  static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
  private static final String USER_AGENT = "dbrecover";

  private final HttpClient client;
  private final URI baseUrl;
  private final Secret apiKey;
  private final Timeouts timeouts;
  private final RetryPolicy policy;
  private final Sleeper sleeper;
  private final Clock clock;
  private final DoubleSupplier jitter;

  public NeonHttp(
      HttpClient client,
      URI baseUrl,
      Secret apiKey,
      Timeouts timeouts,
      RetryPolicy policy,
      Sleeper sleeper,
      Clock clock,
      DoubleSupplier jitter) {
    this.client = Objects.requireNonNull(client, "client");
    this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
    this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
    this.timeouts = Objects.requireNonNull(timeouts, "timeouts");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.jitter = Objects.requireNonNull(jitter, "jitter");
  }

  /**
   * How long a call may take.
   *
   * @param connect to open the connection (the client's, see {@link #newClient()})
   * @param response from sending the request to the answer's status and headers
   * @param call the whole call, answer body included; beyond it the call is abandoned
   */
  public record Timeouts(Duration connect, Duration response, Duration call) {
    public static final Timeouts DEFAULT =
        new Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(90));

    public Timeouts {
      for (Duration d : new Duration[] {connect, response, call}) {
        if (d == null || d.isNegative() || d.isZero()) {
          throw new IllegalArgumentException("every Neon API timeout must be positive: " + d);
        }
      }
    }

    /**
     * A client for the Neon API with the connect timeout: HTTP/1.1, no redirects followed. Build it
     * once and share it, it holds a selector thread and a connection pool.
     */
    public HttpClient newClient() {
      return HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(connect)
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();
    }
  }

  /** What a 404 means for a call. */
  public enum NotFound {
    /** An empty result (a lookup). */
    EMPTY,
    /** A configured identifier is wrong (exit 1). */
    CONFIGURATION,
    /** A named backup (branch, snapshot) to restore is gone (exit 3). */
    BACKUP_NOT_FOUND
  }

  /**
   * One call.
   *
   * @param method HTTP method
   * @param path path segments below the base URL (encoded here)
   * @param query query parameters (null values left out)
   * @param body the JSON body (null: none)
   * @param what what the call does, for messages, e.g. {@code read project 'p'}
   * @param notFound what a 404 means
   * @param hint what to check when the call gets 404 with {@link NotFound#CONFIGURATION} or {@link
   *     NotFound#BACKUP_NOT_FOUND}
   */
  public record Call(
      String method,
      List<String> path,
      Map<String, String> query,
      Object body,
      String what,
      NotFound notFound,
      String hint) {
    public Call {
      Objects.requireNonNull(method, "method");
      path = List.copyOf(path);
      query = query == null ? Map.of() : new LinkedHashMap<>(query);
      Objects.requireNonNull(what, "what");
      Objects.requireNonNull(notFound, "notFound");
    }

    boolean retriesServerErrors(int status) {
      return !"POST".equals(method) || status == 503;
    }
  }

  /** Sends the call; empty for 204 and for 404 with {@link NotFound#EMPTY}. */
  public Optional<JsonNode> execute(Call call) {
    HttpRequest request = request(call);
    int locked = 0;
    int server = 0;
    int limited = 0;
    while (true) {
      HttpResponse<String> response;
      try {
        response = send(request, call);
      } catch (BrokenOff e) {
        throw new ProviderException(
            "the Neon API's answer to " + call.what() + " broke off: " + describe(e.getCause()),
            null,
            e.getCause());
      } catch (IOException e) {
        server++;
        if (!"POST".equals(call.method()) && server < policy.serverAttempts()) {
          pause(policy.serverBackoff(server, jitter.getAsDouble()));
          continue;
        }
        throw new ProviderException(
            "could not reach the Neon API to "
                + call.what()
                + " ("
                + describe(e)
                + ")"
                + ("POST".equals(call.method())
                    ? "; the change may or may not have been made: `dbrecover resume` finds what"
                        + " it created"
                    : "; check the network and " + baseUrl.getHost()),
            null,
            e);
      }
      int status = response.statusCode();
      String text = response.body();
      if (status >= 200 && status < 300) {
        return status == 204 || text.isBlank() ? Optional.empty() : Optional.of(parse(text, call));
      }
      if (status == 404 && call.notFound() == NotFound.EMPTY) {
        return Optional.empty();
      }
      String retryAfter = response.headers().firstValue("Retry-After").orElse(null);
      ApiError error =
          ApiError.of(text, response.headers().firstValue("X-Request-Id").orElse(null));
      if ((status == 423 || status == 409) && ++locked < policy.lockedAttempts()) {
        pause(policy.lockedWait());
        continue;
      }
      if (status == 429 && ++limited < policy.rateLimitAttempts()) {
        pause(retryAfter(retryAfter, limited));
        continue;
      }
      if (status >= 500 && call.retriesServerErrors(status) && ++server < policy.serverAttempts()) {
        pause(policy.serverBackoff(server, jitter.getAsDouble()));
        continue;
      }
      throw failure(call, status, error, retryAfter, limited);
    }
  }

  /**
   * One attempt, bounded by {@link Timeouts#call()}. An {@link IOException} means no answer came
   * (the call may be retried); {@link BrokenOff}, that the answer's status came but not its body.
   */
  private HttpResponse<String> send(HttpRequest request, Call call) throws IOException {
    if (Thread.currentThread().isInterrupted()) {
      throw cancelled(call, null);
    }
    AtomicBoolean answered = new AtomicBoolean();
    CompletableFuture<HttpResponse<String>> future =
        client.sendAsync(
            request,
            info -> {
              answered.set(true);
              return BodyHandlers.ofString().apply(info);
            });
    try {
      return future.get(timeouts.call().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw cancelled(call, e);
    } catch (TimeoutException e) {
      future.cancel(true);
      IOException timedOut =
          new HttpTimeoutException("no complete answer within " + timeouts.call());
      throw answered.get() ? new BrokenOff(timedOut) : timedOut;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException) {
        throw answered.get() ? new BrokenOff((IOException) cause) : (IOException) cause;
      }
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      if (cause instanceof Error) {
        throw (Error) cause;
      }
      throw new IOException(cause);
    }
  }

  /** The answer's status and headers came, then its body failed. */
  private static final class BrokenOff extends IOException {
    private static final long serialVersionUID = 1L;

    BrokenOff(IOException cause) {
      super(cause);
    }
  }

  private DbRecoverException cancelled(Call call, InterruptedException e) {
    return new DbRecoverException(
        ErrorCode.CANCELLED,
        "interrupted while waiting for Neon to "
            + call.what()
            + ("POST".equals(call.method())
                ? "; the change may or may not have been made: `dbrecover resume` finds what it"
                    + " created"
                : ""),
        e);
  }

  /** The exception's type and the first message in its chain (the JDK's are sometimes null). */
  private static String describe(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        return e.getClass().getSimpleName() + ": " + t.getMessage();
      }
    }
    return e.getClass().getSimpleName();
  }

  private HttpRequest request(Call call) {
    BodyPublisher body = BodyPublishers.noBody();
    HttpRequest.Builder request =
        HttpRequest.newBuilder(ApiUrl.of(baseUrl, call.path(), call.query()))
            .timeout(timeouts.response())
            .header("Authorization", "Bearer " + apiKey.reveal())
            .header("Accept", "application/json")
            .header("User-Agent", USER_AGENT);
    if (call.body() != null) {
      try {
        body = BodyPublishers.ofByteArray(JSON.writeValueAsBytes(call.body()));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot write the request to " + call.what(), e);
      }
      request.header("Content-Type", "application/json");
    }
    return request.method(call.method(), body).build();
  }

  private static JsonNode parse(String text, Call call) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new ProviderException(
          "the Neon API answered " + call.what() + " with something that is not JSON", null, e);
    }
  }

  private DbRecoverException failure(
      Call call, int status, ApiError error, String retryAfter, int limited) {
    String neon = " (HTTP " + status + error.describe() + ")";
    switch (status) {
      case 401:
        return new ProviderException(
            "Neon did not accept the API key to "
                + call.what()
                + neon
                + ": set NEON_API_KEY (or database.options.api-key) to a valid key from the Neon"
                + " Console, Account settings > API keys",
            error.requestId(),
            null);
      case 403:
        return new ProviderException(
            "the Neon API key is not permitted to "
                + call.what()
                + neon
                + ": use a personal or organization API key whose account has access to the"
                + " project (a project-scoped key only reaches its own project)",
            error.requestId(),
            null);
      case 404:
        if (call.notFound() == NotFound.BACKUP_NOT_FOUND) {
          return new DbRecoverException(
              ErrorCode.BACKUP_NOT_FOUND,
              "cannot " + call.what() + ": not found" + neon + hint(call));
        }
        return new ConfigurationException(
            "cannot " + call.what() + ": not found" + neon + hint(call));
      case 409:
      case 423:
        return new ProviderException(
            "cannot "
                + call.what()
                + ": Neon kept it locked by another operation in progress"
                + neon
                + " after "
                + policy.lockedAttempts()
                + " attempts; wait for the project's operations to finish, then run the command"
                + " again (or `dbrecover resume <run-id>`)",
            error.requestId(),
            null);
      case 429:
        return new RateLimitedException(
            "Neon is throttling this account's API calls (HTTP 429 after "
                + limited
                + " attempts) while trying to "
                + call.what()
                + "; wait and run the command again",
            error.requestId(),
            retryAfter(retryAfter, limited));
      default:
        break;
    }
    if (status == 400 && error.message().toLowerCase(java.util.Locale.ROOT).contains("retention")) {
      return new DbRecoverException(
          ErrorCode.NO_RECOVERY_POINT,
          "cannot "
              + call.what()
              + ": the time is outside the project's history window"
              + neon
              + "; pick a time inside the window `dbrecover plan` prints, or restore a snapshot");
    }
    if (status >= 500) {
      return new ProviderException(
          "the Neon API failed to "
              + call.what()
              + neon
              + (call.retriesServerErrors(status)
                  ? " after " + policy.serverAttempts() + " attempts"
                  : "")
              + "; check https://neonstatus.com and try again",
          error.requestId(),
          null);
    }
    return new ProviderException(
        "the Neon API refused to " + call.what() + neon, error.requestId(), null);
  }

  private static String hint(Call call) {
    return call.hint() == null ? "" : "; " + call.hint();
  }

  /** {@code Retry-After} in seconds or as an HTTP date; missing or unreadable: a backoff. */
  private Duration retryAfter(String header, int attempt) {
    Duration wait = null;
    if (header != null) {
      try {
        wait = Duration.ofSeconds(Long.parseLong(header.trim()));
      } catch (NumberFormatException notSeconds) {
        try {
          ZonedDateTime at =
              ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
          wait = Duration.between(clock.instant(), at.toInstant());
        } catch (DateTimeParseException notDate) {
          // fall back to the backoff below
        }
      }
    }
    if (wait == null) {
      wait = policy.serverBackoff(Math.max(attempt, 1), jitter.getAsDouble());
    }
    if (wait.isNegative()) {
      return Duration.ZERO;
    }
    return wait.compareTo(policy.maxBackoff()) > 0 ? policy.maxBackoff() : wait;
  }

  private void pause(Duration d) {
    try {
      sleeper.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DbRecoverException(ErrorCode.CANCELLED, "interrupted while waiting for Neon", e);
    }
  }

  /** Neon's {@code GeneralError}: {@code code}, {@code message}, {@code request_id}. */
  record ApiError(String code, String message, String requestId) {
    static ApiError of(String body, String headerRequestId) {
      try {
        JsonNode n = JSON.readTree(body);
        if (n != null && n.isObject()) {
          return new ApiError(
              n.path("code").asText(""),
              DbUrl.redact(n.path("message").asText("")),
              n.hasNonNull("request_id") ? n.get("request_id").asText() : headerRequestId);
        }
      } catch (JsonProcessingException notJson) {
        // a proxy's HTML error page: no details to report
      }
      return new ApiError("", "", headerRequestId);
    }

    String describe() {
      StringBuilder sb = new StringBuilder();
      if (!code.isEmpty()) {
        sb.append(", code ").append(code);
      }
      if (!message.isEmpty()) {
        sb.append(": ").append(message);
      }
      if (requestId != null) {
        sb.append("; request id ").append(requestId);
      }
      return sb.toString();
    }
  }
}
