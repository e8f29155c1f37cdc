package io.dbrecover.forwardfix.testing;

import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.MigrationTool;
import io.dbrecover.engine.testing.TestPostgres;
import io.dbrecover.forwardfix.Migration;
import io.dbrecover.forwardfix.MigrationFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * Migrates a test database the way each tool does: runs the migration files in order and writes the
 * tool's history table with the DDL and rows the tool itself writes.
 */
public final class ToolHistory {
  private static final String PRISMA_TABLE =
      "CREATE TABLE \"_prisma_migrations\" (\n"
          + "    \"id\" VARCHAR(36) PRIMARY KEY NOT NULL,\n"
          + "    \"checksum\" VARCHAR(64) NOT NULL,\n"
          + "    \"finished_at\" TIMESTAMPTZ,\n"
          + "    \"migration_name\" VARCHAR(255) NOT NULL,\n"
          + "    \"logs\" TEXT,\n"
          + "    \"rolled_back_at\" TIMESTAMPTZ,\n"
          + "    \"started_at\" TIMESTAMPTZ NOT NULL DEFAULT now(),\n"
          + "    \"applied_steps_count\" INTEGER NOT NULL DEFAULT 0\n"
          + ")";
  private static final String DRIZZLE_TABLE =
      "CREATE SCHEMA IF NOT EXISTS \"drizzle\";"
          + "CREATE TABLE IF NOT EXISTS \"drizzle\".\"__drizzle_migrations\" ("
          + " id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)";
  private static final String FLYWAY_TABLE =
      "CREATE TABLE \"public\".\"flyway_schema_history\" (\n"
          + "    \"installed_rank\" INT NOT NULL,\n"
          + "    \"version\" VARCHAR(50),\n"
          + "    \"description\" VARCHAR(200) NOT NULL,\n"
          + "    \"type\" VARCHAR(20) NOT NULL,\n"
          + "    \"script\" VARCHAR(1000) NOT NULL,\n"
          + "    \"checksum\" INTEGER,\n"
          + "    \"installed_by\" VARCHAR(100) NOT NULL,\n"
          + "    \"installed_on\" TIMESTAMP NOT NULL DEFAULT now(),\n"
          + "    \"execution_time\" INTEGER NOT NULL,\n"
          + "    \"success\" BOOLEAN NOT NULL\n"
          + ");\n"
          + "ALTER TABLE \"public\".\"flyway_schema_history\" ADD CONSTRAINT"
          + " \"flyway_schema_history_pk\" PRIMARY KEY (\"installed_rank\");\n"
          + "CREATE INDEX \"flyway_schema_history_s_idx\" ON \"public\".\"flyway_schema_history\""
          + " (\"success\")";

  private ToolHistory() {}

  /** The test resource directory of a history, e.g. {@code prisma-blog}. */
  public static Path dir(String history) {
    try {
      return Path.of(ToolHistory.class.getResource("/histories/" + history).toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A new database with the first {@code count} migrations applied and recorded. */
  public static DbUrl migrated(MigrationTool tool, Path dir, int count) {
    DbUrl db = TestPostgres.createDatabase();
    migrate(db, tool, MigrationFiles.read(tool, dir).subList(0, count));
    return db;
  }

  /** Runs and records {@code migrations} on {@code db}. */
  public static void migrate(DbUrl db, MigrationTool tool, List<Migration> migrations) {
    try (Connection c = TestPostgres.connect(db)) {
      createTable(c, tool);
      for (Migration m : migrations) {
        try (Statement st = c.createStatement()) {
          st.execute(m.sql());
        }
        record(c, tool, m, true);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("migrating failed: " + e.getMessage(), e);
    }
  }

  /** Creates the tool's history table if it is missing. */
  public static void createTable(Connection c, MigrationTool tool) throws SQLException {
    String ddl =
        tool == MigrationTool.PRISMA
            ? PRISMA_TABLE
            : tool == MigrationTool.DRIZZLE
                ? DRIZZLE_TABLE
                : tool == MigrationTool.FLYWAY ? FLYWAY_TABLE : null;
    if (ddl == null) {
      return;
    }
    try (Statement st = c.createStatement()) {
      st.execute(
          "select to_regclass('"
              + (tool == MigrationTool.DRIZZLE ? "drizzle.__drizzle_migrations" : tool.table())
              + "') is null");
      var rs = st.getResultSet();
      rs.next();
      if (rs.getBoolean(1)) {
        st.execute(ddl);
      }
    }
  }

  /** Writes the history row the tool writes for {@code m}; {@code finished} false: it failed. */
  public static void record(Connection c, MigrationTool tool, Migration m, boolean finished)
      throws SQLException {
    switch (tool) {
      case PRISMA:
        try (PreparedStatement ps =
            c.prepareStatement(
                "insert into _prisma_migrations (id, checksum, finished_at, migration_name, logs,"
                    + " started_at, applied_steps_count) values (?, ?, "
                    + (finished ? "clock_timestamp()" : "null")
                    + ", ?, ?, clock_timestamp(), ?)")) {
          ps.setString(1, UUID.randomUUID().toString());
          ps.setString(2, sha256(m.sql()));
          ps.setString(3, m.name());
          ps.setString(4, finished ? null : "Database error code: 42P07");
          ps.setInt(5, finished ? 1 : 0);
          ps.executeUpdate();
        }
        break;
      case DRIZZLE:
        try (PreparedStatement ps =
            c.prepareStatement(
                "insert into drizzle.__drizzle_migrations (hash, created_at) values (?, ?)")) {
          ps.setString(1, sha256(m.sql()));
          ps.setLong(2, m.journalWhen());
          ps.executeUpdate();
        }
        break;
      case FLYWAY:
        String version = m.name().substring(1, m.name().indexOf("__"));
        try (PreparedStatement ps =
            c.prepareStatement(
                "insert into flyway_schema_history (installed_rank, version, description, type,"
                    + " script, checksum, installed_by, execution_time, success)"
                    + " select coalesce(max(installed_rank), 0) + 1, ?, ?, 'SQL', ?, 0,"
                    + " current_user, 5, ? from flyway_schema_history")) {
          ps.setString(1, version);
          ps.setString(2, m.name().substring(m.name().indexOf("__") + 2).replace('_', ' '));
          ps.setString(3, m.file().getFileName().toString());
          ps.setBoolean(4, finished);
          ps.executeUpdate();
        }
        break;
      default:
        break;
    }
  }

  static String sha256(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
