package io.dbrecover.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbrecover.engine.api.ConfigurationException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alarm entry on real-shaped events, read from raw bytes as the runtime hands them over, with
 * Step Functions on WireMock.
 */
class AlarmHandlerTest {
  private static final String ROUTES =
      "[{\"alarm\":\"orders-data-corruption\",\"environment\":\"embedded\","
          + "\"look_back_minutes\":15},"
          + "{\"alarm_prefix\":\"orders-\",\"environment\":\"embedded\",\"kind\":\"schema\"}]";

  @TempDir Path state;
  private SfnStub sfn;
  private Harness harness;

  @BeforeAll
  static void credentials() {
    // The default chain reads these first; the stub does not check the signature.
    System.setProperty("aws.accessKeyId", "AKIDTEST");
    System.setProperty("aws.secretAccessKey", "test-secret-key");
  }

  @BeforeEach
  void setUp() {
    sfn = new SfnStub();
    harness =
        new Harness(state)
            .env(LambdaSettings.STATE_MACHINE_ARN, Harness.STATE_MACHINE)
            .env(LambdaSettings.SFN_ENDPOINT, sfn.endpoint())
            .env(LambdaSettings.ALARM_ROUTES, ROUTES);
  }

  @AfterEach
  void tearDown() {
    sfn.close();
  }

  private AlarmHandler handler() {
    return new AlarmHandler(harness.alarmComponent());
  }

  @Test
  void handleRequest_snsWrappedAlarm_startsOneExecutionForTheRoutedEnvironment() {
    JsonNode out = Harness.invoke(handler(), Harness.fixture("sns-alarm.json"));

    JsonNode result = out.get("alarms").get(0);
    assertThat(result.get("status").asText()).isEqualTo("started");
    assertThat(sfn.starts()).hasSize(1);
    JsonNode request = SfnStub.body(sfn.starts().get(0));
    assertThat(sfn.starts().get(0).getHeader("Content-Type"))
        .startsWith("application/x-amz-json-1.0");
    assertThat(request.get("stateMachineArn").asText()).isEqualTo(Harness.STATE_MACHINE);
    assertThat(request.get("name").asText())
        .matches("orders-data-corruption-20250610T140300-[0-9a-f]{12}")
        .isEqualTo(result.get("execution").asText());
    JsonNode input = readTree(request.get("input").asText());
    assertThat(input.get("action").asText()).isEqualTo("start");
    assertThat(input.get("environment").asText()).isEqualTo("embedded");
    assertThat(input.get("kind").asText()).isEqualTo("data");
    // State change 14:03:00.512 minus the route's 15 minutes of look-back.
    assertThat(input.get("suspectedStart").asText()).isEqualTo("2025-06-10T13:48:00.512Z");
    assertThat(result.get("executionArn").asText())
        .isEqualTo(
            "arn:aws:states:eu-west-1:123456789012:execution:dbrecover-recovery:"
                + request.get("name").asText());
  }

  @Test
  void handleRequest_directAlarmActionOfSameStateChange_namesTheSameExecutionAsSns() {
    Harness.invoke(handler(), Harness.fixture("sns-alarm.json"));
    JsonNode out = Harness.invoke(handler(), Harness.fixture("alarm-action.json"));

    assertThat(sfn.starts()).hasSize(2);
    assertThat(SfnStub.body(sfn.starts().get(1)).get("name").asText())
        .isEqualTo(SfnStub.body(sfn.starts().get(0)).get("name").asText());
    assertThat(out.get("alarms").get(0).get("status").asText()).isEqualTo("already-started");
  }

  @Test
  void handleRequest_duplicateDelivery_startsNothingNewAndSaysSo() {
    JsonNode first = Harness.invoke(handler(), Harness.fixture("sns-alarm.json"));
    JsonNode second = Harness.invoke(handler(), Harness.fixture("sns-alarm.json"));

    assertThat(first.get("alarms").get(0).get("status").asText()).isEqualTo("started");
    assertThat(second.get("alarms").get(0).get("status").asText()).isEqualTo("already-started");
    assertThat(second.get("alarms").get(0).get("executionArn").asText())
        .isEqualTo(first.get("alarms").get(0).get("executionArn").asText());
    assertThat(harness.logText()).contains("recovery already started for orders-data-corruption");
  }

  @Test
  void handleRequest_compositeAlarmAction_isRoutedByPrefixWithItsKind() {
    JsonNode out = Harness.invoke(handler(), Harness.fixture("alarm-action-composite.json"));

    assertThat(out.get("alarms").get(0).get("status").asText()).isEqualTo("started");
    JsonNode input = readTree(SfnStub.body(sfn.starts().get(0)).get("input").asText());
    assertThat(input.get("kind").asText()).isEqualTo("schema");
    assertThat(input.get("suspectedStart").asText()).isEqualTo("2025-06-10T14:05:10Z");
  }

