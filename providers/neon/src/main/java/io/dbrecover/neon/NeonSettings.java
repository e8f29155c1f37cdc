package io.dbrecover.neon;

import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.Secret;
import java.net.URI;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code neon} provider's settings, from {@code database.options} in {@code dbrecover.yaml} and
 * the environment. The only class of this module that reads environment variables.
 *
 * @param projectId {@code project-id} (required), e.g. {@code shiny-wind-028834}
 * @param branch {@code branch}: the live branch's id ({@code br-…}) or name; null: the project's
 *     default branch
 * @param database {@code database}: the database the application uses; null: the live URL's
 * @param role {@code role}: the role the application connects as; null: the live URL's user
 * @param apiKey {@code api-key} (usually {@code ${NEON_API_KEY}}), else the {@code NEON_API_KEY}
 *     environment variable
 * @param apiUrl {@code api-url}: the API's base URL; default {@code
 *     https://console.neon.tech/api/v2}
 */
public record NeonSettings(
    String projectId, String branch, String database, String role, Secret apiKey, URI apiUrl) {
  public static final URI DEFAULT_API_URL = URI.create("https://console.neon.tech/api/v2");
  static final String API_KEY_ENV = "NEON_API_KEY";
  static final Set<String> KEYS =
      Set.of("project-id", "branch", "database", "role", "api-key", "api-url");
  private static final Pattern ID = Pattern.compile("[a-z0-9-]{1,60}");

  public NeonSettings {
    Objects.requireNonNull(apiKey, "apiKey");
    Objects.requireNonNull(apiUrl, "apiUrl");
    if (projectId == null || !ID.matcher(projectId).matches()) {
      throw new ConfigurationException(
          "database.options.project-id "
              + (projectId == null ? "is missing" : "'" + projectId + "' is not a Neon project id")
              + ": set it to the project's id (Neon Console > Project settings, e.g."
              + " shiny-wind-028834)");
    }
    if (!"https".equals(apiUrl.getScheme()) && !"http".equals(apiUrl.getScheme())) {
      throw new ConfigurationException(
          "database.options.api-url '" + apiUrl + "' is not an http(s) URL");
    }
  }

  /** Reads the settings of an environment; {@code env} is the process environment. */
  public static NeonSettings from(EnvironmentConfig.Database database, Map<String, String> env) {
    Map<String, String> o = database.options();
    for (String key : o.keySet()) {
      if (!KEYS.contains(key)) {
        throw new ConfigurationException(
            "database.options."
                + key
                + " is not a neon option; known: "
                + String.join(", ", KEYS.stream().sorted().toList()));
      }
    }
    String key = blankToNull(o.get("api-key"));
    if (key == null) {
      key = blankToNull(env.get(API_KEY_ENV));
    }
    if (key == null) {
      throw new ConfigurationException(
          "no Neon API key: set the "
              + API_KEY_ENV
              + " environment variable, or database.options.api-key: ${"
              + API_KEY_ENV
              + "} in dbrecover.yaml");
    }
    String url = blankToNull(o.get("api-url"));
    URI apiUrl;
    try {
      apiUrl = url == null ? DEFAULT_API_URL : URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException("database.options.api-url '" + url + "' is not a URL", e);
    }
    return new NeonSettings(
        blankToNull(o.get("project-id")),
        blankToNull(o.get("branch")),
        blankToNull(o.get("database")),
        blankToNull(o.get("role")),
        Secret.of(key),
        apiUrl);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
