package io.dbrecover.engine.api;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Continuous WAL archiving of a self-managed cluster, as {@code pitr status} shows it: the server
 * settings, what {@code pg_stat_archiver} and the archive directory say, and the resulting window.
 *
 * @param walLevel the server's {@code wal_level}
 * @param archiveMode the server's {@code archive_mode}
 * @param archiveCommand the server's {@code archive_command} (never contains a secret)
 * @param archiveDir the WAL archive directory dbrecover uses for this environment
 * @param archivedCount {@code pg_stat_archiver.archived_count}
 * @param lastArchivedWal the newest archived segment (null: none yet)
 * @param lastArchivedAt when it was archived (null: none yet)
 * @param failedCount {@code pg_stat_archiver.failed_count}
 * @param lastFailedWal the segment of the newest failure (null: none)
 * @param lastFailedAt when it failed (null: none)
 * @param baseBackups how many base backups the store holds for this environment
 * @param window the times a point-in-time restore can reach (null: none yet)
 * @param problems what keeps point-in-time recovery from working, each with the next step; empty
 *     when healthy
 * @param missingSegments WAL segments missing from the archive after the oldest base backup (one of
 *     the problems): a restore to a time before the first of them still works, one to a later time
 *     fails
 * @param pendingRestart settings were changed that take effect only after a server restart
 */
public record ArchivingStatus(
    String walLevel,
    String archiveMode,
    String archiveCommand,
    String archiveDir,
    long archivedCount,
    String lastArchivedWal,
    Instant lastArchivedAt,
    long failedCount,
    String lastFailedWal,
    Instant lastFailedAt,
    int baseBackups,
    RestoreWindow window,
    List<String> problems,
    List<String> missingSegments,
    boolean pendingRestart) {
  public ArchivingStatus {
    Objects.requireNonNull(problems, "problems");
    problems = List.copyOf(problems);
    missingSegments = List.copyOf(missingSegments);
  }

  /** Archiving works and a window exists: point-in-time restore can be offered. */
  public boolean healthy() {
    return problems.isEmpty() && window != null;
  }

  /**
   * Archiving works and a window exists, but the archive has a gap: the only problem is {@link
   * #missingSegments}. A restore to a time before the gap works; one past it fails.
   */
  public boolean onlyGaps() {
    return !missingSegments.isEmpty() && problems.size() == 1 && window != null && !pendingRestart;
  }

  public Optional<RestoreWindow> windowOpt() {
    return Optional.ofNullable(window);
  }
}
