package io.dbrecover.engine.spi;

import io.dbrecover.engine.api.MigrationState;
import io.dbrecover.engine.api.MigrationState.Applied;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/** Reads the history tables of Prisma, Drizzle and Flyway behind {@link DatabaseInspector}. */
final class MigrationHistory {
  private static final String PRISMA =
      "select migration_name, started_at from _prisma_migrations"
          + " where finished_at is not null and rolled_back_at is null"
          + " order by started_at, migration_name";

  // Drizzle's created_at is the migration's journal timestamp ("when" it was generated), not the
  // time it was applied, so it orders the rows but is no start time.
  private static final String DRIZZLE =
      "select %s from drizzle.__drizzle_migrations order by created_at, id";

  // installed_on is a timestamp without time zone written with now() in the session time zone.
  // SCHEMA rows record Flyway creating a schema and DELETE rows mark removed entries: neither is
  // a migration.
  private static final String FLYWAY =
      "select version, description, script, type,"
          + " installed_on at time zone current_setting('TimeZone')"
          + " from flyway_schema_history where success and type not in ('SCHEMA', 'DELETE')"
          + " order by installed_rank";

  private MigrationHistory() {}

  static MigrationState read(Connection c) throws SQLException {
    if (exists(c, "_prisma_migrations")) {
      return prisma(c);
    }
    if (exists(c, "drizzle.__drizzle_migrations")) {
      return drizzle(c);
    }
    if (exists(c, "flyway_schema_history")) {
      return flyway(c);
    }
    return MigrationState.NONE;
  }

  private static boolean exists(Connection c, String table) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("select to_regclass(?) is not null")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  private static MigrationState prisma(Connection c) throws SQLException {
    List<Applied> applied = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(PRISMA)) {
      while (rs.next()) {
        applied.add(new Applied(rs.getString(1), instant(rs, 2)));
      }
    }
    return new MigrationState("prisma", applied);
  }

  private static MigrationState drizzle(Connection c) throws SQLException {
    // Later drizzle-kit versions add a name column; older ones record only the SQL file's hash.
    String nameColumn = hasColumn(c, "drizzle", "__drizzle_migrations", "name") ? "name" : "hash";
    List<Applied> applied = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(String.format(DRIZZLE, nameColumn))) {
      while (rs.next()) {
        applied.add(new Applied(rs.getString(1), null));
      }
    }
    return new MigrationState("drizzle", applied);
  }

  private static MigrationState flyway(Connection c) throws SQLException {
    List<Applied> applied = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(FLYWAY)) {
      while (rs.next()) {
        applied.add(
            new Applied(
                flywayName(rs.getString(1), rs.getString(2), rs.getString(3)), instant(rs, 5)));
      }
    }
    return new MigrationState("flyway", applied);
  }

  /** {@code V<version>__<description>} or {@code R__<description>}, as the script file is named. */
  static String flywayName(String version, String description, String script) {
    if (description == null || description.isBlank()) {
      return script;
    }
    String desc = description.trim().replace(' ', '_');
    return version == null ? "R__" + desc : "V" + version + "__" + desc;
  }

  private static boolean hasColumn(Connection c, String schema, String table, String column)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "select 1 from information_schema.columns"
                + " where table_schema = ? and table_name = ? and column_name = ?")) {
      ps.setString(1, schema);
      ps.setString(2, table);
      ps.setString(3, column);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }
}
