package io.dbrecover.engine.internal;

import io.dbrecover.engine.spi.DatabaseInspector;
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
 * Row-by-key comparison of one table that differs between two databases. Both sides aggregate
 * (count, sum of row hashes) per bucket of keys, and only rows of buckets that differ are streamed.
 *
 * <p>A key of one integer column is bucketed by range: the keys from the lower to the higher of
 * both sides' minimum and maximum fall into at most {@value #RANGE_BUCKETS} buckets of equal
 * power-of-two width, so changes to a contiguous range of keys (new rows at the end, a bad UPDATE
 * or DELETE over a range) differ in few buckets. Each run of consecutive differing buckets is one
 * key range, streamed by key order from the primary key index on both sides and merge-joined.
 *
 * <p>Any other key is spread over {@value #BUCKETS} buckets by a hash of its text; rows of
 * differing buckets are streamed ordered by bucket number (an integer, so no collation can make the
 * two sides disagree on order) and matched by key within each bucket in memory.
 */
final class KeyedDiff {
  static final int BUCKETS = 4096;

  /**
   * At most this many range buckets (2^14). Finer buckets stream fewer unchanged rows around a
   * changed range (7.5 M keys: 512 keys a bucket) at the cost of one more query per separate
   * changed range; the aggregation pass costs the same for any number of buckets.
   */
  static final int RANGE_BUCKETS = 1 << 14;

  private static final int FETCH_SIZE = 10_000;

  /**
   * What the comparison found: counts of rows by key, and each side's row count as read by this
   * comparison (which may be later than an earlier summary of the same table).
   */
  record Result(long lost, long changed, long added, long currentRows, long recoveredRows) {}

  /** A bucket's row count and the sums of its row hashes' high 32 and low 31 bits. */
  private record Bucket(long rows, long high, long low) {}

  private final String from;
  private final String keyExpr;
  private final String rowHashExpr;
  // the integer key column, quoted, with alias t; null: hash buckets
  private final String intKey;

  /**
   * @param from the table's quoted name on both sides
   * @param key the primary key columns
   * @param integerKey whether the key is one column of an integer type on both sides
   * @param columns the columns both sides have, in one order
   * @param typeHash whether both sides can hash these columns with their types' hash functions (as
   *     {@link #summarySql} did); else rows are hashed by their text
   */
  KeyedDiff(
      String from, List<String> key, boolean integerKey, List<String> columns, boolean typeHash) {
    this.from = from;
    this.keyExpr = TableShape.rowText(key);
    this.rowHashExpr =
        typeHash
            ? "hash_record_extended(row("
                + columns.stream()
                    .map(col -> "t." + DatabaseInspector.quoteIdent(col))
                    .collect(Collectors.joining(", "))
                + "), 0)"
            : "hashtextextended(" + TableShape.rowText(columns) + ", 0)";
    this.intKey = integerKey ? "t." + DatabaseInspector.quoteIdent(key.get(0)) : null;
  }

  /**
   * The SQL for the first pass: row count and the sum of row hashes, hashing each column with its
   * type's own extended hash function (PostgreSQL 14+, about twice as fast as hashing the row's
   * text). The type's equality decides, so 1.0 and 1.00 in a numeric column count as equal; a
   * difference the first pass misses this way is at most a value that compares equal.
   *
   * <p>A row's hash combines its columns' hashes, each seeded with the column's position, by
   * exclusive or: a quarter less work per row than {@code hash_record_extended} over the whole row,
   * which builds a record first. The function is the one {@code hash_record_extended} would use
   * (the type's default hash operator class); a column whose type has no such class of its own
   * (e.g. varchar, arrays, domains) is hashed through {@code hash_record_extended} alone. A type
   * with no hash function at all makes the query fail (the caller then uses {@link
   * #textSummarySql}).
   */
  static String summarySql(Connection c, String from, List<String> columns) throws SQLException {
    Map<String, String> functions = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement(COLUMN_HASH_FUNCTIONS)) {
      ps.setString(1, from);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (rs.getString(2) != null) {
            functions.put(rs.getString(1), rs.getString(2));
          }
        }
      }
    }
    List<String> hashes = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      String col = "t." + DatabaseInspector.quoteIdent(columns.get(i));
      String fn = functions.get(columns.get(i));
      int seed = i + 1;
      String hash =
          fn != null
              ? fn + "(" + col + ", " + seed + ")"
              : "hash_record_extended(row(" + col + "), " + seed + ")";
      // a null hashes to the seed: a null and a value are then (all but surely) different
      hashes.add("coalesce(" + hash + ", " + seed + ")");
    }
    String rowHash = hashes.isEmpty() ? "0" : String.join(" # ", hashes);
    return "select count(*), coalesce(sum(" + rowHash + "), 0) from " + from + " t";
  }

  /** Each column's type's own extended hash function, or null (see {@link #summarySql}). */
  private static final String COLUMN_HASH_FUNCTIONS =
      "select a.attname::text, (select ap.amproc::regproc::text from pg_opclass oc"
          + " join pg_am am on am.oid = oc.opcmethod and am.amname = 'hash'"
          + " join pg_amproc ap on ap.amprocfamily = oc.opcfamily and ap.amprocnum = 2"
          + " and ap.amproclefttype = oc.opcintype and ap.amprocrighttype = oc.opcintype"
          + " where oc.opcdefault and oc.opcintype = a.atttypid limit 1)"
          + " from pg_attribute a where a.attrelid = to_regclass(?)"
          + " and a.attnum > 0 and not a.attisdropped";

  /** The first pass for servers or column types without {@link #summarySql}'s hash functions. */
  static String textSummarySql(String from, List<String> columns) {
    return "select count(*), coalesce(sum(hashtextextended("
        + TableShape.rowText(columns)
        + ", 0)), 0) from "
        + from
        + " t";
  }

  Result run(Connection current, Connection recovered, ExecutorService pool) throws SQLException {
    return intKey != null ? byRange(current, recovered, pool) : byHash(current, recovered, pool);
  }

  private Result byHash(Connection current, Connection recovered, ExecutorService pool)
      throws SQLException {
    String bucketExpr = "(hashtextextended(" + keyExpr + ", 0) & " + (BUCKETS - 1) + ")::int";
    Sides<Map<Integer, Bucket>> buckets =
        Sides.run(pool, () -> buckets(current, bucketExpr), () -> buckets(recovered, bucketExpr));
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
        Sides.run(
            pool,
            () -> rows(current, bucketExpr, wanted),
            () -> rows(recovered, bucketExpr, wanted));
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

  private Map<Integer, Bucket> buckets(Connection c, String bucketExpr) throws SQLException {
    Map<Integer, Bucket> buckets = new HashMap<>();
    // sum(int8) keeps a numeric-like state per group, about 3 times slower than two int4 sums;
    // offset 0 keeps the planner from computing the row hash once per sum
    String sql =
        "select b, count(*), sum((h >> 32)::int4), sum((h & 2147483647)::int4) from (select "
            + bucketExpr
            + " b, "
            + rowHashExpr
            + " h from "
            + from
            + " t offset 0) x group by 1";
    try (PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        buckets.put(rs.getInt(1), new Bucket(rs.getLong(2), rs.getLong(3), rs.getLong(4)));
      }
    }
    return buckets;
  }

  /** Executes the row query; the caller reads and closes the result. */
  private PreparedStatement rows(Connection c, String bucketExpr, Integer[] wanted)
      throws SQLException {
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

  private Result byRange(Connection current, Connection recovered, ExecutorService pool)
      throws SQLException {
    Sides<long[]> bounds = Sides.run(pool, () -> bounds(current), () -> bounds(recovered));
    long[] cur = bounds.current();
    long[] rec = bounds.recovered();
    if (cur == null && rec == null) {
      return new Result(0, 0, 0, 0, 0);
    }
    long lo =
        Math.min(cur == null ? Long.MAX_VALUE : cur[0], rec == null ? Long.MAX_VALUE : rec[0]);
    long hi =
        Math.max(cur == null ? Long.MIN_VALUE : cur[1], rec == null ? Long.MIN_VALUE : rec[1]);
    KeyRanges ranges = KeyRanges.over(lo, hi, RANGE_BUCKETS);
    String bucketExpr = ranges.bucketSql(intKey);
    Sides<Map<Integer, Bucket>> buckets =
        Sides.run(pool, () -> buckets(current, bucketExpr), () -> buckets(recovered, bucketExpr));
    long currentRows = rows(buckets.current());
    long recoveredRows = rows(buckets.recovered());
    long lost = 0;
    long changed = 0;
    long added = 0;
    Map<Integer, Bucket> mine = buckets.current();
    Map<Integer, Bucket> theirs = buckets.recovered();
    for (long[] range : ranges.differing(b -> !Objects.equals(mine.get(b), theirs.get(b)))) {
      Sides<PreparedStatement> rows =
          Sides.run(pool, () -> rangeRows(current, range), () -> rangeRows(recovered, range));
      try (PreparedStatement ps = rows.current();
          PreparedStatement rs = rows.recovered();
          ResultSet left = ps.getResultSet();
          ResultSet right = rs.getResultSet()) {
        Result r = mergeByKey(left, right);
        lost += r.lost();
        changed += r.changed();
        added += r.added();
      }
    }
    return new Result(lost, changed, added, currentRows, recoveredRows);
  }

  /** The smallest and largest key; null when the table is empty. */
  private long[] bounds(Connection c) throws SQLException {
    String sql = "select min(" + intKey + "), max(" + intKey + ") from " + from + " t";
    try (PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      long min = rs.getLong(1);
      return rs.wasNull() ? null : new long[] {min, rs.getLong(2)};
    }
  }

  /** Executes the query for the rows with keys in {@code range}, by key; the caller closes it. */
  private PreparedStatement rangeRows(Connection c, long[] range) throws SQLException {
    // compared with the column as is, so the primary key index gives range and order
    String sql =
        "select "
            + intKey
            + "::int8, "
            + rowHashExpr
            + " from "
            + from
            + " t where "
            + intKey
            + " between ? and ? order by "
            + intKey;
    PreparedStatement ps = c.prepareStatement(sql);
    try {
      ps.setFetchSize(FETCH_SIZE);
      ps.setLong(1, range[0]);
      ps.setLong(2, range[1]);
      ps.execute();
      return ps;
    } catch (SQLException e) {
      ps.close();
      throw e;
    }
  }

  /** Merge-joins two row streams ordered by key (column 1, row hash in column 2). */
  private static Result mergeByKey(ResultSet left, ResultSet right) throws SQLException {
    long lost = 0;
    long changed = 0;
    long added = 0;
    boolean hasLeft = left.next();
    boolean hasRight = right.next();
    while (hasLeft && hasRight) {
      long l = left.getLong(1);
      long r = right.getLong(1);
      if (l < r) {
        lost++;
        hasLeft = left.next();
      } else if (r < l) {
        added++;
        hasRight = right.next();
      } else {
        if (left.getLong(2) != right.getLong(2)) {
          changed++;
        }
        hasLeft = left.next();
        hasRight = right.next();
      }
    }
    while (hasLeft) {
      lost++;
      hasLeft = left.next();
    }
    while (hasRight) {
      added++;
      hasRight = right.next();
    }
    return new Result(lost, changed, added, -1, -1);
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
