package io.dbrecover.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.Incident;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading the handlers' environment variables and alarm routes. */
class SettingsTest {
  @Test
  void fromEnv_nothingSet_defaultsToTmpStateAndNoRoutes() {
    LambdaSettings s = LambdaSettings.fromEnv(Map.of());

    assertThat(s.stateDir().toString()).isEqualTo("/tmp/dbrecover");
    assertThat(s.configFileOpt()).isEmpty();
    assertThat(s.stepMargin()).isEqualTo(Duration.ofSeconds(20));
    assertThat(s.routes().routes()).isEmpty();
  }

  @Test
  void fromEnv_marginNotANumber_failsNamingTheVariable() {
    assertThatThrownBy(
            () -> LambdaSettings.fromEnv(Map.of(LambdaSettings.STEP_MARGIN_SECONDS, "half")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("DBRECOVER_STEP_MARGIN_SECONDS must be a whole number of seconds, not 'half'");
  }

  @Test
  void toString_neverShowsTheEnvironmentValues() {
    LambdaSettings s =
        LambdaSettings.fromEnv(Map.of("APP_DB_URL", "postgresql://u:hunter2@db/app"));

    assertThat(s.toString()).doesNotContain("hunter2");
  }

  @Test
  void route_exactNameBeatsPrefix_andLongerPrefixBeatsShorter() {
    AlarmRoutes routes =
        AlarmRoutes.parse(
            "[{\"alarm_prefix\":\"orders-\",\"environment\":\"a\"},"
                + "{\"alarm_prefix\":\"orders-db-\",\"environment\":\"b\"},"
                + "{\"alarm\":\"orders-db-corrupt\",\"environment\":\"c\",\"kind\":\"schema\","
                + "\"look_back_minutes\":30}]");

    assertThat(routes.route("orders-db-corrupt").orElseThrow().environment()).isEqualTo("c");
    assertThat(routes.route("orders-db-corrupt").orElseThrow().kind())
        .isEqualTo(Incident.Kind.SCHEMA);
    assertThat(routes.route("orders-db-slow").orElseThrow().environment()).isEqualTo("b");
    assertThat(routes.route("orders-api").orElseThrow().environment()).isEqualTo("a");
    assertThat(routes.route("billing")).isEmpty();
  }

  @Test
  void parse_unknownKey_failsNamingRouteAndKey() {
    assertThatThrownBy(
            () -> AlarmRoutes.parse("[{\"alarm\":\"x\",\"environment\":\"p\",\"lookback\":5}]"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("DBRECOVER_ALARM_ROUTES[0]: unknown key 'lookback'");
  }

  @Test
  void parse_bothNameAndPrefix_fails() {
    assertThatThrownBy(
            () ->
                AlarmRoutes.parse(
                    "[{\"alarm\":\"x\",\"alarm_prefix\":\"x\",\"environment\":\"p\"}]"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("exactly one of \"alarm\", \"alarm_prefix\" or \"tag_key\"");
  }

  @Test
  void parse_lookBackOverAWeek_fails() {
    assertThatThrownBy(
            () ->
                AlarmRoutes.parse(
                    "[{\"alarm\":\"x\",\"environment\":\"p\",\"look_back_minutes\":20000}]"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("look_back_minutes must be between 0 and 10080");
  }

  @Test
  void executionName_longAlarmNameWithSpaces_validStepFunctionsName() {
    Alarm alarm =
        new Alarm(
            "Orders: negative totals in production (eu-west-1) / primary cluster alarm",
            null,
            "ALARM",
            "OK",
            java.time.Instant.parse("2025-06-10T14:03:00.512Z"),
            "sns");

    String name = IncidentRequest.executionName(alarm);

    assertThat(name).matches("[A-Za-z0-9_-]{1,80}").endsWith(name.substring(name.length() - 12));
    assertThat(name).contains("-20250610T140300-");
    assertThat(IncidentRequest.executionName(alarm)).isEqualTo(name);
  }
}
