package io.dbrecover.lambda;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.URI;
import java.util.List;

/**
 * Step Functions' task-token calls on WireMock, answered as the service does (AWS JSON 1.0, {@code
 * X-Amz-Target: AWSStepFunctions.SendTaskSuccess} / {@code SendTaskFailure}): 200 with {@code {}}.
 * What was sent is read back from the request journal: the state machine driver turns it into the
 * waiting task's result.
 */
final class SfnTaskStub implements AutoCloseable {
  static final String SUCCESS = "AWSStepFunctions.SendTaskSuccess";
  static final String FAILURE = "AWSStepFunctions.SendTaskFailure";
  final WireMockServer server = new WireMockServer(options().dynamicPort());

  SfnTaskStub() {
    server.start();
    for (String target : List.of(SUCCESS, FAILURE)) {
      server.stubFor(
          post(urlEqualTo("/"))
              .withHeader("X-Amz-Target", equalTo(target))
              .willReturn(
                  aResponse()
                      .withStatus(200)
                      .withHeader("Content-Type", "application/x-amz-json-1.0")
                      .withHeader("x-amzn-RequestId", "7c1e5a2b-3d4f-4b6a-8c9d-0e1f2a3b4c5d")
                      .withBody("{}")));
    }
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.port());
  }

  List<LoggedRequest> calls(String target) {
    return server.findAll(
        postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target)));
  }

  /**
   * What the waiting task with {@code token} got: the SendTaskSuccess output, or a {@link
   * StateMachineDriver.TaskFailure} thrown for a SendTaskFailure.
   */
  JsonNode answerFor(String token) {
    for (LoggedRequest r : calls(SUCCESS)) {
      JsonNode body = SfnStub.body(r);
      if (body.path("taskToken").asText().equals(token)) {
        try {
          return Harness.JSON.readTree(body.get("output").asText());
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    }
    for (LoggedRequest r : calls(FAILURE)) {
      JsonNode body = SfnStub.body(r);
      if (body.path("taskToken").asText().equals(token)) {
        throw new StateMachineDriver.TaskFailure(
            body.path("error").asText(), body.path("cause").asText());
      }
    }
    throw new AssertionError("no answer was sent for task token " + token);
  }

  @Override
  public void close() {
    server.stop();
  }
}
