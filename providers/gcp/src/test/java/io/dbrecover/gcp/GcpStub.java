package io.dbrecover.gcp;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.http.RequestMethod;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.MigrationTool;
import io.dbrecover.engine.api.ProtectionLevel;
import io.dbrecover.engine.api.Tier;
import io.dbrecover.gcp.internal.GoogleCalls;
import io.dbrecover.gcp.internal.RetryPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A WireMock server answering as Google does (Cloud SQL Admin API v1 and Secret Manager v1 JSON,
 * Google's error envelope), and clients pointed at it with a fixed access token. Retries do not
 * wait: the sleeper records the waits.
 */
final class GcpStub implements AutoCloseable {
  static final String PROJECT = "acme-prod-1";
  static final String TOKEN = "test-token";
  static final String V1 = "/v1/projects/" + PROJECT;

  final WireMockServer server = new WireMockServer(options().dynamicPort());
  final List<Duration> sleeps = new ArrayList<>();

  GcpStub() {
    server.start();
  }

  String root() {
    return "http://127.0.0.1:" + server.port() + "/";
  }

  GcpClients clients() {
    return clients(RetryPolicy.DEFAULT);
  }

  GcpClients clients(RetryPolicy policy) {
    return clients(policy, sleeps);
  }

  /** Clients with fixed credentials whose retries record their waits in {@code sleeps}. */
  static GcpClients clients(RetryPolicy policy, List<Duration> sleeps) {
    // Refreshable like real Application Default Credentials, always to the same token.
    GoogleCredentials fixed =
        new GoogleCredentials() {
          private static final long serialVersionUID = 1L;

          @Override
          public AccessToken refreshAccessToken() {
            return new AccessToken(TOKEN, java.util.Date.from(Instant.now().plusSeconds(3600)));
          }
        };
    return new GcpClients(
        new NetHttpTransport(), () -> fixed, new GoogleCalls(policy, sleeps::add, () -> 0.5));
  }

  EnvironmentConfig environment(String url, Map<String, String> extra) {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("project", PROJECT);
    options.put("instance", "orders");
    options.put("api-url", root());
    options.putAll(extra);
    return new EnvironmentConfig(
        "production",
        Tier.PRODUCTION,
        ProtectionLevel.NONE,
        new EnvironmentConfig.Database("cloudsql", url, false, options),
        Path.of("backups"),
        null,
        new EnvironmentConfig.Migrations(MigrationTool.SQL, null),
        Set.of(),
        EnvironmentConfig.Retention.DEFAULT,
        List.of(),
        1);
  }

  /** Answers {@code method path} (under /v1/projects/acme-prod-1) with {@code body}. */
  void answer(RequestMethod method, String path, int status, String body) {
    server.stubFor(call(method, path).willReturn(json(status, body)));
  }

  static MappingBuilder call(RequestMethod method, String path) {
    return WireMock.request(method.getName(), urlPathEqualTo(V1 + path));
  }

  static ResponseDefinitionBuilder json(int status, String body) {
    return aResponse()
        .withStatus(status)
        .withHeader("Content-Type", "application/json; charset=UTF-8")
        .withBody(body);
  }

  /** Google's JSON error envelope. */
  static String error(int code, String reason, String message, String status) {
    return "{\n  \"error\": {\n    \"code\": "
        + code
        + ",\n    \"message\": \""
        + message
        + "\",\n    \"errors\": [\n      {\n        \"message\": \""
        + message
        + "\",\n        \"domain\": \"global\",\n        \"reason\": \""
        + reason
        + "\"\n      }\n    ],\n    \"status\": \""
        + status
        + "\"\n  }\n}\n";
  }

  static String operation(
      String name, String type, String target, String status, String errorCode, String inserted) {
    String error =
        errorCode == null
            ? ""
            : "\"error\": {\"kind\": \"sql#operationErrors\", \"errors\": [{\"kind\":"
                + " \"sql#operationError\", \"code\": \""
                + errorCode
                + "\", \"message\": \"The clone failed: "
                + errorCode
                + "\"}]},";
    return fixture("operation.json")
        .replace("${name}", name)
        .replace("${type}", type)
        .replace("${target}", target)
        .replace("${status}", status)
        .replace("${error}", error)
        .replace("${inserted}", inserted);
  }

  static String operations(String... items) {
    return "{\n  \"kind\": \"sql#operationsList\",\n  \"items\": ["
        + String.join(",\n", items)
        + "]\n}\n";
  }

  static String restoredInstance(String name, String state, String labels, String created) {
    String ips =
        state.equals("RUNNABLE")
            ? "[{\"type\": \"PRIMARY\", \"ipAddress\": \"35.195.1.2\"},"
                + " {\"type\": \"PRIVATE\", \"ipAddress\": \"10.20.0.7\"}]"
            : "[]";
    return fixture("instance-restored.json")
        .replace("${name}", name)
        .replace("${state}", state)
        .replace("${labels}", labels)
        .replace("${ips}", ips)
        .replace("${created}", created);
  }

  /** Requests received for {@code method path}, in order. */
  List<LoggedRequest> requests(RequestMethod method, String path) {
    return server.findAll(
        new com.github.tomakehurst.wiremock.matching.RequestPatternBuilder(
            method, urlPathEqualTo(V1 + path)));
  }

  /** Every request that could change something at Google (not a GET). */
  List<String> mutatingCalls() {
    return server.findAll(anyRequestedFor(WireMock.anyUrl())).stream()
        .filter(r -> !r.getMethod().equals(RequestMethod.GET))
        .map(r -> r.getMethod() + " " + r.getUrl())
        .toList();
  }

  static String fixture(String name) {
    try (InputStream in = GcpStub.class.getResourceAsStream("/gcp/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static MappingBuilder anyCall() {
    return any(WireMock.anyUrl());
  }

  @Override
  public void close() {
    server.stop();
  }
}
