package io.dbrecover.lambda;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.extension.ResponseTransformerV2;
import com.github.tomakehurst.wiremock.http.Response;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Step Functions on WireMock, answering StartExecution as the service does (AWS JSON 1.0): the
 * first start of a name returns its execution ARN and start date; a later start of the same name
 * with another input is answered 400 {@code ExecutionAlreadyExists}, as for an execution that has
 * closed or whose input differs.
 */
final class SfnStub implements AutoCloseable {
  static final String TARGET = "AWSStepFunctions.StartExecution";
  private final Set<String> started = ConcurrentHashMap.newKeySet();
  final WireMockServer server =
      new WireMockServer(options().dynamicPort().extensions(new StartExecution()));

  SfnStub() {
    server.start();
    server.stubFor(
        post(urlEqualTo("/"))
            .withHeader("X-Amz-Target", equalTo(TARGET))
            .willReturn(aResponse().withTransformers("start-execution")));
  }

  String endpoint() {
    return "http://127.0.0.1:" + server.port();
  }

  /** The StartExecution requests received, in order. */
  List<LoggedRequest> starts() {
    return server.findAll(
        postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(TARGET)));
  }

  /** A StartExecution body, parsed. */
  static JsonNode body(LoggedRequest r) {
    try {
      return Harness.JSON.readTree(r.getBodyAsString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    server.stop();
  }

  private final class StartExecution implements ResponseTransformerV2 {
    @Override
    public String getName() {
      return "start-execution";
    }

    @Override
    public boolean applyGlobally() {
      return false;
    }

    @Override
    public Response transform(Response response, ServeEvent event) {
      JsonNode body = body(event.getRequest());
      String arn = body.path("stateMachineArn").asText();
      String name = body.path("name").asText();
      String execution = arn.replace(":stateMachine:", ":execution:") + ":" + name;
      if (!started.add(name)) {
        return Response.response()
            .status(400)
            .headers(
                new com.github.tomakehurst.wiremock.http.HttpHeaders(
                    new com.github.tomakehurst.wiremock.http.HttpHeader(
                        "Content-Type", "application/x-amz-json-1.0"),
                    new com.github.tomakehurst.wiremock.http.HttpHeader(
                        "x-amzn-RequestId", "4f8e2b1a-0c3d-4e5f-9a8b-7c6d5e4f3a2b")))
            .body(
                "{\"__type\":\"com.amazonaws.swf.service.v2.model#ExecutionAlreadyExists\","
                    + "\"message\":\"Execution Already Exists: '"
                    + execution
                    + "'\"}")
            .build();
      }
      return Response.response()
          .status(200)
          .headers(
              new com.github.tomakehurst.wiremock.http.HttpHeaders(
                  new com.github.tomakehurst.wiremock.http.HttpHeader(
                      "Content-Type", "application/x-amz-json-1.0"),
                  new com.github.tomakehurst.wiremock.http.HttpHeader(
                      "x-amzn-RequestId", "1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d")))
          .body("{\"executionArn\":\"" + execution + "\",\"startDate\":1.749564181123E9}")
          .build();
    }
  }
}
