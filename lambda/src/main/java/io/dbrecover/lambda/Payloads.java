package io.dbrecover.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** Reading handler input and writing handler output as JSON. */
final class Payloads {
  static final ObjectMapper JSON = new ObjectMapper();

  private Payloads() {}

  static ObjectNode object() {
    return JSON.createObjectNode();
  }

  /** The input as a JSON object whose keys are all in {@code known}, or a rejection. */
  static JsonNode objectWithKeys(byte[] raw, String entry, Set<String> known) {
    JsonNode root;
    try {
      root = JSON.readTree(raw);
    } catch (IOException e) {
      throw new RejectedEventException(
          "the " + entry + " input is not JSON (" + e.getClass().getSimpleName() + ")");
    }
    if (root == null || !root.isObject()) {
      throw new RejectedEventException("the " + entry + " input must be a JSON object");
    }
    List<String> unknown = new ArrayList<>();
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!known.contains(k)) {
        unknown.add(k);
      }
    }
    if (!unknown.isEmpty()) {
      throw new RejectedEventException(
          "the "
              + entry
              + " input has unknown keys "
              + unknown
              + "; known keys: "
              + String.join(", ", new java.util.TreeSet<>(known)));
    }
    return root;
  }

  static String required(JsonNode root, String key, String entry) {
    JsonNode v = root.get(key);
    if (v == null || !v.isTextual() || v.asText().isBlank()) {
      throw new RejectedEventException("the " + entry + " input needs \"" + key + "\" (a string)");
    }
    return v.asText();
  }

  static String optional(JsonNode root, String key) {
    JsonNode v = root.get(key);
    return v == null || v.isNull() || v.asText().isBlank() ? null : v.asText();
  }

  /** The error part of a response: code, exit code, message (redacted). */
  static ObjectNode error(DbRecoverException e) {
    ObjectNode n = object();
    n.put("code", e.code().name());
    n.put("exitCode", e.code().exitCode());
    n.put("message", DbUrl.redact(e.getMessage()));
    return n;
  }

  static void write(OutputStream out, JsonNode value) {
    try {
      out.write(JSON.writeValueAsBytes(value));
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
