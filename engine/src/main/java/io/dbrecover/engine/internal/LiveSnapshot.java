package io.dbrecover.engine.internal;

import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.spi.DatabaseInspector;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The live side of a data-loss comparison, read in one repeatable-read snapshot that stays open
 * until closed: every table's exact row count, the live WAL position that snapshot covers (every
 * commit it sees was written before it), and the connection, so rows can be looked up later as of
 * the same moment. Holding it open holds back vacuum on the live database for that long: close it
 * as soon as the comparison is done.
 */
public final class LiveSnapshot implements AutoCloseable {
  private final Connection connection;
  private final String lsn;
  private final DataLossAnalyzer.SideRead read;

  private LiveSnapshot(Connection connection, String lsn, DataLossAnalyzer.SideRead read) {
    this.connection = connection;
    this.lsn = lsn;
    this.read = read;
  }

  /**
   * Opens a snapshot of {@code url} and counts the rows of its tables on one core (it runs beside a
   * restore).
   */
  public static LiveSnapshot take(DbUrl url) {
    Connection c = null;
    try {
      c = DatabaseInspector.connect(url);
      try (Statement st = c.createStatement()) {
        st.execute(DataLossAnalyzer.SESSION_SETTINGS + "; " + DataLossAnalyzer.ONE_CORE);
      }
      c.setAutoCommit(false);
      c.setReadOnly(true);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      String lsn = null;
      try (Statement st = c.createStatement();
          // The first statement takes the snapshot; the position is read after it.
          ResultSet rs = st.executeQuery("select pg_current_wal_lsn()::text")) {
        rs.next();
        lsn = rs.getString(1);
      } catch (SQLException e) {
        c.rollback(); // e.g. a server that hides its WAL position: no narrowing, a new snapshot
      }
      DataLossAnalyzer.SideRead read = new DataLossAnalyzer().readCounts(c);
      return new LiveSnapshot(c, lsn, read);
    } catch (SQLException | RuntimeException e) {
      closeQuietly(c);
      throw DataLossAnalyzer.unreadable(url, e);
    }
  }

  /** The connection in the snapshot's transaction. */
  Connection connection() {
    return connection;
  }

  /** The live WAL position the snapshot covers; null when the server would not say. */
  public String lsn() {
    return lsn;
  }

  DataLossAnalyzer.SideRead read() {
    return read;
  }

  /** Whether the snapshot's connection still answers (a server may end idle transactions). */
  boolean alive() {
    try (Statement st = connection.createStatement()) {
      st.setQueryTimeout(10);
      st.execute("select 1");
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  @Override
  public void close() {
    closeQuietly(connection);
  }

  private static void closeQuietly(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // the snapshot is released with the connection either way
      }
    }
  }
}
