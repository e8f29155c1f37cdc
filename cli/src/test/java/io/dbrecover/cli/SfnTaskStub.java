package io.dbrecover.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Step Functions' SendTaskSuccess / SendTaskFailure on WireMock, answered as the service does (AWS
 * JSON 1.0 protocol, {@code X-Amz-Target: AWSStepFunctions.<operation>}): 200 {@code {}}, or an
 * error body {@code {"__type": ..., "message": ...}} with status 400.
 */
final class SfnTaskStub implements AutoCloseable {
  static final String SUCCESS = "AWSStepFunctions.SendTaskSuccess";
  static final String FAILURE = "AWSStepFunctions.SendTaskFailure";
  static final String TASK_TIMED_OUT =
      "{\"__type\":\"com.amazonaws.swf.service.v2.model#TaskTimedOut\","
          + "\"message\":\"Task Timed Out: 'Provided task does not exist anymore'\"}";
  static final String ACCESS_DENIED =
      "{\"__type\":\"com.amazon.coral.service#AccessDeniedException\",\"Message\":\"User:"
          + " arn:aws:sts::123456789012:assumed-role/oncall/bob is not authorized to perform:"
          + " states:SendTaskSuccess because no identity-based policy allows the"
          + " states:SendTaskSuccess action\"}";
  private static final ObjectMapper JSON = new ObjectMapper();

  final WireMockServer server = new WireMockServer(options().dynamicPort());

  SfnTaskStub() {
    server.start();
    answer(SUCCESS, 200, "{}");
    answer(FAILURE, 200, "{}");
  }

  /** Answers {@code target} with {@code status} and {@code body} from now on. */
  SfnTaskStub answer(String target, int status, String body) {
    server.stubFor(
        post(urlEqualTo("/"))
            .withHeader("X-Amz-Target", equalTo(target))
            .willReturn(
                aResponse()
                    .withStatus(status)
                    .withHeader("Content-Type", "application/x-amz-json-1.0")
                    .withHeader("x-amzn-RequestId", "7c1e5a2b-3d4f-4b6a-8c9d-0e1f2a3b4c5d")
                    .withBody(body)));
    return this;
  }

  String endpoint() {
    return "http://127.0.0.1:" + server.port();
  }

  /** The bodies of the calls of {@code target}, parsed, in order. */
  List<JsonNode> calls(String target) {
    return server
        .findAll(postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target)))
        .stream()
        .map(SfnTaskStub::body)
        .toList();
  }

  List<LoggedRequest> requests() {
    return server.findAll(postRequestedFor(urlEqualTo("/")));
  }

  static JsonNode body(LoggedRequest r) {
    try {
      return JSON.readTree(r.getBodyAsString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    server.stop();
  }
}
