package io.dbrecover.engine.spi;

import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.MigrationState;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Reads what dbrecover records about a database over JDBC: server version, exact row counts, a
 * schema fingerprint and the migration state. Used for backup metadata, verification and reports.
 * Read-only; never changes the database. Needs PostgreSQL 11 or newer.
 *
 * <p>Every method except {@link #connect} throws a {@link DbRecoverException} with {@link
 * ErrorCode#CONFIGURATION} when the catalog or a table cannot be read (usually missing privileges).
 */
public final class DatabaseInspector {
  /** Seconds to wait for a TCP connection unless the URL sets {@code connectTimeout}. */
  static final int DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;

  private DatabaseInspector() {}

  /**
   * Opens a connection; failures are a {@link ConfigurationException} naming the redacted URL and
   * what to check. The caller closes the connection.
   */
  public static Connection connect(DbUrl url) {
    Properties props = new Properties();
    url.user().ifPresent(u -> props.setProperty("user", u));
    url.password().ifPresent(p -> props.setProperty("password", p.reveal()));
    if (!url.params().containsKey("connectTimeout")) {
      props.setProperty("connectTimeout", String.valueOf(DEFAULT_CONNECT_TIMEOUT_SECONDS));
    }
    if (!url.params().containsKey("ApplicationName")) {
      props.setProperty("ApplicationName", "dbrecover");
    }
    try {
      Connection c = new org.postgresql.Driver().connect(url.jdbcUrl(), props);
      if (c == null) {
        throw new ConfigurationException("not a PostgreSQL JDBC URL: " + url.redacted());
      }
      return c;
    } catch (SQLException e) {
      String reason = scrub(String.valueOf(e.getMessage()), url);
      throw new ConfigurationException(
          "cannot connect to " + url.redacted() + ": " + reason + "; " + hint(e.getSQLState()), e);
    }
  }

  /** The server version number, e.g. 150018 (server_version_num). */
  public static int serverVersionNum(Connection c) {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select current_setting('server_version_num')::int")) {
      rs.next();
      return rs.getInt(1);
    } catch (SQLException e) {
      throw readFailure("the server version", e);
    }
  }

  /**
   * The snapshot of {@code c}'s current transaction with the cluster, database and timeline it is
   * in (see {@link BackupSnapshot}); empty on a standby (its timeline is its primary's business)
   * and before PostgreSQL 13. Does not fail the transaction: a failed query is rolled back to a
   * savepoint when {@code c} is in one (as a transaction that exported its snapshot must stay).
   */
  public static Optional<BackupSnapshot> snapshot(Connection c) {
    if (serverVersionNum(c) < 130000) {
      return Optional.empty();
    }
    String sql =
        "select (select system_identifier::text from pg_control_system()),"
            + " (select oid from pg_database where datname = current_database()),"
            + " case when pg_is_in_recovery() then null else ('x' || substr(pg_walfile_name("
            + "pg_current_wal_lsn()), 1, 8))::bit(32)::int end,"
            + " pg_snapshot_xmin(pg_current_snapshot())::text::bigint";
    try {
      Savepoint before = c.getAutoCommit() ? null : c.setSavepoint();
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery(sql)) {
        rs.next();
        Optional<BackupSnapshot> s =
            rs.getObject(3) == null
                ? Optional.empty()
                : Optional.of(
                    new BackupSnapshot(
                        rs.getString(1), rs.getLong(2), rs.getInt(3), rs.getLong(4)));
        if (before != null) {
          c.releaseSavepoint(before);
        }
        return s;
      } catch (SQLException e) {
        if (before != null) {
          c.rollback(before);
        }
        return Optional.empty(); // e.g. pg_control_system() revoked: compared in full later
      }
    } catch (SQLException e) {
      return Optional.empty();
    }
  }

  /**
   * Exact row counts ({@code count(*)}) of every ordinary and partitioned user table, keyed by
   * {@code schema.table} and sorted. Partitions are listed too, so a partitioned table's rows are
   * counted both under it and under its partitions.
   */
  public static Map<String, Long> rowCounts(Connection c) {
    Map<String, Long> counts = new TreeMap<>();
    try (Statement st = c.createStatement()) {
      List<String[]> tables = new ArrayList<>();
      try (ResultSet rs = st.executeQuery(SchemaCatalog.USER_TABLES)) {
        while (rs.next()) {
          tables.add(new String[] {rs.getString(1), rs.getString(2)});
        }
      }
      for (String[] t : tables) {
        try (ResultSet rs =
            st.executeQuery("select count(*) from " + quoteIdent(t[0]) + "." + quoteIdent(t[1]))) {
          rs.next();
          counts.put(t[0] + "." + t[1], rs.getLong(1));
        }
      }
      return counts;
    } catch (SQLException e) {
      throw readFailure("row counts", e);
    }
  }

  /**
   * A sha256 over a canonical description of the user schema; equal schemas, equal fingerprints.
   */
  public static String schemaFingerprint(Connection c) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String line : schemaDescription(c)) {
        sha.update(line.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /**
   * The sorted, canonical description the fingerprint is computed from, one entry per object:
   * schemas, extensions, relations, columns, constraints, indexes, view definitions, sequences,
   * functions, triggers, rules, policies, types, enums, statistics objects and comments of
   * everything outside the system schemas. Leaves out OIDs, owners, privileges, tablespaces and the
   * database name, so a restored copy describes the same. Useful to show what differs.
   */
  public static List<String> schemaDescription(Connection c) {
    try {
      return SchemaCatalog.describe(c);
    } catch (SQLException e) {
      throw readFailure("the schema", e);
    }
  }

  /**
   * The applied migrations from whichever known history table exists (Prisma's {@code
   * _prisma_migrations} on the search path, Drizzle's {@code drizzle.__drizzle_migrations},
   * Flyway's {@code flyway_schema_history} on the search path, checked in that order); {@link
   * MigrationState#NONE} when none does.
   */
  public static MigrationState migrationState(Connection c) {
    try {
      return MigrationHistory.read(c);
    } catch (SQLException e) {
      throw readFailure("the migration history", e);
    }
  }

  /** Quotes an SQL identifier: always double-quoted, embedded quotes doubled. */
  public static String quoteIdent(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  static DbRecoverException readFailure(String what, SQLException e) {
    return new DbRecoverException(
        ErrorCode.CONFIGURATION,
        "could not read "
            + what
            + " from the database: "
            + e.getMessage()
            + "; check that the user may read the system catalogs and every table",
        e);
  }

  private static String scrub(String message, DbUrl url) {
    return url.scrub(message);
  }

  private static String hint(String sqlState) {
    String state = sqlState == null ? "" : sqlState;
    switch (state) {
      case "28P01":
      case "28000":
        return "check the user name and password, and that pg_hba.conf admits this client";
      case "3D000":
        return "check the database name in the URL";
      case "53300":
        return "the server has no free connection slots; retry later or raise max_connections";
      case "57P03":
        return "the server is starting up or shutting down; retry in a moment";
      default:
        return state.startsWith("08")
            ? "check that the server is running, that host and port are right and that no firewall"
                + " or SSL setting blocks the connection"
            : "check the URL, the user's privileges and the server log";
    }
  }
}
