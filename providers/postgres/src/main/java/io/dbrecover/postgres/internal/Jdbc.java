package io.dbrecover.postgres.internal;

import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.spi.DatabaseInspector;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/** Small JDBC helpers for administrative statements (create / drop / comment on database). */
public final class Jdbc {
  private Jdbc() {}

  /** Connects (via {@link DatabaseInspector#connect}); failures are configuration errors. */
  public static Connection connect(DbUrl url) {
    return DatabaseInspector.connect(url);
  }

  /** An exception's message with the URL's password, if any, removed. */
  public static String safe(Exception e, DbUrl url) {
    return url.scrub(String.valueOf(e.getMessage()));
  }

  /** Quotes an identifier. */
  public static String ident(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  /** Quotes a string literal. */
  public static String literal(String value) {
    return "'" + value.replace("'", "''") + "'";
  }

  public static boolean databaseExists(Connection c, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("select 1 from pg_database where datname = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** The comment on a database, empty when it has none or does not exist. */
  public static Optional<String> databaseComment(Connection c, String name) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "select shobj_description(oid, 'pg_database') from pg_database where datname = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
      }
    }
  }

  public static void execute(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  /** Creates the database unless it exists (a concurrent creator is fine). */
  public static void createDatabaseIfMissing(Connection c, String name) throws SQLException {
    if (databaseExists(c, name)) {
      return;
    }
    try {
      execute(c, "create database " + ident(name));
    } catch (SQLException e) {
      if (!"42P04".equals(e.getSQLState())) {
        throw e;
      }
    }
  }

  /** Disconnects every other session and drops the database if it exists. */
  public static void dropDatabase(Connection c, String name) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "select pg_terminate_backend(pid) from pg_stat_activity"
                + " where datname = ? and pid <> pg_backend_pid()")) {
      ps.setString(1, name);
      ps.execute();
    }
    // WITH (FORCE) (13+) also waits out sessions that were still exiting.
    boolean force = c.getMetaData().getDatabaseMajorVersion() >= 13;
    execute(c, "drop database if exists " + ident(name) + (force ? " with (force)" : ""));
  }
}
