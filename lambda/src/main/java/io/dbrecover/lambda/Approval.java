package io.dbrecover.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbrecover.engine.api.ApprovalRequest;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.ProtectionLevel;

/**
 * A person's answer to an approval request, as the state machine passes it back: the task output
 * {@code dbrecover approve} sends with SendTaskSuccess (or {@code aws stepfunctions
 * send-task-success} by hand), e.g. {@code {"approved": true, "by": "alice"}}; for a {@code strict}
 * environment also {@code "phrase": "rollback-<env>"}.
 *
 * @param approved whether the recovery may go on
 * @param by who answered (logged), or null
 * @param phrase the typed phrase, or null
 */
record Approval(boolean approved, String by, String phrase) {

  /** Reads the answer; a missing or non-boolean {@code approved} is rejected. */
  static Approval read(JsonNode node) {
    if (node == null || !node.isObject() || !node.path("approved").isBoolean()) {
      throw new RejectedEventException(
          "the approval must be a JSON object with \"approved\": true or false (the --task-output of"
              + " aws stepfunctions send-task-success)");
    }
    return new Approval(
        node.get("approved").asBoolean(),
        node.hasNonNull("by") ? node.get("by").asText() : null,
        node.hasNonNull("phrase") ? node.get("phrase").asText() : null);
  }

  /** Throws unless this answer lets a recovery of {@code environment} go on. */
  void check(ProtectionLevel level, String environment) {
    if (!approved) {
      throw new DbRecoverException(
          ErrorCode.CANCELLED,
          "the recovery of "
              + environment
              + " was not approved"
              + (by == null ? "" : " by " + by)
              + "; nothing was changed");
    }
    if (level == ProtectionLevel.STRICT && !ApprovalRequest.phrase(environment).equals(phrase)) {
      throw new DbRecoverException(
          ErrorCode.CANCELLED,
          "environment '"
              + environment
              + "' is strict: the approval must carry \"phrase\": \""
              + ApprovalRequest.phrase(environment)
              + "\"; nothing was changed");
    }
  }
}
