package io.dbrecover.gcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32C;

/**
 * A stateful Secret Manager REST API v1 for end-to-end tests: secrets with numbered versions,
 * {@code versions.access} ({@code latest} = the newest ENABLED version), {@code versions.get} and
 * {@code secrets.addVersion}, which checks the payload's CRC32C as Google does. Names in answers
 * carry the project number, as Google's do.
 */
final class SecretManagerFake {
  static final String PROJECT_NUMBER = "123456789012";
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Clock clock;
  private final Map<String, List<Version>> secrets = new ConcurrentHashMap<>();

  SecretManagerFake(Clock clock) {
    this.clock = clock;
  }

  record Version(int number, String text, Instant createdAt, String state) {}

  /** Creates secret {@code id} with a first version holding {@code text}. */
  synchronized void create(String id, String text) {
    List<Version> versions = new ArrayList<>();
    secrets.put(id, versions);
    versions.add(new Version(1, text, clock.instant(), "ENABLED"));
  }

  /** The newest enabled version's text. */
  synchronized String current(String id) {
    return latest(secrets.get(id)).orElseThrow().text();
  }

  synchronized List<Version> versions(String id) {
    return List.copyOf(secrets.get(id));
  }

  /**
   * Handles {@code method} on {@code path} (below /v1/projects/acme-prod-1/, e.g. {@code
   * secrets/app-db/versions/latest:access}).
   */
  synchronized CloudSqlFake.Response handle(String method, String path, String body) {
    String[] p = path.split("/");
    if (p.length < 2 || !p[0].equals("secrets")) {
      return error(404, "Method not found.", "NOT_FOUND");
    }
    String id = p[1].contains(":") ? p[1].substring(0, p[1].indexOf(':')) : p[1];
    List<Version> versions = secrets.get(id);
    if (versions == null) {
      return error(404, "Secret [" + name(id) + "] not found or has no versions.", "NOT_FOUND");
    }
    if (p.length == 2 && p[1].endsWith(":addVersion") && method.equals("POST")) {
      return addVersion(id, versions, body);
    }
    if (p.length == 4 && p[2].equals("versions") && method.equals("GET")) {
      boolean access = p[3].endsWith(":access");
      String v = access ? p[3].substring(0, p[3].length() - ":access".length()) : p[3];
      Optional<Version> version =
          v.equals("latest")
              ? latest(versions)
              : versions.stream().filter(x -> String.valueOf(x.number()).equals(v)).findFirst();
      if (version.isEmpty()) {
        return error(
            404, "Secret Version [" + name(id) + "/versions/" + v + "] not found.", "NOT_FOUND");
      }
      if (!access) {
        return new CloudSqlFake.Response(200, metadata(id, version.get()).toPrettyString());
      }
      if (!version.get().state().equals("ENABLED")) {
        return error(
            400,
            name(id) + "/versions/" + v + " is in " + version.get().state() + " state.",
            "FAILED_PRECONDITION");
      }
      byte[] bytes = version.get().text().getBytes(StandardCharsets.UTF_8);
      ObjectNode out = JSON.createObjectNode();
      out.put("name", name(id) + "/versions/" + version.get().number());
      ObjectNode payload = out.putObject("payload");
      payload.put("data", Base64.getEncoder().encodeToString(bytes));
      payload.put("dataCrc32c", String.valueOf(crc(bytes)));
      return new CloudSqlFake.Response(200, out.toPrettyString());
    }
    return error(404, "Method not found.", "NOT_FOUND");
  }

  private CloudSqlFake.Response addVersion(String id, List<Version> versions, String body) {
    JsonNode payload;
    byte[] bytes;
    try {
      payload = JSON.readTree(body).path("payload");
      bytes = Base64.getDecoder().decode(payload.path("data").asText(""));
    } catch (IOException | IllegalArgumentException e) {
      return error(400, "Invalid JSON payload received.", "INVALID_ARGUMENT");
    }
    if (payload.hasNonNull("dataCrc32c")
        && !payload.get("dataCrc32c").asText().equals(String.valueOf(crc(bytes)))) {
      return error(
          400,
          "Checksum mismatch: the data_crc32c provided does not match the payload.",
          "INVALID_ARGUMENT");
    }
    Version added =
        new Version(
            versions.size() + 1,
            new String(bytes, StandardCharsets.UTF_8),
            clock.instant(),
            "ENABLED");
    versions.add(added);
    ObjectNode out = metadata(id, added);
    out.put("clientSpecifiedPayloadChecksum", payload.hasNonNull("dataCrc32c"));
    return new CloudSqlFake.Response(200, out.toPrettyString());
  }

  private static ObjectNode metadata(String id, Version v) {
    ObjectNode out = JSON.createObjectNode();
    out.put("name", name(id) + "/versions/" + v.number());
    out.put("createTime", TIME.format(v.createdAt()));
    out.put("state", v.state());
    out.putObject("replicationStatus").putObject("automatic");
    out.put("etag", "\"" + Long.toHexString(v.createdAt().toEpochMilli() * 31 + v.number()) + "\"");
    return out;
  }

  private static Optional<Version> latest(List<Version> versions) {
    for (int n = versions.size() - 1; n >= 0; n--) {
      if (versions.get(n).state().equals("ENABLED")) {
        return Optional.of(versions.get(n));
      }
    }
    return Optional.empty();
  }

  private static String name(String id) {
    return "projects/" + PROJECT_NUMBER + "/secrets/" + id;
  }

  private static long crc(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    return crc.getValue();
  }

  /** Secret Manager's error envelope (no {@code errors} list, unlike the Cloud SQL Admin API). */
  private static CloudSqlFake.Response error(int code, String message, String status) {
    ObjectNode out = JSON.createObjectNode();
    ObjectNode error = out.putObject("error");
    error.put("code", code);
    error.put("message", message);
    error.put("status", status);
    return new CloudSqlFake.Response(code, out.toPrettyString());
  }
}
