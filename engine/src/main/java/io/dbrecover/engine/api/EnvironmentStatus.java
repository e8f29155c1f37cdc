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
 */
public record EnvironmentStatus(
    String environment,
    String liveUrl,
    boolean reachable,
    MigrationState migrations,
    List<RecoveryPoint> backups,
    List<RunSummary> runs) {

  /** One past or current run. */
  public record RunSummary(
      String runId, Instant createdAt, String method, String state, String lastStep) {}
}
