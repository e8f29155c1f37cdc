package io.dbrecover.engine.internal;

import io.dbrecover.engine.spi.DatabaseInspector;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.stream.Collectors;

/**
 * Row-by-key comparison of one table that differs between two databases. Rows are spread over
 * {@value #BUCKETS} buckets by a hash of the key; both sides aggregate per bucket, and only rows of
 * buckets that differ are streamed, ordered by bucket number (an integer, so no collation can make
 * the two sides disagree on order) and matched by key within each bucket in memory.
 */
final class KeyedDiff {
  static final int BUCKETS = 4096;
  private static final int FETCH_SIZE = 10_000;

  /**
   * What the comparison found: counts of rows by key, and each side's row count as read by this
   * comparison (which may be later than an earlier summary of the same table).
   */
  record Result(long lost, long changed, long added, long currentRows, long recoveredRows) {}

  private record Bucket(long rows, BigDecimal hashSum) {}

  private final String bucketExpr;
  private final String keyExpr;
  private final String rowHashExpr;
  private final String from;

  /**
   * @param from the table's quoted name on both sides
   * @param key the primary key columns
   * @param columns the columns both sides have, in one order
   */
  KeyedDiff(String from, List<String> key, List<String> columns) {
    this.from = from;
    this.keyExpr = TableShape.rowText(key);
    this.bucketExpr = "(hashtextextended(" + keyExpr + ", 0) & " + (BUCKETS - 1) + ")::int";
    this.rowHashExpr = "hashtextextended(" + TableShape.rowText(columns) + ", 0)";
  }

  /**
   * The SQL for the first pass: row count and the sum of row hashes, hashing each column with its
   * type's own hash function (PostgreSQL 14+, about twice as fast as hashing the row's text). The
   * type's equality decides, so 1.0 and 1.00 in a numeric column count as equal; a difference the
   * first pass misses this way is at most a value that compares equal.
   */
  static String summarySql(String from, List<String> columns) {
    return "select count(*), coalesce(sum(hash_record_extended(row("
        + columns.stream()
            .map(col -> "t." + DatabaseInspector.quoteIdent(col))
            .collect(Collectors.joining(", "))
        + "), 0)), 0) from "
        + from
        + " t";
  }

  /** The first pass for servers or column types without {@link #summarySql}'s hash functions. */
  static String textSummarySql(String from, List<String> columns) {
    return "select count(*), coalesce(sum(hashtextextended("
        + TableShape.rowText(columns)
        + ", 0)), 0) from "
        + from
        + " t";
  }

  Result run(Connection current, Connection recovered, ExecutorService pool) throws SQLException {
    Sides<Map<Integer, Bucket>> buckets =
        Sides.run(pool, () -> buckets(current), () -> buckets(recovered));
    List<Integer> differing = new ArrayList<>();
    for (int b = 0; b < BUCKETS; b++) {
      if (!Objects.equals(buckets.current().get(b), buckets.recovered().get(b))) {
        differing.add(b);
      }
    }
    long currentRows = rows(buckets.current());
    long recoveredRows = rows(buckets.recovered());
    if (differing.isEmpty()) {
      return new Result(0, 0, 0, currentRows, recoveredRows);
    }
    Integer[] wanted = differing.toArray(new Integer[0]);
    Sides<PreparedStatement> rows =
        Sides.run(pool, () -> rows(current, wanted), () -> rows(recovered, wanted));
    try (PreparedStatement a = rows.current();
        PreparedStatement b = rows.recovered();
        ResultSet left = a.getResultSet();
        ResultSet right = b.getResultSet()) {
      Result r = merge(new Cursor(left), new Cursor(right));
      return new Result(r.lost(), r.changed(), r.added(), currentRows, recoveredRows);
    }
  }

  private static long rows(Map<Integer, Bucket> buckets) {
    return buckets.values().stream().mapToLong(Bucket::rows).sum();
  }

  private Map<Integer, Bucket> buckets(Connection c) throws SQLException {
    Map<Integer, Bucket> buckets = new HashMap<>();
    String sql =
        "select "
            + bucketExpr
            + ", count(*), sum("
            + rowHashExpr
            + ") from "
            + from
            + " t group by 1";
    try (PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        buckets.put(rs.getInt(1), new Bucket(rs.getLong(2), rs.getBigDecimal(3)));
      }
    }
    return buckets;
  }

  /** Executes the row query; the caller reads and closes the result. */
  private PreparedStatement rows(Connection c, Integer[] wanted) throws SQLException {
    String sql =
        "select b, k, h from (select "
            + bucketExpr
            + " b, "
            + keyExpr
            + " k, "
            + rowHashExpr
            + " h from "
            + from
            + " t) x where b = any(?) order by b";
    PreparedStatement ps = c.prepareStatement(sql);
    try {
      ps.setFetchSize(FETCH_SIZE);
      ps.setArray(1, c.createArrayOf("int4", wanted));
      ps.execute();
      return ps;
    } catch (SQLException e) {
      ps.close();
      throw e;
    }
  }

  private static Result merge(Cursor left, Cursor right) throws SQLException {
    long lost = 0;
    long changed = 0;
    long added = 0;
    while (left.hasRow() || right.hasRow()) {
      int bucket = Math.min(left.bucket(), right.bucket());
      Map<String, Long> current = left.take(bucket);
      Map<String, Long> recovered = right.take(bucket);
      for (Map.Entry<String, Long> row : current.entrySet()) {
        Long other = recovered.remove(row.getKey());
        if (other == null) {
          lost++;
        } else if (!other.equals(row.getValue())) {
          changed++;
        }
      }
      added += recovered.size();
    }
    return new Result(lost, changed, added, -1, -1);
  }

  /** A forward-only view of a row stream ordered by bucket. */
  private static final class Cursor {
    private final ResultSet rs;
    private boolean hasRow;

    Cursor(ResultSet rs) throws SQLException {
      this.rs = rs;
      this.hasRow = rs.next();
    }

    boolean hasRow() {
      return hasRow;
    }

    int bucket() throws SQLException {
      return hasRow ? rs.getInt(1) : Integer.MAX_VALUE;
    }

    /** The rows of {@code bucket} (key text to row hash); empty when the stream is elsewhere. */
    Map<String, Long> take(int bucket) throws SQLException {
      Map<String, Long> rows = new HashMap<>();
      while (hasRow && rs.getInt(1) == bucket) {
        rows.put(rs.getString(2), rs.getLong(3));
        hasRow = rs.next();
      }
      return rows;
    }
  }
}
