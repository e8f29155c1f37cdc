package io.dbrecover.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dbrecover.engine.api.Incident;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Set;

/**
 * The step entry's input. {@code start}: the execution's input, written by the alarm entry (or by
 * hand, to start a recovery from the console). {@code advance}: a run id, from the start step.
 * {@code await-approval}: the announced run id, the execution, the waiting task's token and the
 * start step's approval summary.
 */
final class StepInput {
  static final String START = "start";
  static final String ADVANCE = "advance";
  static final String AWAIT_APPROVAL = "await-approval";
  static final Set<String> KEYS =
      Set.of(
          "action",
          "execution",
          "environment",
          "kind",
          "suspectedStart",
          "alarm",
          "stateChangeTime",
          "runId",
          // Added to the execution's state by the state machine: the start step's earlier answer
          // (ignored) and a person's approval.
          "run",
          "approval",
          // await-approval: the task token of the waiting state and what the approvers are shown.
          "executionArn",
          "taskToken",
          "protection",
          "method",
          "recoveryPoint",
          "summary");

  private StepInput() {}

  /** The execution input for an incident: the state machine passes it to the start step. */
  static ObjectNode start(IncidentRequest r) {
    ObjectNode n = Payloads.object();
    n.put("action", START);
    n.put("execution", r.execution());
    n.put("environment", r.environment());
    n.put("kind", r.kind().name().toLowerCase(Locale.ROOT));
    n.put("suspectedStart", r.suspectedStart().toString());
    if (r.alarm() != null) {
      n.put("alarm", r.alarm());
    }
    if (r.stateChangeTime() != null) {
      n.put("stateChangeTime", r.stateChangeTime().toString());
    }
    return n;
  }

  /** Reads a start input back. */
  static IncidentRequest incident(JsonNode n) {
    String entry = "step";
    String kindText = Payloads.required(n, "kind", entry);
    Incident.Kind kind;
    try {
      kind = Incident.Kind.valueOf(kindText.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new RejectedEventException("kind '" + kindText + "' is not one of data, schema, app");
    }
    String execution = Payloads.required(n, "execution", entry);
    if (!execution.matches("[A-Za-z0-9_-]{1,80}")) {
      throw new RejectedEventException(
          "execution '" + execution + "' is not a Step Functions execution name");
    }
    String stateChange = Payloads.optional(n, "stateChangeTime");
    return new IncidentRequest(
        execution,
        Payloads.required(n, "environment", entry),
        kind,
        instant(Payloads.required(n, "suspectedStart", entry), "suspectedStart"),
        Payloads.optional(n, "alarm"),
        stateChange == null ? null : instant(stateChange, "stateChangeTime"));
  }

  private static Instant instant(String text, String key) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new RejectedEventException(
          key + " '" + text + "' is not an ISO-8601 instant such as 2025-06-10T14:03:00Z");
    }
  }
}
