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

  public Optional<String> labelOpt() {
    return Optional.ofNullable(label);
  }
}
