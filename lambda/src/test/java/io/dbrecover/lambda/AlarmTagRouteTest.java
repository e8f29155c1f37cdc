package io.dbrecover.lambda;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.thirdparty.jackson.core.JsonGenerator;
import software.amazon.awssdk.thirdparty.jackson.dataformat.cbor.CBORFactory;

/**
 * Alarm routes by tag: the alarm's tags come from CloudWatch ListTagsForResource, on WireMock
 * answering as CloudWatch does (Smithy RPC v2 CBOR), only when no name route matches.
 */
class AlarmTagRouteTest {
  private static final String LIST_TAGS =
      "/service/GraniteServiceVersion20100801/operation/ListTagsForResource";

  @TempDir Path state;
  private SfnStub sfn;
  private WireMockServer cloudWatch;
  private Harness harness;

  @BeforeAll
  static void credentials() {
    System.setProperty("aws.accessKeyId", "AKIDTEST");
    System.setProperty("aws.secretAccessKey", "test-secret-key");
  }

  @BeforeEach
  void setUp() throws IOException {
    sfn = new SfnStub();
    cloudWatch = new WireMockServer(options().dynamicPort());
    cloudWatch.start();
    cloudWatch.stubFor(
        post(urlEqualTo(LIST_TAGS))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("smithy-protocol", "rpc-v2-cbor")
                    .withHeader("Content-Type", "application/cbor")
                    .withHeader("x-amzn-RequestId", "0d4c2b9e-8f7a-4e6d-9c5b-3a2f1e0d9c8b")
                    .withBody(tags("team", "orders", "dbrecover-environment", "embedded"))));
    harness =
        new Harness(state)
            .env(LambdaSettings.STATE_MACHINE_ARN, Harness.STATE_MACHINE)
            .env(LambdaSettings.SFN_ENDPOINT, sfn.endpoint())
            .env(LambdaSettings.CLOUDWATCH_ENDPOINT, "http://127.0.0.1:" + cloudWatch.port());
  }

  @AfterEach
  void tearDown() {
    sfn.close();
    cloudWatch.stop();
  }

  /** {"Tags": [{"Key": k, "Value": v}, ...]} in CBOR. */
  private static byte[] tags(String... keyValues) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = new CBORFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeFieldName("Tags");
      g.writeStartArray();
      for (int i = 0; i < keyValues.length; i += 2) {
        g.writeStartObject();
        g.writeStringField("Key", keyValues[i]);
        g.writeStringField("Value", keyValues[i + 1]);
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    return out.toByteArray();
  }

  @Test
  void handleRequest_alarmRoutedByTag_readsTheAlarmsTagsAndStarts() {
    harness.env(
        LambdaSettings.ALARM_ROUTES,
        "[{\"tag_key\":\"team\",\"tag_value\":\"billing\",\"environment\":\"embedded\","
            + "\"kind\":\"schema\"},"
            + "{\"tag_key\":\"dbrecover-environment\",\"tag_value\":\"embedded\","
            + "\"environment\":\"embedded\",\"look_back_minutes\":5}]");

    JsonNode out =
        Harness.invoke(
            new AlarmHandler(harness.alarmComponent()), Harness.fixture("sns-alarm.json"));

    assertThat(out.get("alarms").get(0).get("status").asText()).isEqualTo("started");
    assertThat(out.get("alarms").get(0).get("suspectedStart").asText())
        .isEqualTo("2025-06-10T13:58:00.512Z");
    assertThat(SfnStub.body(sfn.starts().get(0)).get("input").asText())
        .contains("\"kind\":\"data\"");
    var requests = cloudWatch.findAll(postRequestedFor(urlEqualTo(LIST_TAGS)));
    assertThat(requests).hasSize(1);
    assertThat(requests.get(0).getHeader("smithy-protocol")).isEqualTo("rpc-v2-cbor");
    assertThat(new String(requests.get(0).getBody(), StandardCharsets.ISO_8859_1))
        .contains("arn:aws:cloudwatch:eu-west-1:123456789012:alarm:orders-data-corruption");
  }

  @Test
  void handleRequest_nameRouteMatches_neverAsksCloudWatch() {
    harness.env(
        LambdaSettings.ALARM_ROUTES,
        "[{\"alarm\":\"orders-data-corruption\",\"environment\":\"embedded\"},"
            + "{\"tag_key\":\"dbrecover-environment\",\"environment\":\"embedded\"}]");

    JsonNode out =
        Harness.invoke(
            new AlarmHandler(harness.alarmComponent()), Harness.fixture("sns-alarm.json"));

    assertThat(out.get("alarms").get(0).get("status").asText()).isEqualTo("started");
    assertThat(cloudWatch.findAll(postRequestedFor(urlEqualTo(LIST_TAGS)))).isEmpty();
  }

  @Test
  void handleRequest_noTagMatches_rejected() {
    harness.env(
        LambdaSettings.ALARM_ROUTES,
        "[{\"tag_key\":\"team\",\"tag_value\":\"billing\",\"environment\":\"embedded\"}]");

    JsonNode out =
        Harness.invoke(
            new AlarmHandler(harness.alarmComponent()), Harness.fixture("sns-alarm.json"));

    assertThat(out.get("alarms").get(0).get("status").asText()).isEqualTo("rejected");
    assertThat(sfn.starts()).isEmpty();
  }
}
