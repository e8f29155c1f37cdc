package io.dbrecover.gcp;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.URI;
import java.time.Clock;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One WireMock server in front of the stateful fakes: the Cloud SQL Admin API and Secret Manager,
 * both under {@code /v1/projects/acme-prod-1/}. WireMock's request journal keeps every call for
 * assertions.
 */
final class FakeGcp implements AutoCloseable {
  private static final String PREFIX = "/v1/projects/" + GcpStub.PROJECT + "/";

  final CloudSqlFake sql;
  final SecretManagerFake secrets;
  final WireMockServer server;

  FakeGcp(Clock clock) {
    sql = new CloudSqlFake(clock);
    secrets = new SecretManagerFake(clock);
    server = new WireMockServer(options().dynamicPort().extensions(new Dispatcher()));
    server.start();
    server.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(500)));
  }

  /** The root URL of both APIs. */
  URI root() {
    return URI.create("http://127.0.0.1:" + server.port() + "/");
  }

  /** The calls received, in order, as {@code METHOD path} (path below the project). */
  List<String> calls() {
    return server.getAllServeEvents().stream()
        .map(ServeEvent::getRequest)
        .sorted(Comparator.comparing(LoggedRequest::getLoggedDate))
        .map(r -> r.getMethod() + " " + path(r))
        .toList();
  }

  private static String path(LoggedRequest r) {
    String url = r.getUrl();
    int q = url.indexOf('?');
    String p = q < 0 ? url : url.substring(0, q);
    return p.startsWith(PREFIX) ? p.substring(PREFIX.length()) : p;
  }

  private final class Dispatcher implements ResponseDefinitionTransformerV2 {
    @Override
    public ResponseDefinition transform(ServeEvent event) {
      LoggedRequest request = event.getRequest();
      String path = path(request);
      String method = request.getMethod().getName();
      CloudSqlFake.Response r;
      if (path.startsWith("secrets/")) {
        r = secrets.handle(method, path, request.getBodyAsString());
      } else {
        Map<String, String> query = new LinkedHashMap<>();
        request
            .getQueryParams()
            .forEach((k, v) -> query.put(k, v.isPresent() ? v.firstValue() : null));
        r = sql.handle(method, path, query, request.getBodyAsString());
      }
      return aResponse()
          .withStatus(r.status())
          .withHeader("Content-Type", "application/json; charset=UTF-8")
          .withBody(r.body())
          .build();
    }

    @Override
    public String getName() {
      return "fake-gcp";
    }
  }

  @Override
  public void close() {
    server.stop();
    sql.close();
  }
}
