package io.dbrecover.engine.api;

import java.time.Instant;
import java.util.Objects;

/**
 * A recovery waiting for a person: what the Lambda's state machine asked, with the task token that
 * answers it, and the answer once given. Kept in the state store beside the run journals, under the
 * run id the recovery will start with; read by {@code dbrecover approve <run-id>}.
 *
 * @param runId the run the recovery starts once approved (announced with the request)
 * @param environment the environment to recover
 * @param protection {@code confirm} or {@code strict}
 * @param execution the state machine execution's name
 * @param executionArn the execution's ARN (names the region and the account)
 * @param method the chosen recovery method's label
 * @param recoveryPoint the recovery point, as the plan describes it
 * @param summary the plan and data-loss estimate sent to the approvers (no secrets)
 * @param requestedAt when the request was recorded
 * @param expiresAt when the state machine stops waiting
 * @param taskToken answers the waiting task; never printed
 * @param answer the answer, or null while none was given
 */
public record ApprovalRequest(
    String runId,
    String environment,
    ProtectionLevel protection,
    String execution,
    String executionArn,
    String method,
    String recoveryPoint,
    String summary,
    Instant requestedAt,
    Instant expiresAt,
    Secret taskToken,
    Answer answer) {

  public ApprovalRequest {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(environment, "environment");
    Objects.requireNonNull(protection, "protection");
    Objects.requireNonNull(requestedAt, "requestedAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(taskToken, "taskToken");
  }

  /** The phrase a {@code strict} environment's approval must carry: {@code rollback-<env>}. */
  public static String phrase(String environment) {
    return "rollback-" + environment;
  }

  /** Whether the request still waits for an answer at {@code now}. */
  public boolean pending(Instant now) {
    return answer == null && now.isBefore(expiresAt);
  }

  /** This request with {@code answer}. */
  public ApprovalRequest withAnswer(Answer answer) {
    return new ApprovalRequest(
        runId,
        environment,
        protection,
        execution,
        executionArn,
        method,
        recoveryPoint,
        summary,
        requestedAt,
        expiresAt,
        taskToken,
        answer);
  }

  /** What became of a request. */
  public enum Outcome {
    /** Approved: the recovery starts. */
    APPROVED,
    /** Denied: nothing is started. */
    DENIED,
    /** The state machine no longer waited when the answer was sent (timed out or answered). */
    EXPIRED
  }

  /**
   * An answer.
   *
   * @param outcome approved, denied, or found expired
   * @param by who answered, or null
   * @param reason why (denials), or null
   * @param at when
   */
  public record Answer(Outcome outcome, String by, String reason, Instant at) {
    public Answer {
      Objects.requireNonNull(outcome, "outcome");
      Objects.requireNonNull(at, "at");
    }
  }
}
