package io.dbrecover.engine.api;

import java.time.Instant;
import java.util.Objects;

/**
 * What went wrong, as the operator (or an alarm) describes it.
 *
 * @param kind what is damaged
 * @param damageStartedAt when the damage began; recovery targets just before it (null: now)
 * @param toMigration restore to the state where this migration is the last applied; with
 *     point-in-time restore, to just before this migration started (null: none)
 * @param backupId the operator pinned this recovery point (null: let the tree choose)
 * @param reverseMigrationLossless for schema incidents: whether a generated reverse migration would
 *     lose data (null when no forward-fix analysis was made)
 * @param targetAt the operator asked for the database as it was at exactly this moment ({@code
 *     --at}); it must be before {@code damageStartedAt} when both are given (null: none)
 * @param targetLsn the operator asked for the database as it was at this WAL position ({@code --at
 *     lsn:...}); point-in-time restore only (null: none)
 */
public record Incident(
    Kind kind,
    Instant damageStartedAt,
    String toMigration,
    String backupId,
    Boolean reverseMigrationLossless,
    Instant targetAt,
    String targetLsn) {

  /** What is damaged. */
  public enum Kind {
    /** The application is broken; schema and data are fine. */
    APP,
    /** A migration broke the schema; data is fine. */
    SCHEMA,
    /** Data was corrupted or deleted. */
    DATA
  }

  public Incident {
    Objects.requireNonNull(kind, "kind");
    if (targetLsn != null && targetAt == null) {
      throw new IllegalArgumentException("an LSN target needs the time it was resolved at");
    }
  }

  /** An incident without an explicit {@code --at} target. */
  public Incident(
      Kind kind,
      Instant damageStartedAt,
      String toMigration,
      String backupId,
      Boolean reverseMigrationLossless) {
    this(kind, damageStartedAt, toMigration, backupId, reverseMigrationLossless, null, null);
  }

  public static Incident data(Instant at) {
    return new Incident(Kind.DATA, at, null, null, null);
  }

  /** A data incident whose recovery target the operator gave ({@code --at}). */
  public static Incident dataAt(RecoveryTarget target, Instant damageStartedAt) {
    return new Incident(Kind.DATA, damageStartedAt, null, null, null, target.at(), target.lsn());
  }

  /** Whether the operator gave the exact target ({@code --at}). */
  public boolean explicitTarget() {
    return targetAt != null;
  }
}
