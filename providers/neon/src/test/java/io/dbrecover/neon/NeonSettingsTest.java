package io.dbrecover.neon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.EnvironmentConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NeonSettingsTest {
  private static EnvironmentConfig.Database db(Map<String, String> options) {
    return new EnvironmentConfig.Database("neon", null, false, options);
  }

  @Test
  void apiKey_comesFromTheEnvironment_whenTheConfigHasNone() {
    NeonSettings s =
        NeonSettings.from(
            db(Map.of("project-id", "shiny-wind-028834")), Map.of("NEON_API_KEY", "napi_env"));

    assertThat(s.apiKey().reveal()).isEqualTo("napi_env");
    assertThat(s.apiUrl()).isEqualTo(NeonSettings.DEFAULT_API_URL);
    assertThat(s.toString()).doesNotContain("napi_env");
  }

  @Test
  void apiKey_fromTheConfig_winsOverTheEnvironment() {
    NeonSettings s =
        NeonSettings.from(
            db(Map.of("project-id", "shiny-wind-028834", "api-key", "napi_config")),
            Map.of("NEON_API_KEY", "napi_env"));

    assertThat(s.apiKey().reveal()).isEqualTo("napi_config");
  }

  @Test
  void noApiKey_isAConfigurationErrorSayingWhereToPutIt() {
    ConfigurationException e =
        catchThrowableOfType(
            ConfigurationException.class,
            () -> NeonSettings.from(db(Map.of("project-id", "shiny-wind-028834")), Map.of()));

    assertThat(e)
        .hasMessageContaining("NEON_API_KEY")
        .hasMessageContaining("database.options.api-key");
  }

  @Test
  void projectId_isRequiredAndChecked() {
    ConfigurationException missing =
        catchThrowableOfType(
            ConfigurationException.class,
            () -> NeonSettings.from(db(Map.of("branch", "main")), Map.of("NEON_API_KEY", "k")));
    ConfigurationException bad =
        catchThrowableOfType(
            ConfigurationException.class,
            () ->
                NeonSettings.from(
                    db(Map.of("project-id", "Shiny Wind")), Map.of("NEON_API_KEY", "k")));

    assertThat(missing).hasMessageContaining("project-id is missing");
    assertThat(bad).hasMessageContaining("'Shiny Wind' is not a Neon project id");
  }

  @Test
  void unknownOption_isNamedWithTheKnownOnes() {
    ConfigurationException e =
        catchThrowableOfType(
            ConfigurationException.class,
            () ->
                NeonSettings.from(
                    db(Map.of("project-id", "p-1", "projectid", "x")),
                    Map.of("NEON_API_KEY", "k")));

    assertThat(e).hasMessageContaining("projectid").hasMessageContaining("project-id");
  }
}
