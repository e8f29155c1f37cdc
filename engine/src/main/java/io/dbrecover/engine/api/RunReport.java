package io.dbrecover.engine.api;

import java.time.Instant;
import java.util.List;

/**
 * What a run did, for the operator and for the record: written as Markdown and JSON beside the
 * journal when a run ends, successfully or not.
 *
 * @param runId the run
 * @param environment the environment
 * @param status DONE, FAILED or CANCELLED; INCOMPLETE when rebuilt from the journal of a run that
 *     has not ended (still running, or stopped before its report: resume it)
 * @param errorCode when not DONE: the error code name
 * @param errorMessage when not DONE: what went wrong and what to do next
 * @param decision what was decided and why
 * @param removedMigrations migrations the recovered database no longer has
 * @param steps each step with its duration
 * @param verifications the verification tables (restored, then live)
 * @param dataLoss the data-loss table
 * @param original where the original database is (redacted)
 * @param safetyCopy where the safety copy is
 * @param recovered where the recovered database is (redacted)
 * @param recoveredNote what the provider said about the recovered database (null: nothing)
 * @param urlTarget where DATABASE_URL was changed, if it was
 * @param swapBack the command that undoes the swap, if any
 */
public record RunReport(
    String runId,
    String environment,
    String status,
    String errorCode,
    String errorMessage,
    Decision decision,
    List<String> removedMigrations,
    List<StepTiming> steps,
    List<Verification> verifications,
    DataLossReport dataLoss,
    String original,
    String safetyCopy,
    String recovered,
    String recoveredNote,
    String urlTarget,
    String swapBack) {

  /** One step's outcome and duration. */
  public record StepTiming(
      String step, String status, Instant startedAt, Instant endedAt, long millis) {}
}
