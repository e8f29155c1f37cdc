package io.dbrecover.engine.internal;

import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.EnvironmentConfig.SmokeQuery;
import io.dbrecover.engine.api.MigrationState;
import io.dbrecover.engine.api.Verification;
import io.dbrecover.engine.api.Verification.Check;
import io.dbrecover.engine.spi.DatabaseInspector;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Checks a database against what it should look like: reachable, at the expected migration, with
 * the expected schema fingerprint, passing the smoke queries and holding the expected row counts.
 * Runs read-only and reports every problem as a failed check, never as an exception.
 */
public final class Verifier {
  static final String SKIPPED = "skipped: no connection";
  private static final int MAX_LISTED_TABLES = 10;
  private static final int SMOKE_TIMEOUT_SECONDS = 60;

  /** Reads the exact row count of every user table over an open connection. */
  public interface RowCounter {
    Map<String, Long> count(Connection c) throws SQLException;
  }

  private final RowCounter rowCounter;

  /** Counts rows with {@code count(*)} per table. */
  public Verifier() {
    this(DatabaseInspector::rowCounts);
  }

  /**
   * Counts rows with {@code rowCounter}, e.g. a pass that also reads what a later comparison needs,
   * so the database is scanned once.
   */
  public Verifier(RowCounter rowCounter) {
    this.rowCounter = rowCounter;
  }

  /**
   * What the database should look like; a null expectation is not checked.
   *
   * @param migrationState the expected migration state (its last migration is compared)
   * @param schemaFingerprint the expected {@link DatabaseInspector#schemaFingerprint}
   * @param rowCounts the expected exact row count of every user table
   * @param smokeQueries queries that must succeed (and match their {@code expect})
   */
  public record Expectations(
      MigrationState migrationState,
      String schemaFingerprint,
      Map<String, Long> rowCounts,
      List<SmokeQuery> smokeQueries) {
    public Expectations {
      rowCounts = rowCounts == null ? null : Map.copyOf(rowCounts);
      smokeQueries = smokeQueries == null ? List.of() : List.copyOf(smokeQueries);
    }
  }

  /** Verifies the database at {@code url}; {@code subject} names it in the result (no secrets). */
  public Verification verify(String subject, DbUrl url, Expectations e) {
    List<Check> checks = new ArrayList<>();
    Connection c;
    try {
      c = DatabaseInspector.connect(url);
    } catch (DbRecoverException ex) {
      checks.add(new Check("connection", "connect and select 1", ex.getMessage(), false));
      for (String name : checkNames(e)) {
        checks.add(new Check(name, "-", SKIPPED, false));
      }
      return new Verification(subject, checks);
    }
    try (c) {
      checks.add(connection(c));
      if (!checks.get(0).passed()) {
        checkNames(e).forEach(name -> checks.add(new Check(name, "-", SKIPPED, false)));
        return new Verification(subject, checks);
      }
      if (e.migrationState() != null) {
        checks.add(migrationState(c, e.migrationState()));
      }
      if (e.schemaFingerprint() != null) {
        checks.add(fingerprint(c, e.schemaFingerprint()));
      }
      for (SmokeQuery q : e.smokeQueries()) {
        checks.add(smoke(c, q));
      }
      if (e.rowCounts() != null) {
        checks.add(rowCounts(c, e.rowCounts()));
      }
    } catch (SQLException ex) {
      // only close() can get here; the checks have run
    }
    return new Verification(subject, checks);
  }

  private static List<String> checkNames(Expectations e) {
    List<String> names = new ArrayList<>();
    if (e.migrationState() != null) {
      names.add("migration state");
    }
    if (e.schemaFingerprint() != null) {
      names.add("schema fingerprint");
    }
    e.smokeQueries().forEach(q -> names.add("smoke: " + q.name()));
    if (e.rowCounts() != null) {
      names.add("row counts");
    }
    return names;
  }

