package io.dbrecover.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.time.Clock;
import java.util.List;

/**
 * One WireMock server in front of the stateful fakes: RDS (Query protocol, form bodies) and Secrets
 * Manager (AWS JSON 1.1, {@code X-Amz-Target}). WireMock's request journal keeps every call for
 * assertions.
 */
public final class FakeAws implements AutoCloseable {
  public final RdsFake rds;
  public final SecretsManagerFake secrets;
  final WireMockServer server;

  public FakeAws(Clock clock) {
    rds = new RdsFake(clock);
    secrets = new SecretsManagerFake(clock);
    server = new WireMockServer(options().dynamicPort().extensions(new Dispatcher()));
    server.start();
    server.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(500)));
  }

  public String endpoint() {
    return "http://127.0.0.1:" + server.port();
  }

  /** The RDS actions and JSON targets received, in order. */
  public List<String> calls() {
    return server.getAllServeEvents().stream()
        .map(ServeEvent::getRequest)
        .sorted(java.util.Comparator.comparing(r -> r.getLoggedDate()))
        .map(
            r -> {
              String target = r.getHeader("X-Amz-Target");
              return target != null ? target : AwsStub.form(r.getBodyAsString()).get("Action");
            })
        .toList();
  }

  private final class Dispatcher implements ResponseDefinitionTransformerV2 {
    @Override
    public ResponseDefinition transform(ServeEvent event) {
      var request = event.getRequest();
      String target = request.getHeader("X-Amz-Target");
      RdsFake.Response r =
          target != null
              ? secrets.handle(target, request.getBodyAsString())
              : rds.handle(AwsStub.form(request.getBodyAsString()));
      return aResponse()
          .withStatus(r.status())
          .withHeader("Content-Type", target != null ? "application/x-amz-json-1.1" : "text/xml")
          .withHeader("x-amzn-RequestId", java.util.UUID.randomUUID().toString())
          .withBody(r.body())
          .build();
    }

    @Override
    public String getName() {
      return "fake-aws";
    }
  }

  @Override
  public void close() {
    server.stop();
    rds.close();
  }
}
