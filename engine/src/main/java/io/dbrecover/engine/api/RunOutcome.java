package io.dbrecover.engine.api;

import java.nio.file.Path;
import java.time.Instant;

/**
 * Where a run stands after {@code advance}: finished, waiting for the provider until a time, or
 * failed with the error code the process should exit with.
 *
 * @param runId the run
 * @param state finished, waiting or failed
 * @param waitUntil when waiting: when to advance again
 * @param report when finished or failed: the Markdown report
 * @param error when failed: what went wrong
 */
public record RunOutcome(
    String runId, State state, Instant waitUntil, Path report, DbRecoverException error) {
  /** Where the run stands. */
  public enum State {
    DONE,
    WAITING,
    FAILED
  }
}
