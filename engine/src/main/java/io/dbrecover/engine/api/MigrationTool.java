package io.dbrecover.engine.api;

/** Migration tools whose history table dbrecover reads. */
public enum MigrationTool {
  PRISMA("_prisma_migrations"),
  DRIZZLE("drizzle.__drizzle_migrations"),
  FLYWAY("flyway_schema_history"),
  SQL(null);

  private final String table;

  MigrationTool(String table) {
    this.table = table;
  }

  /** The history table, schema-qualified where the tool uses its own schema; null for plain SQL. */
  public String table() {
    return table;
  }
}
