package io.dbrecover.neon.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.ScenarioMappingBuilder;
import com.github.tomakehurst.wiremock.extension.Extension;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.dbrecover.engine.api.Secret;
import io.dbrecover.neon.internal.NeonClient;
import io.dbrecover.neon.internal.NeonHttp;
import io.dbrecover.neon.internal.RetryPolicy;
import io.dbrecover.neon.internal.Sleeper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A WireMock stand-in for the Neon API v2 (base path {@code /api/v2}) that checks, after each test,
 * every request the client sent and every response it got against Neon's OpenAPI document (test
 * resource {@code neon/neon-api-v2.openapi.yaml}); any mismatch, and any request no stub matched,
 * fails the test.
 */
public final class NeonApiStub implements BeforeEachCallback, AfterEachCallback {
  public static final String PROJECT = "shiny-wind-028834";
  public static final String API_KEY = "napi_test_9f8e7d6c5b4a";
  public static final String BASE = "/api/v2";
  public static final Instant NOW = Instant.parse("2025-01-15T12:00:00Z");

  private static final OpenApiInteractionValidator VALIDATOR =
      OpenApiInteractionValidator.createForInlineApiSpecification(
              resource("neon-api-v2.openapi.yaml"))
          .withBasePathOverride(BASE)
          // Merges allOf into one schema; else each part alone rejects the others' fields.
          .withResolveCombinators(true)
          .build();

  private final WireMockServer server;
  private int scenarios;

  /** The waits the client asked for, in order, instead of sleeping. */
  public final List<Duration> sleeps = new CopyOnWriteArrayList<>();

  /**
   * Starts the server at once, so the test's fields can build clients of it; {@code extensions}
   * (e.g. the stateful {@link NeonFake}) answer the requests their stubs hand them.
   */
  public NeonApiStub(Extension... extensions) {
    server = new WireMockServer(options().dynamicPort().extensions(extensions));
    server.start();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    sleeps.clear();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    try {
      List<String> problems = problems();
      if (!problems.isEmpty()) {
        throw new AssertionError(
            "requests or responses that do not match Neon's OpenAPI document:\n"
                + String.join("\n", problems));
      }
    } finally {
      server.stop();
    }
  }

  /** What the document says is wrong with the calls so far, plus unmatched requests. */
  public List<String> problems() {
    List<String> out = new ArrayList<>();
    for (ServeEvent event : server.getAllServeEvents()) {
      LoggedRequest req = event.getRequest();
      if (!event.getWasMatched()) {
        out.add("no stub for " + req.getMethod() + " " + req.getUrl());
        continue;
      }
      ValidationReport report = VALIDATOR.validate(request(req), response(event));
      for (ValidationReport.Message m : report.getMessages()) {
        if (m.getLevel() == ValidationReport.Level.ERROR) {
          out.add(
              req.getMethod()
                  + " "
                  + req.getUrl()
                  + " -> "
                  + event.getResponse().getStatus()
                  + ": "
                  + describe(m, "  "));
        }
      }
    }
    return out;
  }

  private static String describe(ValidationReport.Message m, String indent) {
    StringBuilder sb = new StringBuilder(m.getKey()).append(": ").append(m.getMessage());
    for (String info : m.getAdditionalInfo()) {
      sb.append('\n').append(indent).append(info);
    }
    for (ValidationReport.Message nested : m.getNestedMessages()) {
      sb.append('\n').append(indent).append(describe(nested, indent + "  "));
    }
    return sb.toString();
  }

  private static Request request(LoggedRequest req) {
    URI uri = URI.create(req.getUrl());
    SimpleRequest.Builder b = new SimpleRequest.Builder(req.getMethod().getName(), uri.getPath());
    for (HttpHeader h : req.getHeaders().all()) {
      b.withHeader(h.key(), h.values());
    }
    req.getQueryParams().forEach((k, v) -> b.withQueryParam(k, v.values()));
    if (req.getBody() != null && req.getBody().length > 0) {
      b.withBody(req.getBodyAsString());
    }
    return b.build();
  }

  private static SimpleResponse response(ServeEvent event) {
    SimpleResponse.Builder b = SimpleResponse.Builder.status(event.getResponse().getStatus());
    if (event.getResponse().getHeaders() != null) {
      for (HttpHeader h : event.getResponse().getHeaders().all()) {
        b.withHeader(h.key(), h.values());
      }
    }
    String body = event.getResponse().getBodyAsString();
    if (body != null && !body.isEmpty()) {
      b.withBody(body);
    }
    return b.build();
  }

  public WireMockServer server() {
    return server;
  }

  public String baseUrl() {
    return server.baseUrl() + BASE;
  }

  /** A client of this stub that records its waits and uses a fixed clock and jitter 0.5. */
  public NeonClient client() {
    return client(sleeps::add, NeonHttp.Timeouts.DEFAULT);
  }

  /** A client of this stub with these timeouts, recording its waits; fixed clock, jitter 0.5. */
  public NeonClient client(NeonHttp.Timeouts timeouts) {
    return client(sleeps::add, timeouts);
  }

  private NeonClient client(Sleeper sleeper, NeonHttp.Timeouts timeouts) {
    return new NeonClient(
        new NeonHttp(
            timeouts.newClient(),
            URI.create(baseUrl()),
            Secret.of(API_KEY),
            timeouts,
            RetryPolicy.DEFAULT,
            sleeper,
            Clock.fixed(NOW, ZoneOffset.UTC),
            () -> 0.5));
  }

  /** Clients for a provider under test, whatever its settings. */
  public <S> Function<S, NeonClient> clients() {
    return s -> client();
  }

  public void stub(MappingBuilder mapping) {
    server.stubFor(mapping);
  }

  /** Answers successive matching requests with the given responses; the last one repeats. */
  public void sequence(Supplier<MappingBuilder> mapping, ResponseDefinitionBuilder... responses) {
    String scenario = "seq-" + scenarios++;
    for (int i = 0; i < responses.length; i++) {
      String state = i == 0 ? Scenario.STARTED : "step-" + i;
      ScenarioMappingBuilder m = mapping.get().inScenario(scenario).whenScenarioStateIs(state);
      if (i < responses.length - 1) {
        m.willSetStateTo("step-" + (i + 1));
      }
      server.stubFor(m.willReturn(responses[i]));
    }
  }

  public static ResponseDefinitionBuilder json(int status, String fixture) {
    return aResponse()
        .withStatus(status)
        .withHeader("Content-Type", "application/json")
        .withBody(resource(fixture));
  }

  public static ResponseDefinitionBuilder error(int status, String message) {
    return aResponse()
        .withStatus(status)
        .withHeader("Content-Type", "application/json")
        .withBody(
            "{\"code\": \"\", \"message\": \""
                + message
                + "\", \"request_id\": \"req-"
                + status
                + "\"}");
  }

  public static String resource(String name) {
    try (InputStream in = NeonApiStub.class.getResourceAsStream("/neon/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource neon/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