  @Test
  void handleRequest_alarmBackToOk_isIgnored() {
    JsonNode out = Harness.invoke(handler(), Harness.fixture("sns-alarm-ok.json"));

    assertThat(out.get("alarms").get(0).get("status").asText()).isEqualTo("ignored");
    assertThat(sfn.starts()).isEmpty();
  }

  @Test
  void handleRequest_malformedJson_rejectedAndLoggedWithoutStarting() {
    JsonNode out = Harness.invoke(handler(), "{\"Records\": [ {\"Sns\": ");

    assertThat(out.get("status").asText()).isEqualTo("rejected");
    assertThat(out.get("reason").asText()).contains("not JSON");
    assertThat(sfn.starts()).isEmpty();
    assertThat(harness.logLines())
        .anySatisfy(
            l -> {
              assertThat(l.get("level").asText()).isEqualTo("ERROR");
              assertThat(l.get("entry").asText()).isEqualTo("alarm");
              assertThat(l.get("message").asText()).startsWith("event rejected: ");
            });
  }

  @Test
  void handleRequest_s3Event_rejectedAsNotSns() {
    JsonNode out = Harness.invoke(handler(), Harness.fixture("s3-put.json"));

    assertThat(out.get("status").asText()).isEqualTo("rejected");
    assertThat(out.get("reason").asText()).contains("not aws:sns");
    assertThat(sfn.starts()).isEmpty();
  }

  @Test
  void handleRequest_eventBridgeScheduledEvent_rejectedAsUnknownShape() {
    JsonNode out = Harness.invoke(handler(), Harness.fixture("eventbridge-scheduled.json"));

    assertThat(out.get("reason").asText()).startsWith("unknown event shape (keys: version, id");
    assertThat(sfn.starts()).isEmpty();
  }

  @Test
  void handleRequest_snsMessageThatIsNoAlarm_rejected() {
    JsonNode out = Harness.invoke(handler(), Harness.fixture("sns-not-alarm.json"));

    assertThat(out.get("reason").asText())
        .contains("is not a CloudWatch alarm notification")
        .contains("arn:aws:sns:eu-west-1:123456789012:dbrecover-alarms");
    assertThat(sfn.starts()).isEmpty();
  }

  @Test
  void handleRequest_alarmWithoutRoute_rejectedNamingTheSetting() {
    harness.env(
        LambdaSettings.ALARM_ROUTES,
        "[{\"alarm\":\"billing-broken\",\"environment\":\"embedded\"}]");

    JsonNode out = Harness.invoke(handler(), Harness.fixture("sns-alarm.json"));

    assertThat(out.get("alarms").get(0).get("status").asText()).isEqualTo("rejected");
    assertThat(out.get("alarms").get(0).get("reason").asText())
        .isEqualTo(
            "no route for alarm 'orders-data-corruption': add it to DBRECOVER_ALARM_ROUTES"
                + " (terraform: alarm_routes) with its environment, by name or by tag");
    assertThat(sfn.starts()).isEmpty();
  }

  @Test
  void handleRequest_environmentThatNeedsConfirmation_startsTheExecution() throws Exception {
    // The state machine asks for the approval; the alarm entry starts it as for any environment.
    Path yaml = state.resolve("dbrecover.yaml");
    Files.writeString(
        yaml,
        "environments:\n  production:\n    protection: confirm\n"
            + "    database: { provider: postgres, url: 'postgresql://app@db.internal:5432/app' }\n");
    harness
        .env(LambdaSettings.CONFIG, yaml.toString())
        .env(
            LambdaSettings.ALARM_ROUTES,
            "[{\"alarm\":\"orders-data-corruption\",\"environment\":\"production\"}]");

    JsonNode out = Harness.invoke(handler(), Harness.fixture("sns-alarm.json"));

    assertThat(out.get("alarms").get(0).get("status").asText()).isEqualTo("started");
    assertThat(
            readTree(SfnStub.body(sfn.starts().get(0)).get("input").asText())
                .get("environment")
                .asText())
        .isEqualTo("production");
  }

  @Test
  void coldStart_routeToUnknownEnvironment_failsNamingTheKnownOnes() {
    harness.env(
        LambdaSettings.ALARM_ROUTES, "[{\"alarm\":\"orders\",\"environment\":\"prodution\"}]");

    assertThatThrownBy(() -> harness.alarmComponent().config())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("unknown environment 'prodution'")
        .hasMessageContaining("known environments: embedded");
  }

  @Test
  void coldStart_withoutStateMachineArn_alarmEntryFailsSayingWhatToSet() {
    harness.env(LambdaSettings.STATE_MACHINE_ARN, "");

    assertThatThrownBy(this::handler)
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("DBRECOVER_STATE_MACHINE_ARN is not set");
  }

  private static JsonNode readTree(String s) {
    try {
      return Harness.JSON.readTree(s);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
