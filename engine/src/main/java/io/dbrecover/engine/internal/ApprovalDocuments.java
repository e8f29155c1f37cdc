package io.dbrecover.engine.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dbrecover.engine.api.ApprovalRequest;
import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.ProtectionLevel;
import io.dbrecover.engine.api.Secret;
import io.dbrecover.engine.spi.StateStore;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Approval requests and their answers as state-store documents: the request under kind {@code
 * approvals} (replaced when the state machine asks again with a new token), the answer under kind
 * {@code approval-answers}, written only if absent, so of two approvers exactly one answers.
 */
public final class ApprovalDocuments {
  static final String REQUESTS = "approvals";
  static final String ANSWERS = "approval-answers";

  private final StateStore store;

  public ApprovalDocuments(StateStore store) {
    this.store = store;
  }

  public void put(ApprovalRequest r) {
    requireRunId(r.runId());
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("runId", r.runId());
    n.put("environment", r.environment());
    n.put("protection", r.protection().name().toLowerCase(Locale.ROOT));
    n.put("execution", r.execution());
    n.put("executionArn", r.executionArn());
    n.put("method", r.method());
    n.put("recoveryPoint", r.recoveryPoint());
    n.put("summary", r.summary());
    n.put("requestedAt", r.requestedAt().toString());
    n.put("expiresAt", r.expiresAt().toString());
    n.put("taskToken", r.taskToken().reveal());
    store.putDocument(REQUESTS, r.runId(), write(n), false);
  }

  public Optional<ApprovalRequest> find(String runId) {
    requireRunId(runId);
    Optional<String> doc = store.document(REQUESTS, runId);
    if (doc.isEmpty()) {
      return Optional.empty();
    }
    JsonNode n = read(doc.get());
    ApprovalRequest.Answer answer =
        store.document(ANSWERS, runId).map(a -> answer(read(a))).orElse(null);
    return Optional.of(
        new ApprovalRequest(
            n.get("runId").asText(),
            n.get("environment").asText(),
            ProtectionLevel.valueOf(n.get("protection").asText().toUpperCase(Locale.ROOT)),
            text(n, "execution"),
            text(n, "executionArn"),
            text(n, "method"),
            text(n, "recoveryPoint"),
            text(n, "summary"),
            Instant.parse(n.get("requestedAt").asText()),
            Instant.parse(n.get("expiresAt").asText()),
            Secret.of(n.get("taskToken").asText()),
            answer));
  }

  /** Every request, newest first. */
  public List<ApprovalRequest> all() {
    List<ApprovalRequest> out = new ArrayList<>();
    for (String id : store.documentIds(REQUESTS)) {
      if (RunIds.isRunId(id)) {
        find(id).ifPresent(out::add);
      }
    }
    out.sort(Comparator.comparing(ApprovalRequest::requestedAt).reversed());
    return out;
  }

  /** Records the answer; false when the request was answered already (that answer stands). */
  public boolean answer(String runId, ApprovalRequest.Answer a) {
    requireRunId(runId);
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("outcome", a.outcome().name().toLowerCase(Locale.ROOT));
    n.put("by", a.by());
    n.put("reason", a.reason());
    n.put("at", a.at().toString());
    return store.putDocument(ANSWERS, runId, write(n), true);
  }

  private static ApprovalRequest.Answer answer(JsonNode n) {
    return new ApprovalRequest.Answer(
        ApprovalRequest.Outcome.valueOf(n.get("outcome").asText().toUpperCase(Locale.ROOT)),
        text(n, "by"),
        text(n, "reason"),
        Instant.parse(n.get("at").asText()));
  }

  private static void requireRunId(String runId) {
    if (!RunIds.isRunId(runId)) {
      throw new ConfigurationException(
          "'" + runId + "' is not a run id (run-YYYYMMDD-HHMMSS-xxxx)");
    }
  }

  private static String text(JsonNode n, String key) {
    JsonNode v = n.get(key);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static String write(ObjectNode n) {
    try {
      return Json.mapper().writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode read(String json) {
    try {
      return Json.mapper().readTree(json);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
