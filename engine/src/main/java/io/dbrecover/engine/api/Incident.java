package io.dbrecover.engine.api;

import java.time.Instant;
import java.util.Objects;

/**
 * What went wrong, as the operator (or an alarm) describes it.
 *
 * @param kind what is damaged
 * @param damageStartedAt when the damage began; recovery targets just before it (null: now)
 * @param toMigration restore to the state where this migration is the last applied (null: none)
 * @param backupId the operator pinned this recovery point (null: let the tree choose)
 * @param reverseMigrationLossless for schema incidents: whether a generated reverse migration would
 *     lose data (null when no forward-fix analysis was made)
 */
public record Incident(
    Kind kind,
    Instant damageStartedAt,
    String toMigration,
    String backupId,
    Boolean reverseMigrationLossless) {

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
  }

  public static Incident data(Instant at) {
    return new Incident(Kind.DATA, at, null, null, null);
  }
}
