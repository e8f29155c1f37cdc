package io.dbrecover.engine.internal;

import io.dbrecover.engine.api.DataLossReport.Table;
import io.dbrecover.engine.spi.DatabaseInspector;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * The data loss of one table whose rows can differ only on known heap blocks: a restored copy
 * replayed the same write-ahead log up to its stop point, so a row version on a block the live
 * database has not changed since (and no transaction in flight at the stop point touched) is the
 * same row on both sides. The rows on the changed blocks are read on both sides, and each of their
 * keys is looked up on the other side; every other row is equal.
 *
 * <p>The live side is read in the snapshot whose row count is given, so the recovered count follows
 * from it: {@code current - lost + added}.
 */
final class NarrowedDataLoss {
  private NarrowedDataLoss() {}

  /** Whether {@code t} can be compared this way: a one-column primary key (looked up by index). */
  static boolean applies(TableShape t) {
    return t.primaryKey().size() == 1;
  }

  /**
   * Compares {@code t}'s rows on {@code blocks}.
   *
   * @param current the live side, in the snapshot {@code currentRows} was counted in
   * @param columns the columns both sides have
   */
  static Table compare(
      Connection current,
      Connection recovered,
      TableShape t,
      List<String> columns,
      SortedSet<Long> blocks,
      long currentRows,
      ExecutorService pool)
      throws SQLException {
    String key = "t." + DatabaseInspector.quoteIdent(t.primaryKey().get(0));
    Long[] blockArray = blocks.toArray(new Long[0]);
    // As the full comparison: each column hashed with its type's hash function where every type
    // has one (so values that compare equal are equal), else the row's text.
    String hash = typeHash(columns);
    // The two sides' blocks are read at once, each on its own connection.
    String typeHash = hash;
    Future<Map<String, String>> restoredByType =
        pool.submit(() -> savepointed(recovered, onBlocks(t, key, typeHash), blockArray));
    Map<String, String> live = savepointed(current, onBlocks(t, key, hash), blockArray);
    Map<String, String> restored = await(restoredByType);
    if (live == null) {
      hash = textHash(columns);
      live = query(current, onBlocks(t, key, hash), "bigint", blockArray);
      restored = null;
    }
    String byKey = byKey(t, key, hash);
    if (restored == null) {
      restored = query(recovered, onBlocks(t, key, hash), "bigint", blockArray);
    }
    Set<String> onlyLive = new HashSet<>(live.keySet());
    onlyLive.removeAll(restored.keySet());
    Set<String> onlyRestored = new HashSet<>(restored.keySet());
    onlyRestored.removeAll(live.keySet());
    restored.putAll(query(recovered, byKey, "text", onlyLive.toArray(new String[0])));
    live.putAll(query(current, byKey, "text", onlyRestored.toArray(new String[0])));
    long lost = 0;
    long changed = 0;
    long added = 0;
    Set<String> keys = new HashSet<>(live.keySet());
    keys.addAll(restored.keySet());
    for (String k : keys) {
      String a = live.get(k);
      String b = restored.get(k);
      if (b == null) {
        lost++;
      } else if (a == null) {
        added++;
      } else if (!a.equals(b)) {
        changed++;
      }
    }
    return new Table(t.name(), true, currentRows, currentRows - lost + added, lost, changed, added);
  }

  /** A row's hash over {@code columns} of table alias {@code t}, by their types' hash functions. */
  static String typeHash(List<String> columns) {
    return "hash_record_extended(row("
        + columns.stream()
            .map(col -> "t." + DatabaseInspector.quoteIdent(col))
            .collect(java.util.stream.Collectors.joining(", "))
        + "), 0)::text";
  }

  /** A row's hash over {@code columns} by its text: for types without a hash function (json). */
  static String textHash(List<String> columns) {
    return "md5(" + TableShape.rowText(columns) + ")";
  }

  /**
   * Key (as text) and {@code hash} of {@code t}'s rows (alias {@code t}); a where clause follows.
   */
  static String keyAndHash(TableShape t, String key, String hash) {
    return "select " + key + "::text, " + hash + " from " + t.sqlName() + " t";
  }

  /** {@link #keyAndHash} of the rows whose one-column key is in an array parameter. */
  static String byKey(TableShape t, String key, String hash) {
    return keyAndHash(t, key, hash)
        + " where "
        + key
        + " = any(?::text[]::"
        + t.primaryKeyTypes().get(0)
        + "[])";
  }

  private static String onBlocks(TableShape t, String key, String hash) {
    return keyAndHash(t, key, hash)
        + " where t.ctid = any(array(select format('(%s,%s)', b, o)::tid"
        + " from unnest(?::bigint[]) b"
        + " cross join generate_series(1, (current_setting('block_size')::int - 24) / 28) o))";
  }

  /**
   * {@link #query} of the rows on {@code blocks} inside a savepoint; null when the query failed
   * (e.g. "could not identify a hash function for type json"), with the transaction usable again.
   */
  private static Map<String, String> savepointed(Connection c, String sql, Long[] blocks)
      throws SQLException {
    Savepoint before = c.setSavepoint();
    try {
      Map<String, String> rows = query(c, sql, "bigint", blocks);
      c.releaseSavepoint(before);
      return rows;
    } catch (SQLException e) {
      c.rollback(before);
      return null;
    }
  }

  private static <T> T await(Future<T> f) throws SQLException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof SQLException) {
        throw (SQLException) e.getCause();
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  static Map<String, String> query(Connection c, String sql, String arrayType, Object[] values)
      throws SQLException {
    Map<String, String> rows = new HashMap<>();
    if (values.length == 0) {
      return rows;
    }
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      Array array = c.createArrayOf(arrayType, values);
      ps.setArray(1, array);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    return rows;
  }
}
