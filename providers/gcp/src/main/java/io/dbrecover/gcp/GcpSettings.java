package io.dbrecover.gcp;

import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.EnvironmentConfig;
import java.net.URI;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The {@code cloudsql} provider's settings, from {@code database.options} in {@code
 * dbrecover.yaml}. Credentials never appear here: they are Application Default Credentials.
 *
 * @param project {@code project} (required): the Google Cloud project id
 * @param instance {@code instance} (required): the source Cloud SQL instance id
 * @param ipType {@code ip-type}: which of the restored instance's addresses the URL uses, {@code
 *     PRIMARY} (public, the default) or {@code PRIVATE}
 * @param port {@code port}: the PostgreSQL port of Cloud SQL instances, 5432 unless a proxy or a
 *     test server says otherwise
 * @param apiUrl {@code api-url}: the Cloud SQL Admin API root URL, default {@code
 *     https://sqladmin.googleapis.com/}
 */
public record GcpSettings(String project, String instance, String ipType, int port, URI apiUrl) {
  public static final URI DEFAULT_API_URL = URI.create("https://sqladmin.googleapis.com/");
  static final Set<String> KEYS = Set.of("project", "instance", "ip-type", "port", "api-url");
  // Project ids: 6 to 30 lower-case letters, digits or hyphens, starting with a letter (domain-
  // scoped projects carry a "domain:" prefix).
  private static final Pattern PROJECT =
      Pattern.compile("([a-z][a-z0-9.-]*:)?[a-z][a-z0-9-]{4,28}[a-z0-9]");
  private static final Pattern INSTANCE = Pattern.compile("[a-z][a-z0-9-]{0,97}");

  public GcpSettings {
    if (project == null || !PROJECT.matcher(project).matches()) {
      throw new ConfigurationException(
          "database.options.project "
              + (project == null
                  ? "is missing"
                  : "'" + project + "' is not a Google Cloud project id")
              + ": set it to the project id of the Cloud SQL instance (gcloud config get project)");
    }
    if (instance == null || !INSTANCE.matcher(instance).matches() || instance.endsWith("-")) {
      throw new ConfigurationException(
          "database.options.instance "
              + (instance == null
                  ? "is missing"
                  : "'" + instance + "' is not a Cloud SQL instance id")
              + ": set it to the instance id (lower-case letters, digits and hyphens, starting with"
              + " a letter), as in gcloud sql instances list");
    }
    Objects.requireNonNull(ipType, "ipType");
    if (!ipType.equals("PRIMARY") && !ipType.equals("PRIVATE")) {
      throw new ConfigurationException(
          "database.options.ip-type '" + ipType + "' must be PRIMARY (public IP) or PRIVATE");
    }
    if (port < 1 || port > 65535) {
      throw new ConfigurationException("database.options.port " + port + " is not a TCP port");
    }
    Objects.requireNonNull(apiUrl, "apiUrl");
    if (!"https".equals(apiUrl.getScheme()) && !"http".equals(apiUrl.getScheme())) {
      throw new ConfigurationException(
          "database.options.api-url '" + apiUrl + "' is not an http(s) URL");
    }
  }

  /** Reads the settings of an environment's database options. */
  public static GcpSettings from(EnvironmentConfig.Database database) {
    Map<String, String> o = database.options();
    for (String key : o.keySet()) {
      if (!KEYS.contains(key)) {
        throw new ConfigurationException(
            "database.options."
                + key
                + " is not a cloudsql option; known: "
                + String.join(", ", new TreeSet<>(KEYS)));
      }
    }
    String port = blankToNull(o.get("port"));
    int p;
    try {
      p = port == null ? 5432 : Integer.parseInt(port);
    } catch (NumberFormatException e) {
      throw new ConfigurationException("database.options.port '" + port + "' is not a number", e);
    }
    String url = blankToNull(o.get("api-url"));
    URI apiUrl;
    try {
      apiUrl = url == null ? DEFAULT_API_URL : URI.create(url.endsWith("/") ? url : url + "/");
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException("database.options.api-url '" + url + "' is not a URL", e);
    }
    String ipType = blankToNull(o.get("ip-type"));
    return new GcpSettings(
        blankToNull(o.get("project")),
        blankToNull(o.get("instance")),
        ipType == null ? "PRIMARY" : ipType.toUpperCase(java.util.Locale.ROOT),
        p,
        apiUrl);
  }

  /** Environment variables that CI systems set to the commit being deployed, in order. */
  static final java.util.List<String> GIT_SHA_ENV =
      java.util.List.of("DBRECOVER_GIT_SHA", "GITHUB_SHA", "CI_COMMIT_SHA", "GIT_COMMIT");

  /**
   * The git commit a backup is labelled with: the first of {@link #GIT_SHA_ENV} that is set, else
   * null (the description then says {@code git=-}).
   */
  public static String gitSha(Map<String, String> env) {
    for (String name : GIT_SHA_ENV) {
      String v = blankToNull(env.get(name));
      if (v != null && v.matches("[0-9a-fA-F]{7,64}")) {
        return v.toLowerCase(java.util.Locale.ROOT);
      }
    }
    return null;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
