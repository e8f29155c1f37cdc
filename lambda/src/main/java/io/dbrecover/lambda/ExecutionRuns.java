package io.dbrecover.lambda;

import java.time.Instant;
import java.util.Optional;

/**
 * Which recovery run an execution of the state machine started, so that a retried start step finds
 * its run instead of starting a second one. Kept where the engine keeps journals and locks: {@link
 * DynamoDbExecutionRuns} with {@code state-store: dynamodb}, {@link FileExecutionRuns} otherwise
 * (see {@link ExecutionRunsModule}).
 */
public interface ExecutionRuns {

  /**
   * What is recorded for an execution.
   *
   * @param reservedAt when the start step first claimed the execution
   * @param runId the run it started (null: claimed, but the run id was not recorded)
   */
  record Entry(Instant reservedAt, String runId) {}

  /** The execution's entry, if a start step ever claimed it. */
  Optional<Entry> find(String execution);

  /** Claims the execution before its run is started; a no-op if it is claimed already. */
  void reserve(String execution, Instant at);

  /** Records the run the execution started. */
  void record(String execution, String runId);
}
