package io.dbrecover.engine.api;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Something a database can be recovered to: a backup, a snapshot, or a moment inside a provider's
 * history window. Backups carry what was recorded when they were taken.
 */
public record RecoveryPoint(
    String id,
    Kind kind,
    Instant takenAt,
    String label,
    boolean safety,
    long sizeBytes,
    MigrationState migrationState,
    Map<String, Long> rowCounts,
    String schemaFingerprint,
    String location) {

  /** What kind of recovery point this is; decides which method restores it. */
  public enum Kind {
    LOGICAL_BACKUP(Method.DUMP_RESTORE),
    /**
     * A physical base backup (pg_basebackup) of a cluster with WAL archiving; restoring it means
     * replaying archived WAL from it to a target, so it is restored by point-in-time recovery.
     */
    BASE_BACKUP(Method.POINT_IN_TIME),
    SNAPSHOT(Method.SNAPSHOT_RESTORE),
    POINT_IN_TIME(Method.POINT_IN_TIME),
    BRANCH_POINT(Method.BRANCH_RESTORE);

    private final Method method;

    Kind(Method method) {
      this.method = method;
    }

    public Method method() {
      return method;
    }
  }

  private static final String LSN_PREFIX = "lsn:";

  public RecoveryPoint {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(takenAt, "takenAt");
    migrationState = migrationState == null ? MigrationState.NONE : migrationState;
    rowCounts = rowCounts == null ? Map.of() : Map.copyOf(rowCounts);
  }

  /** A moment inside a provider's history window (point-in-time or branch restore). */
  public static RecoveryPoint at(Instant when, Kind kind) {
    return new RecoveryPoint(
        kind.name().toLowerCase(java.util.Locale.ROOT) + "@" + when,
        kind,
        when,
        null,
        false,
        0,
        null,
        null,
        null,
        null);
  }

  /**
   * A point-in-time target given as a WAL position (PostgreSQL LSN such as {@code 0/16B3748})
   * rather than a time. {@code resolvedAt} is when the operator asked; it orders the point among
   * others and is not the time the LSN was written.
   */
  public static RecoveryPoint atLsn(String lsn, Instant resolvedAt) {
    Objects.requireNonNull(lsn, "lsn");
    return new RecoveryPoint(
        "point_in_time@lsn:" + lsn,
        Kind.POINT_IN_TIME,
        resolvedAt,
        null,
        false,
        0,
        null,
        null,
        null,
        LSN_PREFIX + lsn);
  }

  /** For a point-in-time target given as an LSN ({@link #atLsn}): the LSN. */
  public Optional<String> targetLsn() {
    return kind == Kind.POINT_IN_TIME && location != null && location.startsWith(LSN_PREFIX)
        ? Optional.of(location.substring(LSN_PREFIX.length()))
        : Optional.empty();
  }

  public Optional<String> labelOpt() {
    return Optional.ofNullable(label);
  }
}
