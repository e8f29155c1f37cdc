package io.dbrecover.forwardfix.internal;

import io.dbrecover.forwardfix.Change;
import io.dbrecover.forwardfix.Loss;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Counts, on the live database, what each risky statement would destroy or fail on, before anything
 * runs. The probes are read-only queries; each runs under a savepoint so one that fails (a value
 * that cannot be converted) is reported and the others still run.
 */
public final class LossProbe {
  private LossProbe() {}

  /**
   * The statements of {@code changes} that would destroy data or fail, with their counts. Runs
   * inside the caller's transaction when one is open, else in a read-only one of its own.
   */
  public static List<Loss> count(Connection c, List<Change> changes) throws SQLException {
    boolean own = c.getAutoCommit();
    if (own) {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
      }
    }
    try {
      List<Loss> losses = new ArrayList<>();
      for (Change change : changes) {
        if (change.risk() == null) {
          continue;
        }
        Savepoint sp = c.setSavepoint();
        try (Statement st = c.createStatement();
            ResultSet rs = st.executeQuery(change.risk().probe())) {
          rs.next();
          long n = rs.getLong(1);
          c.releaseSavepoint(sp);
          if (n > 0) {
            losses.add(new Loss(change, n, null));
          }
        } catch (SQLException e) {
          c.rollback(sp);
          losses.add(new Loss(change, -1, firstLine(e.getMessage())));
        }
      }
      return losses;
    } finally {
      if (own) {
        c.rollback();
        c.setAutoCommit(true);
      }
    }
  }

  private static String firstLine(String message) {
    String m = String.valueOf(message);
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