  private static Check connection(Connection c) {
    String expected = "connect and select 1";
    try {
      // Read-only is enforced per transaction, so the checks run in transactions, not autocommit.
      c.setAutoCommit(false);
      c.setReadOnly(true);
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("select 1, current_setting('server_version')")) {
        rs.next();
        boolean one = rs.getInt(1) == 1;
        String actual = "connected, PostgreSQL " + rs.getString(2);
        c.rollback();
        return new Check("connection", expected, actual, one);
      }
    } catch (SQLException ex) {
      return new Check("connection", expected, "error: " + ex.getMessage(), false);
    }
  }

  private static Check migrationState(Connection c, MigrationState expected) {
    String want = lastOf(expected);
    try {
      MigrationState actual = DatabaseInspector.migrationState(c);
      rollback(c);
      return new Check("migration state", want, lastOf(actual), want.equals(lastOf(actual)));
    } catch (DbRecoverException ex) {
      rollback(c);
      return new Check("migration state", want, "error: " + ex.getMessage(), false);
    }
  }

  private static String lastOf(MigrationState s) {
    return s.tool() + ": " + s.last().orElse("no migrations");
  }

  private static Check fingerprint(Connection c, String expected) {
    try {
      String actual = DatabaseInspector.schemaFingerprint(c);
      rollback(c);
      return new Check("schema fingerprint", expected, actual, expected.equals(actual));
    } catch (DbRecoverException ex) {
      rollback(c);
      return new Check("schema fingerprint", expected, "error: " + ex.getMessage(), false);
    }
  }

  private static Check smoke(Connection c, SmokeQuery q) {
    String name = "smoke: " + q.name();
    String expected = q.expect() == null ? "at least one row" : q.expect();
    try (Statement st = c.createStatement()) {
      st.setQueryTimeout(SMOKE_TIMEOUT_SECONDS);
      try (ResultSet rs = st.executeQuery(q.sql())) {
        if (!rs.next()) {
          return new Check(name, expected, "no rows", false);
        }
        String first = rs.getString(1);
        if (q.expect() == null) {
          return new Check(name, expected, "first row: " + first, true);
        }
        return new Check(name, expected, String.valueOf(first), q.expect().equals(first));
      }
    } catch (SQLException ex) {
      return new Check(name, expected, "error: " + ex.getMessage(), false);
    } finally {
      rollback(c);
    }
  }

  private Check rowCounts(Connection c, Map<String, Long> expected) {
    String want = summary(expected);
    try {
      Map<String, Long> actual = rowCounter.count(c);
      rollback(c);
      List<String> differences = new ArrayList<>();
      for (String table : new TreeSet<>(union(expected, actual))) {
        Long e = expected.get(table);
        Long a = actual.get(table);
        if (!Objects.equals(e, a)) {
          differences.add(
              table
                  + " "
                  + (a == null ? "missing" : a)
                  + " (expected "
                  + (e == null ? "no table" : e)
                  + ")");
        }
      }
      if (differences.isEmpty()) {
        return new Check("row counts", want, summary(actual), true);
      }
      String listed =
          String.join(
              ", ", differences.subList(0, Math.min(MAX_LISTED_TABLES, differences.size())));
      if (differences.size() > MAX_LISTED_TABLES) {
        listed += " and " + (differences.size() - MAX_LISTED_TABLES) + " more";
      }
      return new Check("row counts", want, differences.size() + " differ: " + listed, false);
    } catch (DbRecoverException | SQLException ex) {
      rollback(c);
      return new Check("row counts", want, "error: " + ex.getMessage(), false);
    }
  }

  private static TreeSet<String> union(Map<String, Long> a, Map<String, Long> b) {
    TreeSet<String> all = new TreeSet<>(a.keySet());
    all.addAll(b.keySet());
    return all;
  }

  private static String summary(Map<String, Long> counts) {
    long rows = counts.values().stream().mapToLong(Long::longValue).sum();
    return counts.size() + " tables, " + rows + " rows";
  }

  private static void rollback(Connection c) {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // the next check reports a connection that stopped working
    }
  }
}
