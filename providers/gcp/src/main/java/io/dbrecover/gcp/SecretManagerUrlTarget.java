package io.dbrecover.gcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.api.client.googleapis.json.GoogleJsonResponseException;
import com.google.api.client.http.ByteArrayContent;
import com.google.api.client.http.GenericUrl;
import com.google.api.client.http.HttpRequest;
import com.google.api.client.http.HttpRequestFactory;
import com.google.api.client.http.HttpResponse;
import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.ProviderException;
import io.dbrecover.engine.api.Secret;
import io.dbrecover.engine.spi.UrlTarget;
import io.dbrecover.gcp.internal.ApiCall;
import io.dbrecover.gcp.internal.GoogleCalls;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * DATABASE_URL in a Google Secret Manager secret ({@code projects/<p>/secrets/<s>}), through Secret
 * Manager's REST API v1: under {@code key} when the secret is a JSON object (its other keys are
 * kept), else the whole payload. {@link #write} adds a secret version ({@code secrets.addVersion});
 * the receipt records the version it replaced for {@link #swapBack}, which adds a version with that
 * value again. Versions are never destroyed or disabled.
 */
public final class SecretManagerUrlTarget implements UrlTarget {
  /** The config type and receipt type. */
  public static final String TYPE = "gcp-secret-manager";

  public static final URI DEFAULT_API_URL = URI.create("https://secretmanager.googleapis.com/");

  private static final Pattern NAME = Pattern.compile("projects/([^/]+)/secrets/([A-Za-z0-9_-]+)");
  private static final Pattern VERSION = Pattern.compile(".*/versions/(\\d+)$");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How far back swap-back looks for the enabled version before the current one. */
  private static final int MAX_LOOKBACK = 20;

  private final HttpRequestFactory http;
  private final GoogleCalls calls;
  private final URI root;
  private final String project;
  private final String secret;
  private final String key;

  public SecretManagerUrlTarget(
      HttpRequestFactory http, GoogleCalls calls, URI root, String name, String key) {
    this.http = Objects.requireNonNull(http, "http");
    this.calls = Objects.requireNonNull(calls, "calls");
    this.root = Objects.requireNonNull(root, "root");
    Matcher m = NAME.matcher(Objects.requireNonNull(name, "name"));
    if (!m.matches()) {
      throw new ConfigurationException(
          "url-target location '"
              + name
              + "' is not a Secret Manager secret name; expected projects/<project>/secrets/<secret>");
    }
    this.project = m.group(1);
    this.secret = m.group(2);
    this.key = Objects.requireNonNull(key, "key");
  }

  /** Creates targets from {@code url-target: {type: gcp-secret-manager, location, key}}. */
  public static final class Factory implements UrlTarget.Factory {
    private final GcpClients clients;
    private final URI root;

    public Factory(GcpClients clients, URI root) {
      this.clients = Objects.requireNonNull(clients, "clients");
      this.root = Objects.requireNonNull(root, "root");
    }

    @Override
    public UrlTarget create(EnvironmentConfig.UrlTarget config, Path baseDir) {
      if (!TYPE.equals(config.type())) {
        throw new ConfigurationException("url-target type '" + config.type() + "' is not " + TYPE);
      }
      return new SecretManagerUrlTarget(
          clients.requestFactory(), clients.calls(), root, config.location(), config.key());
    }
  }

  @Override
  public String describe() {
    return "Secret Manager secret projects/" + project + "/secrets/" + secret + " (" + key + ")";
  }

  @Override
  public Optional<Secret> read() {
    return access("latest").flatMap(v -> urlIn(v.text())).map(Secret::of);
  }

  @Override
  public Map<String, String> write(Secret value, String runId) {
    Optional<Version> current = access("latest");
    String text = withUrl(current.map(Version::text).orElse(null), value.reveal());
    String version;
    String previous;
    if (current.isPresent() && current.get().text().equals(text)) {
      // Already the value (a retried swap): what it replaced is the enabled version before it.
      version = current.get().number();
      previous = enabledBefore(Long.parseLong(version)).orElse(null);
    } else {
      version = addVersion(text);
      previous = current.map(Version::number).orElse(null);
    }
    Map<String, String> receipt = new LinkedHashMap<>();
    receipt.put("type", TYPE);
    receipt.put("secret", "projects/" + project + "/secrets/" + secret);
    receipt.put("run", runId);
    receipt.put("version-id", version);
    if (previous != null) {
      receipt.put("previous-version-id", previous);
    }
    return receipt;
  }

  @Override
  public void swapBack(Map<String, String> receipt) {
    String previous = receipt.get("previous-version-id");
    if (previous == null) {
      throw new ConfigurationException(
          describe() + " had no value before run " + receipt.get("run") + "; nothing to swap back");
    }
    String url =
        access(previous)
            .flatMap(v -> urlIn(v.text()))
            .orElseThrow(
                () ->
                    new ConfigurationException(
                        describe()
                            + ": version "
                            + previous
                            + " cannot be read any more (destroyed or disabled); set the value by"
                            + " hand"));
    Optional<Version> current = access("latest");
    if (current.isPresent() && urlIn(current.get().text()).filter(url::equals).isPresent()) {
      return;
    }
    addVersion(withUrl(current.map(Version::text).orElse(null), url));
  }

  // --- REST calls ----------------------------------------------------------------------------

  private record Version(String number, String text) {}

  /** {@code versions.access}; empty when the secret or version does not exist or is disabled. */
  private Optional<Version> access(String version) {
    GenericUrl url =
        url("v1/projects/" + project + "/secrets/" + secret + "/versions/" + version + ":access");
    GoogleCalls.checkExchange(
        ApiCall.SECRET_VERSIONS_ACCESS,
        "GET",
        "v1/projects/{project}/secrets/{secret}/versions/{version}:access");
    return calls
        .run(
            ApiCall.SECRET_VERSIONS_ACCESS,
            describe() + " version " + version,
            () -> json(http.buildGetRequest(url)),
            e -> e.getStatusCode() == 404 || isDisabled(e))
        .map(
            node -> {
              String data = node.path("payload").path("data").asText(null);
              String text =
                  data == null
                      ? ""
                      : new String(Base64.getDecoder().decode(data), StandardCharsets.UTF_8);
              return new Version(number(node.path("name").asText("")), text);
            });
  }

  /** {@code versions.get}: whether a version exists and is ENABLED. */
  private boolean enabled(long version) {
    GenericUrl url = url("v1/projects/" + project + "/secrets/" + secret + "/versions/" + version);
    GoogleCalls.checkExchange(
        ApiCall.SECRET_VERSIONS_GET,
        "GET",
        "v1/projects/{project}/secrets/{secret}/versions/{version}");
    return calls
        .run(
            ApiCall.SECRET_VERSIONS_GET,
            describe() + " version " + version,
            () -> json(http.buildGetRequest(url)),
            e -> e.getStatusCode() == 404)
        .map(node -> "ENABLED".equals(node.path("state").asText()))
        .orElse(false);
  }

  private Optional<String> enabledBefore(long version) {
    for (long v = version - 1; v >= 1 && v >= version - MAX_LOOKBACK; v--) {
      if (enabled(v)) {
        return Optional.of(String.valueOf(v));
      }
    }
    return Optional.empty();
  }

  /** {@code secrets.addVersion}; returns the new version's number. */
  private String addVersion(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    ObjectNode body = JSON.createObjectNode();
    ObjectNode payload = body.putObject("payload");
    payload.put("data", Base64.getEncoder().encodeToString(bytes));
    // int64 fields travel as JSON strings.
    payload.put("dataCrc32c", String.valueOf(crc.getValue()));
    GenericUrl url = url("v1/projects/" + project + "/secrets/" + secret + ":addVersion");
    GoogleCalls.checkExchange(
        ApiCall.SECRET_VERSIONS_ADD, "POST", "v1/projects/{project}/secrets/{secret}:addVersion");
    JsonNode added =
        calls
            .run(
                ApiCall.SECRET_VERSIONS_ADD,
                describe(),
                () ->
                    json(
                        http.buildPostRequest(
                            url,
                            new ByteArrayContent(
                                "application/json",
                                body.toString().getBytes(StandardCharsets.UTF_8)))),
                e -> false)
            .orElseThrow();
    String number = number(added.path("name").asText(""));
    if (number.isEmpty()) {
      throw new ProviderException(
          "Secret Manager added a version to " + describe() + " but did not name it", null, null);
    }
    return number;
  }

  private static JsonNode json(HttpRequest request) throws IOException {
    HttpResponse response = GoogleJsonResponseException.execute(GcpClients.JSON, request);
    try {
      return JSON.readTree(response.getContent());
    } finally {
      response.disconnect();
    }
  }

  private static boolean isDisabled(GoogleJsonResponseException e) {
    // A disabled version answers 400 FAILED_PRECONDITION "... is in DISABLED state".
    return e.getStatusCode() == 400
        && e.getDetails() != null
        && String.valueOf(e.getDetails().getMessage()).contains("DISABLED");
  }

  private GenericUrl url(String path) {
    return new GenericUrl(root.resolve(path));
  }

  private static String number(String name) {
    Matcher m = VERSION.matcher(name);
    return m.matches() ? m.group(1) : "";
  }

  // --- the URL inside the payload ------------------------------------------------------------

  private Optional<String> urlIn(String text) {
    if (!isJsonObject(text)) {
      return text.isEmpty() ? Optional.empty() : Optional.of(text);
    }
    JsonNode v = object(text).get(key);
    return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asText());
  }

  private String withUrl(String text, String url) {
    if (text == null || !isJsonObject(text)) {
      return url;
    }
    ObjectNode o = object(text);
    o.put(key, url);
    return o.toString();
  }

  private static boolean isJsonObject(String text) {
    return text != null && text.stripLeading().startsWith("{");
  }

  private ObjectNode object(String text) {
    try {
      JsonNode node = JSON.readTree(text);
      if (node instanceof ObjectNode) {
        return (ObjectNode) node;
      }
    } catch (JsonProcessingException e) {
      // Reported below without the parser's message: it quotes the secret.
    }
    throw new ConfigurationException(
        describe()
            + " starts like JSON but is not a JSON object; store a JSON object or a plain URL");
  }
}
