package io.dbrecover.aws.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dbrecover.engine.api.ConfigurationException;
import java.util.Optional;

/**
 * DATABASE_URL inside a secret's string: a JSON object holds it under a key (other keys are kept as
 * they are); any other string is the URL itself.
 */
public final class SecretValues {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SecretValues() {}

  /** Whether {@code secret} is a JSON object, so the URL lives under a key. */
  public static boolean isJsonObject(String secret) {
    return secret != null && secret.stripLeading().startsWith("{");
  }

  /** The URL held by {@code secret}: the key's value of a JSON object, else the whole string. */
  public static Optional<String> get(String secret, String key, String where) {
    if (secret == null) {
      return Optional.empty();
    }
    if (!isJsonObject(secret)) {
      return Optional.of(secret);
    }
    JsonNode value = object(secret, where).get(key);
    return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText());
  }

  /** {@code secret} with the URL replaced: the key of a JSON object, else the whole string. */
  public static String set(String secret, String key, String url, String where) {
    if (!isJsonObject(secret)) {
      return url;
    }
    ObjectNode object = object(secret, where);
    object.put(key, url);
    return object.toString();
  }

  private static ObjectNode object(String secret, String where) {
    try {
      JsonNode node = JSON.readTree(secret);
      if (node instanceof ObjectNode) {
        return (ObjectNode) node;
      }
    } catch (JsonProcessingException e) {
      // Reported below without the parser's message: it quotes the secret.
    }
    throw new ConfigurationException(
        where + " starts like JSON but is not a JSON object; store a JSON object or a plain URL");
  }
}
