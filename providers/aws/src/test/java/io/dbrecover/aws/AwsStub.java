package io.dbrecover.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.MigrationTool;
import io.dbrecover.engine.api.ProtectionLevel;
import io.dbrecover.engine.api.Tier;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.retries.api.BackoffStrategy;

/**
 * A WireMock server answering as AWS does (RDS Query-protocol XML, Secrets Manager and SSM AWS JSON
 * 1.1), and clients pointed at it: static test credentials, the SDK's standard retries without the
 * waiting.
 */
final class AwsStub implements AutoCloseable {
  static final int ATTEMPTS = 4;
  static final String RDS_XMLNS = "http://rds.amazonaws.com/doc/2014-10-31/";

  final WireMockServer server = new WireMockServer(options().dynamicPort());

  AwsStub() {
    server.start();
  }

  String endpoint() {
    return "http://127.0.0.1:" + server.port();
  }

  /** Clients as in production but with test credentials and immediate retries. */
  static AwsClients clients() {
    return new AwsClients(
        StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "test-secret")),
        AwsRetryStrategy.standardRetryStrategy().toBuilder()
            .maxAttempts(ATTEMPTS)
            .backoffStrategy(BackoffStrategy.retryImmediately())
            .throttlingBackoffStrategy(BackoffStrategy.retryImmediately())
            .circuitBreakerEnabled(false)
            .build());
  }

  EnvironmentConfig rdsEnvironment(String url, Map<String, String> extraOptions) {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("instance", "orders");
    options.put("region", "eu-west-1");
    options.put("endpoint-override", endpoint());
    options.putAll(extraOptions);
    return new EnvironmentConfig(
        "production",
        Tier.PRODUCTION,
        ProtectionLevel.NONE,
        new EnvironmentConfig.Database("rds", url, false, options),
        Path.of("backups"),
        null,
        new EnvironmentConfig.Migrations(MigrationTool.SQL, null),
        Set.of(),
        EnvironmentConfig.Retention.DEFAULT,
        List.of(),
        1);
  }

  // ---- RDS (Query protocol) ----

  /** Answers {@code action} (for {@code instance}, when given) with a fixture. */
  void rds(String action, String instance, String body) {
    server.stubFor(rdsCall(action, instance).willReturn(xml(200, body)));
  }

  /** Answers {@code action} with an RDS error document. */
  void rdsError(String action, String instance, int status, String code, String message) {
    server.stubFor(rdsCall(action, instance).willReturn(xml(status, rdsError(code, message))));
  }

  static MappingBuilder rdsCall(String action, String instance) {
    MappingBuilder b = post(urlEqualTo("/")).withRequestBody(containing("Action=" + action + "&"));
    if (instance != null) {
      b =
          b.withRequestBody(
              matching(".*DBInstanceIdentifier=" + Pattern.quote(instance) + "(&.*|$)"));
    }
    return b;
  }

  static String rdsError(String code, String message) {
    return "<ErrorResponse xmlns=\""
        + RDS_XMLNS
        + "\">\n  <Error>\n    <Type>Sender</Type>\n    <Code>"
        + code
        + "</Code>\n    <Message>"
        + message
        + "</Message>\n  </Error>\n  <RequestId>req-"
        + code
        + "</RequestId>\n</ErrorResponse>\n";
  }

  static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder xml(
      int status, String body) {
    return aResponse()
        .withStatus(status)
        .withHeader("Content-Type", "text/xml")
        .withHeader("x-amzn-RequestId", "wiremock-" + status)
        .withBody(body);
  }

  /** The form parameters of every {@code action} request received, in order. */
  List<Map<String, String>> rdsRequests(String action) {
    return server
        .findAll(
            postRequestedFor(urlEqualTo("/")).withRequestBody(containing("Action=" + action + "&")))
        .stream()
        .map(LoggedRequest::getBodyAsString)
        .map(AwsStub::form)
        .toList();
  }

  /** Every request that changes something at AWS (not a Describe/Get/List call). */
  List<String> mutatingCalls() {
    return server.getAllServeEvents().stream()
        .map(e -> e.getRequest())
        .map(
            r -> {
              String target = r.getHeader("X-Amz-Target");
              return target != null ? target : form(r.getBodyAsString()).get("Action");
            })
        .filter(a -> a != null && !a.matches("(?i)(.*\\.)?(Describe|Get|List).*"))
        .toList();
  }

  static Map<String, String> form(String body) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      m.put(
          URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return m;
  }

  // ---- AWS JSON 1.1 (Secrets Manager, SSM) ----

  void json(String target, int status, String body) {
    server.stubFor(
        post(urlEqualTo("/"))
            .withHeader("X-Amz-Target", equalTo(target))
            .willReturn(
                aResponse()
                    .withStatus(status)
                    .withHeader("Content-Type", "application/x-amz-json-1.1")
                    .withHeader("x-amzn-RequestId", "wiremock-" + status)
                    .withBody(body)));
  }

  List<String> jsonRequests(String target) {
    return server
        .findAll(postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target)))
        .stream()
        .map(LoggedRequest::getBodyAsString)
        .toList();
  }

  static String fixture(String name) {
    try (InputStream in = AwsStub.class.getResourceAsStream("/aws/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    server.stop();
  }
}
