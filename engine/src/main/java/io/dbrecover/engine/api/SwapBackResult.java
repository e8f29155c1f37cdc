package io.dbrecover.engine.api;

/**
 * The result of undoing a run's swap.
 *
 * @param runId the run
 * @param target where DATABASE_URL was put back
 * @param url the URL now in place, redacted
 * @param verification verification of the database it points to
 */
public record SwapBackResult(String runId, String target, String url, Verification verification) {}
