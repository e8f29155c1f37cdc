package io.dbrecover.engine.spi;

import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.MigrationState;
import java.sql.Connection;
import java.util.Map;

/**
 * Reads what dbrecover records about a database over JDBC: server version, exact row counts, a
 * schema fingerprint and the migration state. Used for backup metadata, verification and reports.
 * Read-only; never changes the database.
 */
public final class DatabaseInspector {
  private DatabaseInspector() {}

  /** Opens a connection; failures are a DbRecoverException naming the redacted URL. */
  public static Connection connect(DbUrl url) {
    throw new IllegalStateException("pending");
  }

  /** The server version number, e.g. 150018 (server_version_num). */
  public static int serverVersionNum(Connection c) {
    throw new IllegalStateException("pending");
  }

  /** Exact row counts of every user table (schema-qualified name, sorted). */
  public static Map<String, Long> rowCounts(Connection c) {
    throw new IllegalStateException("pending");
  }

  /**
   * A sha256 over a canonical description of the user schema; equal schemas, equal fingerprints.
   */
  public static String schemaFingerprint(Connection c) {
    throw new IllegalStateException("pending");
  }

  /** The applied migrations from whichever known history table exists; NONE when none does. */
  public static MigrationState migrationState(Connection c) {
    throw new IllegalStateException("pending");
  }
}
