package io.dbrecover.forwardfix.internal;

import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.MigrationTool;
import io.dbrecover.forwardfix.Migration;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Which of the migration files the live database has applied, read from the tool's history table,
 * and the migration that failed half-way (Prisma: a row neither finished nor rolled back).
 *
 * @param applied the applied migrations, in file order, oldest first
 * @param failed the failed migration, or null
 */
public record AppliedHistory(List<Migration> applied, Migration failed) {

  /**
   * Reads the history of {@code tool} and matches it to {@code files}. Plain SQL has no history
   * table: every file counts as applied.
   *
   * @throws ConfigurationException when the table is missing or names a migration with no file
   */
  public static AppliedHistory read(Connection c, MigrationTool tool, List<Migration> files)
      throws SQLException {
    if (tool == MigrationTool.SQL) {
      return new AppliedHistory(files, null);
    }
    if (!exists(c, tool.table())) {
      throw new ConfigurationException(
          "the database has no "
              + tool.table()
              + " table, so it has no "
              + tool.name().toLowerCase(java.util.Locale.ROOT)
              + " history; check migrations.tool of the environment in dbrecover.yaml");
    }
    List<String> keys = new ArrayList<>();
    String failedName = null;
    switch (tool) {
      case PRISMA:
        query(
            c,
            "select migration_name from _prisma_migrations where finished_at is not null"
                + " and rolled_back_at is null order by started_at, migration_name",
            keys);
        List<String> failed = new ArrayList<>();
        query(
            c,
            "select migration_name from _prisma_migrations where finished_at is null"
                + " and rolled_back_at is null order by started_at desc",
            failed);
        failedName = failed.isEmpty() ? null : failed.get(0);
        break;
      case DRIZZLE:
        query(c, "select hash from drizzle.__drizzle_migrations order by created_at, id", keys);
        break;
      default:
        query(
            c,
            "select 'V' || version || '__' || replace(description, ' ', '_')"
                + " from flyway_schema_history where success and version is not null"
                + " order by installed_rank",
            keys);
    }
    List<Migration> applied = new ArrayList<>();
    for (String key : keys) {
      Migration m = find(tool, files, key);
      if (m == null) {
        throw new ConfigurationException(
            "the database has applied migration "
                + key
                + " but the migrations directory has no file for it; check out the commit that"
                + " was deployed (the directory must hold every applied migration)");
      }
      applied.add(m);
    }
    // In file order; files between them may be unapplied (Prisma: rolled back by a forward-fix).
    int last = -1;
    for (Migration m : applied) {
      int at = files.indexOf(m);
      if (at < last) {
        throw new ConfigurationException(
            "the database applied "
                + m.name()
                + " after "
                + files.get(last).name()
                + ", but the migrations directory orders it before; the directory does not match"
                + " the deployed history");
      }
      last = at;
    }
    Migration failed = failedName == null ? null : find(tool, files, failedName);
    if (failedName != null && failed == null) {
      throw new ConfigurationException(
          "migration "
              + failedName
              + " failed half-way but the migrations directory has no file for it; check out the"
              + " commit that was deployed");
    }
    return new AppliedHistory(applied, failed);
  }

  private static Migration find(MigrationTool tool, List<Migration> files, String key) {
    for (Migration m : files) {
      boolean match =
          tool == MigrationTool.DRIZZLE ? sha256(m.sql()).equals(key) : m.name().equals(key);
      if (match) {
        return m;
      }
    }
    return null;
  }

  /** SHA-256 of the text as lower-case hex: Prisma's and Drizzle's migration checksum. */
  public static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
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

  private static void query(Connection c, String sql, List<String> out) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
  }
}
