package io.dbrecover.engine.api;

import java.time.Instant;
import java.util.List;

/**
 * An environment at a glance: the live database, its migration state, backups and recent runs.
 *
 * @param environment the environment
 * @param liveUrl the live database, redacted
 * @param reachable whether the live database answered
 * @param migrations its migration state (NONE when unreachable)
 * @param backups recovery points, newest first
 * @param runs recent runs, newest first
 * @param historyWindow the times branch or point-in-time restore can reach (null: none offered)
 * @param notes what the provider says about methods it does not offer
 */
public record EnvironmentStatus(
    String environment,
    String liveUrl,
    boolean reachable,
    MigrationState migrations,
    List<RecoveryPoint> backups,
    List<RunSummary> runs,
    RestoreWindow historyWindow,
    java.util.Set<String> notes) {

  /**
   * One past or current run.
   *
   * @param target the moment the run recovers to (null when not time-based, e.g. a reset)
   */
  public record RunSummary(
      String runId,
      Instant createdAt,
      String method,
      Instant target,
      String state,
      String lastStep) {}
}
