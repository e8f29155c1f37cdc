package io.dbrecover.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A stateful Secrets Manager for end-to-end tests (AWS JSON 1.1): secrets with versions and the
 * AWSCURRENT / AWSPREVIOUS stages, {@code PutSecretValue} idempotent on its ClientRequestToken.
 */
public final class SecretsManagerFake {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Clock clock;
  private final Map<String, Secret> secrets = new ConcurrentHashMap<>();

  SecretsManagerFake(Clock clock) {
    this.clock = clock;
  }

  record Version(String id, String value, double createdDate) {}

  static final class Secret {
    final String name;
    final String arn;
    final List<Version> versions = new ArrayList<>();
    String current;
    String previous;

    Secret(String name) {
      this.name = name;
      this.arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:" + name + "-AbCdEf";
    }
  }

  public void create(String name, String value) {
    Secret s = new Secret(name);
    secrets.put(name, s);
    put(s, UUID.randomUUID().toString(), value);
  }

  /** The AWSCURRENT value. */
  public synchronized String current(String name) {
    Secret s = secrets.get(name);
    return version(s, s.current).map(Version::value).orElseThrow();
  }

  synchronized int versionCount(String name) {
    return secrets.get(name).versions.size();
  }

  synchronized RdsFake.Response handle(String target, String body) {
    JsonNode request;
    try {
      request = JSON.readTree(body);
    } catch (java.io.IOException e) {
      return error("SerializationException", "bad JSON");
    }
    Secret s = secrets.get(request.path("SecretId").asText());
    if (s == null) {
      return error("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
    }
    switch (target) {
      case "secretsmanager.GetSecretValue":
        return get(s, request);
      case "secretsmanager.PutSecretValue":
        return putValue(s, request);
      default:
        return error("InvalidAction", "unknown operation " + target);
    }
  }

  private RdsFake.Response get(Secret s, JsonNode request) {
    String id;
    if (request.hasNonNull("VersionId")) {
      id = request.get("VersionId").asText();
    } else if ("AWSPREVIOUS".equals(request.path("VersionStage").asText())) {
      id = s.previous;
    } else {
      id = s.current;
    }
    Optional<Version> v = version(s, id);
    if (v.isEmpty()) {
      return error(
          "ResourceNotFoundException",
          "Secrets Manager can't find the specified secret value for VersionId: " + id);
    }
    ObjectNode out = JSON.createObjectNode();
    out.put("ARN", s.arn);
    out.put("Name", s.name);
    out.put("VersionId", v.get().id());
    out.put("SecretString", v.get().value());
    var stages = out.putArray("VersionStages");
    if (v.get().id().equals(s.current)) {
      stages.add("AWSCURRENT");
    }
    if (v.get().id().equals(s.previous)) {
      stages.add("AWSPREVIOUS");
    }
    out.put("CreatedDate", v.get().createdDate());
    return new RdsFake.Response(200, out.toString());
  }

  private RdsFake.Response putValue(Secret s, JsonNode request) {
    String token = request.path("ClientRequestToken").asText(UUID.randomUUID().toString());
    String value = request.path("SecretString").asText();
    Optional<Version> existing = version(s, token);
    if (existing.isPresent() && !existing.get().value().equals(value)) {
      return error(
          "ResourceExistsException",
          "You can't modify an existing version, you can only create a new version.");
    }
    if (existing.isEmpty()) {
      put(s, token, value);
    }
    ObjectNode out = JSON.createObjectNode();
    out.put("ARN", s.arn);
    out.put("Name", s.name);
    out.put("VersionId", token);
    out.putArray("VersionStages").add("AWSCURRENT");
    return new RdsFake.Response(200, out.toString());
  }

  private void put(Secret s, String id, String value) {
    s.versions.add(new Version(id, value, clock.millis() / 1000.0));
    s.previous = s.current;
    s.current = id;
  }

  private static Optional<Version> version(Secret s, String id) {
    return s.versions.stream().filter(v -> v.id().equals(id)).findFirst();
  }

  private static RdsFake.Response error(String type, String message) {
    ObjectNode out = JSON.createObjectNode();
    out.put("__type", type);
    out.put("Message", message);
    return new RdsFake.Response(400, out.toString());
  }
}
