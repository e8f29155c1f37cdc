package io.dbrecover.engine.api;

/** A way to recover, in the order the decision tree prefers them. */
public enum Method {
  /** No database action: roll back the application deployment and keep the database. */
  APP_ROLLBACK("no database action (roll back the app)"),
  /** Recreate the database and re-run migrations; only where the environment allows it. */
  RESET("reset and re-run migrations"),
  /** A generated reverse migration that keeps every row written since. */
  FORWARD_FIX("forward-fix migration"),
  /** Provider branch at a point in time (Neon). */
  BRANCH_RESTORE("branch restore"),
  /** Provider or WAL point-in-time restore. */
  POINT_IN_TIME("point-in-time restore"),
  /** Restore of a provider snapshot. */
  SNAPSHOT_RESTORE("snapshot restore"),
  /** pg_restore of a logical pg_dump backup. */
  DUMP_RESTORE("pg_dump restore");

  private final String label;

  Method(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  /** The config spelling: lower case with dashes, e.g. {@code dump-restore}. */
  public String configName() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
