package io.dbrecover.engine.internal;

import io.dbrecover.engine.api.DataLossReport.Table;
import io.dbrecover.engine.spi.BackupSnapshot;
import io.dbrecover.engine.spi.DatabaseInspector;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The data loss of one table restored from a logical backup, read from the rows the live database
 * wrote after the backup's snapshot. A row version whose {@code xmin} is older than the snapshot's
 * {@code xmin} was committed before the snapshot and has not changed since (an update writes a new
 * version), so the backup holds it as it is: only the younger versions can be lost or changed by
 * the restore. Their keys are looked up in the restored copy; every other live row is there, equal.
 * Rows the live database deleted since come back with the restore: their number follows from the
 * two counts.
 *
 * <p>Holds only in the database the backup was taken of, on the same timeline (a point-in-time
 * restore of the cluster reuses transaction ids) and less than 2^31 transactions later (a 32-bit
 * {@code xmin} is read against the current one); {@link #refusal} says when not. {@code xmin} is
 * the version's own even once frozen (PostgreSQL 9.4 and later keep it), and a rewrite (VACUUM
 * FULL, CLUSTER, ALTER TABLE) gives every row a new one, which only makes more rows candidates.
 */
final class RowsSinceBackup {
  /** More rows written since than this: the table is compared in full instead. */
  static final long MAX_ROWS = 200_000;

  private static final long XID_HORIZON = (1L << 31) - 1_000_000;

  private RowsSinceBackup() {}

  /**
   * One table of the live side: its exact row count and the rows written since the snapshot, key
   * (as text) to row hash; {@code typeHash}: hashed with the columns' types' hash functions, else
   * by the row's text.
   */
  record Since(long rows, Map<String, String> written, boolean typeHash) {}

  /**
   * Why the live database read in {@code c}'s transaction cannot be compared with {@code snap}'s
   * backup this way; empty when it can.
   */
  static Optional<String> refusal(Connection c, BackupSnapshot snap) throws SQLException {
    Optional<BackupSnapshot> now = DatabaseInspector.snapshot(c);
    if (now.isEmpty()) {
      return Optional.of(
          "the live server does not tell its snapshot (a standby, or before PostgreSQL 13)");
    }
    if (!snap.systemIdentifier().equals(now.get().systemIdentifier())) {
      return Optional.of("the live database is in another cluster than the backup was taken of");
    }
    if (snap.databaseOid() != now.get().databaseOid()) {
      return Optional.of("the live database is not the one the backup was taken of");
    }
    if (snap.timeline() != now.get().timeline()) {
      return Optional.of("the live cluster is on another timeline than when the backup was taken");
    }
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("select pg_snapshot_xmax(pg_current_snapshot())::text::bigint")) {
      rs.next();
      long distance = rs.getLong(1) - snap.xmin();
      if (distance < 0 || distance > XID_HORIZON) {
        return Optional.of("too many transactions since the backup to tell rows apart by xmin");
      }
    }
    return Optional.empty();
  }

  /**
   * The live side of {@code t} (one-column primary key) in {@code c}'s transaction; null when more
   * than {@link #MAX_ROWS} rows were written since (compare it in full).
   */
  static Since read(Connection c, TableShape t, BackupSnapshot snap) throws SQLException {
    String since = since(snap);
    long rows;
    long written;
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "select count(*), count(*) filter (where "
                    + since
                    + ") from "
                    + t.sqlName()
                    + " t")) {
      rs.next();
      rows = rs.getLong(1);
      written = rs.getLong(2);
    }
    if (written == 0) {
      return new Since(rows, Map.of(), true);
    }
    if (written > MAX_ROWS) {
      return null;
    }
    String key = key(t);
    Savepoint before = c.setSavepoint();
    try {
      Map<String, String> hashes =
          rows(c, key, NarrowedDataLoss.typeHash(t.columns()), t, "where " + since);
      c.releaseSavepoint(before);
      return new Since(rows, hashes, true);
    } catch (SQLException e) {
      c.rollback(before); // e.g. a column type without a hash function (json)
      return new Since(
          rows, rows(c, key, NarrowedDataLoss.textHash(t.columns()), t, "where " + since), false);
    }
  }

  /**
   * The data loss of {@code t}, whose live side is {@code live}, against the restored copy in
   * {@code recovered} with the same shape and {@code recoveredRows} rows.
   */
  static Table compare(Connection recovered, TableShape t, Since live, long recoveredRows)
      throws SQLException {
    String key = key(t);
    String hash =
        live.typeHash()
            ? NarrowedDataLoss.typeHash(t.columns())
            : NarrowedDataLoss.textHash(t.columns());
    Map<String, String> restored =
        NarrowedDataLoss.query(
            recovered,
            NarrowedDataLoss.byKey(t, key, hash),
            "text",
            live.written().keySet().toArray(new String[0]));
    long lost = 0;
    long changed = 0;
    for (Map.Entry<String, String> row : live.written().entrySet()) {
      String there = restored.get(row.getKey());
      if (there == null) {
        lost++;
      } else if (!there.equals(row.getValue())) {
        changed++;
      }
    }
    long added = Math.max(0, recoveredRows - (live.rows() - lost));
    return new Table(t.name(), true, live.rows(), recoveredRows, lost, changed, added);
  }

  private static Map<String, String> rows(
      Connection c, String key, String hash, TableShape t, String where) throws SQLException {
    Map<String, String> out = new HashMap<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(NarrowedDataLoss.keyAndHash(t, key, hash) + " " + where)) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getString(2));
      }
    }
    return out;
  }

  // age() of both against the same current transaction id: younger or as old as the snapshot's
  // xmin. A 32-bit transaction id literal; the snapshot's xmin is within 2^31 (see refusal).
  private static String since(BackupSnapshot snap) {
    return "age(t.xmin) <= age('" + (snap.xmin() & 0xFFFFFFFFL) + "'::xid)";
  }

  private static String key(TableShape t) {
    return "t." + DatabaseInspector.quoteIdent(t.primaryKey().get(0));
  }

  /** Whether {@code t} can be read this way: a one-column primary key, looked up by its index. */
  static boolean applies(TableShape t) {
    return t.primaryKey().size() == 1;
  }
}
