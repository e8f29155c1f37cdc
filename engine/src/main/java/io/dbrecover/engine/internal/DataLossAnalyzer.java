package io.dbrecover.engine.internal;

import io.dbrecover.engine.api.DataLossReport;
import io.dbrecover.engine.api.DataLossReport.Table;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.Trace;
import io.dbrecover.engine.spi.BackupSnapshot;
import io.dbrecover.engine.spi.ChangedBlocks;
import io.dbrecover.engine.spi.DatabaseInspector;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Works out what switching from the current database to a recovered one would lose, table by table.
 * Rows of tables with the same primary key on both sides are matched by key; other tables are
 * compared by count. Only the columns both sides have are compared, so a column a bad migration
 * added or dropped does not mark every row as changed.
 *
 * <p>Fast when little differs: one pass per side computes a row count and a sum of row hashes, both
 * sides at once; only tables whose sums differ are compared further (see {@link KeyedDiff}). Each
 * side is read in one read-only repeatable-read transaction, so a live database is compared as of
 * one moment.
 */
public final class DataLossAnalyzer {
  // Text forms must not depend on either server's or session's settings.
  static final String SESSION_SETTINGS =
      "set timezone = 'UTC'; set datestyle = 'ISO, YMD'; set intervalstyle = 'postgres';"
          + " set bytea_output = 'hex'; set extra_float_digits = 3; set lc_monetary = 'C';"
          + " set statement_timeout = 0";

  // A read beside a restore or replay uses no parallel workers: one core, the rest left to that
  // work.
  static final String ONE_CORE = "set max_parallel_workers_per_gather = 0";

  /** Compares every user table of {@code current} with {@code recovered}. */
  public DataLossReport compare(DbUrl current, DbUrl recovered) {
    return compare(current, recovered, null, null);
  }

  /**
   * Compares every user table of {@code current} with {@code recovered}, reusing side reads made
   * earlier ({@link #read}) where they cover the columns both sides share; null: read now. A reused
   * live side is as of its own read, which may be earlier than this call (e.g. taken while the
   * restore ran).
   */
  public DataLossReport compare(
      DbUrl current, DbUrl recovered, SideRead currentRead, SideRead recoveredRead) {
    ExecutorService pool = daemonWorker("dbrecover-data-loss");
    try (Connection cur = open(current);
        Connection rec = open(recovered)) {
      int[] ways = new int[3];
      DataLossReport report = compare(cur, rec, currentRead, recoveredRead, pool, null, ways);
      if (currentRead == null || currentRead.sinceDetail == null) {
        return report;
      }
      String method =
          currentRead.sinceDetail.isEmpty()
              ? "narrowed to the rows the live database wrote after the backup's snapshot (by"
                  + " xmin): "
                  + ways[1]
                  + " tables compared on those rows, "
                  + ways[2]
                  + " in full"
              : "every table in full (" + currentRead.sinceDetail + ")";
      return new DataLossReport(false, report.tables(), method);
    } catch (SQLException e) {
      throw cannotCompare(current.redacted(), recovered, e);
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Compares the live side held in {@code live} (as of its snapshot) with {@code recovered}. When
   * {@code changed} is known, a table it does not name is equal on both sides (its count is the
   * live one), a table with changed blocks is compared on those blocks only, and the others in
   * full; otherwise every table is compared in full. The report's method says which.
   */
  public DataLossReport compare(LiveSnapshot live, DbUrl recovered, ChangedBlocks changed) {
    ExecutorService pool = daemonWorker("dbrecover-data-loss");
    try (Connection rec = open(recovered)) {
      Connection cur = live.connection();
      try (Statement st = cur.createStatement()) {
        st.execute("set max_parallel_workers_per_gather to default"); // no restore beside it now
      }
      int[] ways = new int[3];
      DataLossReport report = compare(cur, rec, live.read(), null, pool, changed, ways);
      String method =
          changed.known()
              ? "narrowed to what the live database changed after the recovery point ("
                  + changed.detail()
                  + "): "
                  + ways[0]
                  + " tables unchanged, "
                  + ways[1]
                  + " compared on changed blocks, "
                  + ways[2]
                  + " in full"
              : "every table in full (" + changed.detail() + ")";
      return new DataLossReport(false, report.tables(), method);
    } catch (SQLException e) {
      throw cannotCompare("the live database", recovered, e);
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Reads one side on its own, in one repeatable-read transaction: every table's shape, row count
   * and (for tables with a primary key) sum of row hashes over all its columns. The result can be
   * given to {@link #compare(DbUrl, DbUrl, SideRead, SideRead)} later.
   */
  public SideRead read(DbUrl url) {
    return read(url, false);
  }

  /**
   * {@link #read(DbUrl)}; {@code beside} when it runs beside other heavy work (a restore, a WAL
   * replay): then it uses no parallel workers, so it takes one core and leaves the rest to that
   * work instead of competing for every core.
   */
  public SideRead read(DbUrl url, boolean beside) {
    try (Connection c = open(url)) {
      if (beside) {
        try (Statement st = c.createStatement()) {
          st.execute(ONE_CORE);
        }
      }
      return read(c);
    } catch (SQLException e) {
      throw unreadable(url, e);
    }
  }

  /**
   * The live side of a restore from a logical backup taken in {@code snap}, read beside the restore
   * on one core: every table's shape and exact row count, and for each table with a one-column
   * primary key only the rows written after the snapshot (see {@link RowsSinceBackup}). Tables with
   * other keys, or with more rows written since than {@link RowsSinceBackup#MAX_ROWS}, get the full
   * first pass; so does every table when the live database is not the one the backup was taken of
   * (the reason goes into the report's method).
   */
  public SideRead readSince(DbUrl url, BackupSnapshot snap) {
    try (Connection c = open(url)) {
      try (Statement st = c.createStatement()) {
        st.execute(ONE_CORE);
      }
      Optional<String> refused = RowsSinceBackup.refusal(c, snap);
      if (refused.isPresent()) {
        SideRead full = read(c);
        return new SideRead(full.shapes, full.summaries, Map.of(), refused.get());
      }
      try (Statement st = c.createStatement()) {
        st.execute(SESSION_SETTINGS.replace("set ", "set local "));
      }
      Map<String, TableShape> shapes = TableShape.load(c);
      Map<String, Summary> summaries = new TreeMap<>();
      Map<String, RowsSinceBackup.Since> since = new TreeMap<>();
      try (Statement st = c.createStatement()) {
        for (TableShape t : shapes.values()) {
          Plan own = Plan.of(t, t);
          RowsSinceBackup.Since s =
              own.keyed() && RowsSinceBackup.applies(t) ? RowsSinceBackup.read(c, t, snap) : null;
          if (s != null) {
            since.put(t.name(), s);
            summaries.put(t.name(), new Summary(s.rows(), null, List.of(), false));
          } else {
            summaries.put(t.name(), own.keyed() ? keyedSummary(c, st, own) : countOnly(st, own));
          }
        }
      }
      return new SideRead(shapes, summaries, since, "");
    } catch (SQLException e) {
      throw unreadable(url, e);
    }
  }

  /**
   * {@link #read(DbUrl)} on an open connection the caller owns, in its current transaction (the
   * session settings this comparison needs are set in that transaction; a rollback undoes them).
   */
  public SideRead read(Connection c) throws SQLException {
    return read(c, Map.of());
  }

  /**
   * {@link #read(Connection)}, taking the tables {@code earlier} has already read (e.g. by {@link
   * TableReads} while a restore ran) from there instead of scanning them again.
   */
  SideRead read(Connection c, Map<String, Summary> earlier) throws SQLException {
    return read(c, earlier, false);
  }

  /**
   * Only the exact row count of every table, in {@code c}'s current transaction: what a comparison
   * narrowed by {@link ChangedBlocks} needs of the live side (a full comparison reads the rest
   * later, in the same transaction).
   */
  SideRead readCounts(Connection c) throws SQLException {
    return read(c, Map.of(), true);
  }

  /**
   * {@link #readCounts(Connection)}, taking the counts {@code earlier} has (e.g. read by {@link
   * TableReads} while a restore ran) from there: what a comparison narrowed by {@link #readSince}
   * needs of the restored side.
   */
  SideRead readCounts(Connection c, Map<String, Summary> earlier) throws SQLException {
    return read(c, earlier, true);
  }

  private SideRead read(Connection c, Map<String, Summary> earlier, boolean countsOnly)
      throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(SESSION_SETTINGS.replace("set ", "set local "));
    }
    Map<String, TableShape> shapes = TableShape.load(c);
    Map<String, Summary> summaries = new TreeMap<>();
    try (Statement st = c.createStatement()) {
      for (TableShape t : shapes.values()) {
        Plan own = Plan.of(t, t);
        Summary earlierOne = earlier.get(t.name());
        Summary known =
            countsOnly
                ? (earlierOne != null && earlierOne.rows() >= 0 ? earlierOne : null)
                : reusable(earlierOne, own);
        summaries.put(
            t.name(),
            known != null
                ? known
                : own.keyed() && !countsOnly ? keyedSummary(c, st, own) : countOnly(st, own));
      }
    }
    return new SideRead(shapes, summaries);
  }

  /**
   * {@code s} if it serves {@code p}: made over exactly {@code p}'s columns for a keyed table; any
   * count for a table compared by count. Null otherwise.
   */
  private static Summary reusable(Summary s, Plan p) {
    if (s == null || s.rows() < 0) {
      return null;
    }
    if (!p.keyed()) {
      return new Summary(s.rows(), null, List.of(), false);
    }
    return s.columns().equals(p.columns()) ? s : null;
  }

  /**
   * Reads the tables of a database while a restore fills it, each as soon as the restore reports it
   * readable, on one background thread and one connection (a new snapshot per table). Until the
   * restore reports its heavy work done, each read takes one core ({@link #ONE_CORE}), leaving the
   * rest to the restore; after that, a read may use parallel workers. A table that could not be
   * read is simply read again afterwards by {@link #read(Connection, Map)}.
   */
  static final class TableReads implements AutoCloseable {
    private final ExecutorService worker = daemonWorker("dbrecover-restored-read");
    private final boolean countsOnly;
    private final Map<String, Summary> done = new ConcurrentHashMap<>();
    private final Map<String, Integer> workers = new ConcurrentHashMap<>();
    private volatile boolean restoreBusy = true;
    private DbUrl url;
    // used by the worker thread only, until finish() or close()
    private Connection connection;
    private Map<String, TableShape> shapes = Map.of();

    /** Reads every table's count and sum of row hashes. */
    TableReads() {
      this(false);
    }

    /** {@code countsOnly}: reads only every table's row count (see {@link #readCounts}). */
    TableReads(boolean countsOnly) {
      this.countsOnly = countsOnly;
    }

    /** The rows of {@code table} in {@code restored} are complete: read it when the worker can. */
    synchronized void tableLoaded(DbUrl restored, String table) {
      if (url == null) {
        url = restored;
      }
      if (url.equals(restored) && !worker.isShutdown()) {
        worker.execute(() -> readOne(table));
      }
    }

    /** The restore's heavy work is over: reads that start from now on may use every core. */
    void heavyWorkDone(DbUrl restored) {
      restoreBusy = false;
    }

    /**
     * The server's {@code max_parallel_workers_per_gather} each table was read with, by table: 0
     * while the restore was busy.
     */
    Map<String, Integer> workersPerRead() {
      return Map.copyOf(workers);
    }

    private void readOne(String table) {
      try {
        if (connection == null) {
          connection = open(url);
        }
        int perGather;
        try (Statement st = connection.createStatement()) {
          if (restoreBusy) {
            st.execute(ONE_CORE.replace("set ", "set local ")); // this read's transaction
          }
          try (ResultSet rs =
              st.executeQuery("select current_setting('max_parallel_workers_per_gather')::int")) {
            rs.next();
            perGather = rs.getInt(1);
          }
        }
        if (!shapes.containsKey(table)) {
          shapes = TableShape.load(connection);
        }
        TableShape t = shapes.get(table);
        if (t != null) {
          workers.put(table, perGather);
          try (Statement st = connection.createStatement();
              Trace.Span span =
                  Trace.span(
                      "restored read of " + table + " (" + perGather + " workers per gather)")) {
            done.put(
                table,
                countsOnly
                    ? countOnly(st, Plan.hashed(t))
                    : keyedSummary(connection, st, Plan.hashed(t)));
          }
        }
        connection.rollback(); // the next table is read in a new snapshot (and settings)
      } catch (SQLException | RuntimeException e) {
        closeConnection(); // read again after the restore
      }
    }

    /** Waits for the reads under way, closes the connection and returns what was read. */
    synchronized Map<String, Summary> finish() {
      worker.shutdown();
      try {
        if (!worker.awaitTermination(1, TimeUnit.HOURS)) {
          worker.shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        worker.shutdownNow();
      }
      closeConnection();
      return Map.copyOf(done);
    }

    @Override
    public synchronized void close() {
      worker.shutdownNow();
      try {
        worker.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      closeConnection();
    }

    private void closeConnection() {
      if (connection != null) {
        try {
          connection.close();
        } catch (SQLException ignored) {
          // nothing is left to read on it
        }
        connection = null;
      }
    }
  }

  /**
   * One database's tables as read by {@link #read}: shapes and per-table summaries.
   *
   * <p>{@link #rowCounts()} gives the exact row count of every table, so a verification can use the
   * same pass.
   */
  public static final class SideRead {
    private final Map<String, TableShape> shapes;
    private final Map<String, Summary> summaries;
    // Read by readSince: the tables read as rows written since the backup's snapshot.
    private final Map<String, RowsSinceBackup.Since> since;
    // null: not read by readSince; empty: narrowed; else why every table is compared in full
    private final String sinceDetail;

    private SideRead(Map<String, TableShape> shapes, Map<String, Summary> summaries) {
      this(shapes, summaries, Map.of(), null);
    }

    private SideRead(
        Map<String, TableShape> shapes,
        Map<String, Summary> summaries,
        Map<String, RowsSinceBackup.Since> since,
        String sinceDetail) {
      this.shapes = Map.copyOf(shapes);
      this.summaries = Map.copyOf(summaries);
      this.since = Map.copyOf(since);
      this.sinceDetail = sinceDetail;
    }

    /** Whether this live side was read as the rows written since a backup ({@link #readSince}). */
    public boolean narrowedSinceBackup() {
      return sinceDetail != null && sinceDetail.isEmpty();
    }

    /** Exact row count of every user table, by qualified name. */
    public Map<String, Long> rowCounts() {
      Map<String, Long> counts = new TreeMap<>();
      summaries.forEach((name, s) -> counts.put(name, s.rows()));
      return counts;
    }

    /** The summary of a table if it serves {@code p} (see {@link DataLossAnalyzer#reusable}). */
    private Summary reusable(Plan p) {
      return DataLossAnalyzer.reusable(summaries.get(p.name()), p);
    }
  }

  /**
   * An estimate from recorded row counts, for a dry run before anything is restored: a table loses
   * the rows it has gained since the backup. Never keyed, so changed rows are unknown (0).
   */
  public DataLossReport estimate(
      Map<String, Long> backupRowCounts, Map<String, Long> currentRowCounts) {
    List<Table> tables = new ArrayList<>();
    for (String name : union(backupRowCounts.keySet(), currentRowCounts.keySet())) {
      tables.add(
          countsOnly(
              name,
              currentRowCounts.getOrDefault(name, -1L),
              backupRowCounts.getOrDefault(name, -1L)));
    }
    return new DataLossReport(true, tables);
  }

  /**
   * {@code changed}: null or not known, compare every table; else only what it names (see {@link
   * #compare(LiveSnapshot, DbUrl, ChangedBlocks)}), which needs {@code curRead} read in {@code
   * cur}'s snapshot. Counts in {@code ways} the tables found unchanged, compared on blocks, and
   * compared in full.
   */
  private static DataLossReport compare(
      Connection cur,
      Connection rec,
      SideRead curRead,
      SideRead recRead,
      ExecutorService pool,
      ChangedBlocks changed,
      int[] ways)
      throws SQLException {
    Sides<Map<String, TableShape>> shapes =
        Sides.run(
            pool,
            () -> curRead != null ? curRead.shapes : TableShape.load(cur),
            () -> recRead != null ? recRead.shapes : TableShape.load(rec));
    boolean narrow = changed != null && changed.known() && curRead != null;
    List<Plan> plans = new ArrayList<>();
    Map<String, Table> narrowed = new TreeMap<>();
    for (String name : union(shapes.current().keySet(), shapes.recovered().keySet())) {
      TableShape a = shapes.current().get(name);
      TableShape b = shapes.recovered().get(name);
      Plan p = Plan.of(a, b);
      Summary live = curRead == null ? null : curRead.summaries.get(name);
      RowsSinceBackup.Since since = curRead == null ? null : curRead.since.get(name);
      Summary restoredCount = recRead == null ? null : recRead.summaries.get(name);
      if (since != null
          && a != null
          && a.equals(b)
          && restoredCount != null
          && restoredCount.rows() >= 0) {
        narrowed.put(name, RowsSinceBackup.compare(rec, b, since, restoredCount.rows()));
        ways[1]++;
        continue;
      }
      if (narrow && a != null && a.equals(b) && live != null && live.rows() >= 0) {
        if (!changed.touched(name)) {
          narrowed.put(
              name,
              p.keyed()
                  ? new Table(name, true, live.rows(), live.rows(), 0, 0, 0)
                  : countsOnly(name, live.rows(), live.rows()));
          ways[0]++;
          continue;
        }
        if (changed.blocks().containsKey(name) && p.keyed() && NarrowedDataLoss.applies(a)) {
          narrowed.put(
              name,
              NarrowedDataLoss.compare(
                  cur, rec, a, p.columns(), changed.blocks().get(name), live.rows(), pool));
          ways[1]++;
          continue;
        }
      }
      plans.add(p);
      ways[2]++;
    }
    Sides<List<Summary>> summaries =
        Sides.run(
            pool,
            () -> summarize(cur, plans, true, curRead),
            () -> summarize(rec, plans, false, recRead));
    Map<String, Table> tables = new TreeMap<>(narrowed);
    for (int i = 0; i < plans.size(); i++) {
      Plan p = plans.get(i);
      Summary a = summaries.current().get(i);
      Summary b = summaries.recovered().get(i);
      if (p.keyed() && !a.equals(b)) {
        KeyedDiff.Result r =
            new KeyedDiff(
                    p.sqlName(), p.key(), p.integerKey(), p.columns(), a.typeHash() && b.typeHash())
                .run(cur, rec, pool);
        tables.put(
            p.name(),
            new Table(
                p.name(),
                true,
                r.currentRows(),
                r.recoveredRows(),
                r.lost(),
                r.changed(),
                r.added()));
      } else if (p.keyed()) {
        tables.put(p.name(), new Table(p.name(), true, a.rows(), b.rows(), 0, 0, 0));
      } else {
        tables.put(p.name(), countsOnly(p.name(), a.rows(), b.rows()));
      }
    }
    return new DataLossReport(false, new ArrayList<>(tables.values()));
  }

  private static List<Summary> summarize(
      Connection c, List<Plan> plans, boolean current, SideRead earlier) throws SQLException {
    List<Summary> out = new ArrayList<>();
    try (Statement st = c.createStatement()) {
      for (Plan p : plans) {
        if (!(current ? p.inCurrent() : p.inRecovered())) {
          out.add(Summary.ABSENT);
          continue;
        }
        Summary reused = earlier == null ? null : earlier.reusable(p);
        if (reused != null) {
          out.add(reused);
        } else {
          out.add(p.keyed() ? keyedSummary(c, st, p) : countOnly(st, p));
        }
      }
    }
    return out;
  }

  /** The fast hash if the server and the column types support it, else the row-text hash. */
  private static Summary keyedSummary(Connection c, Statement st, Plan p) throws SQLException {
    Savepoint before = c.setSavepoint();
    try {
      Summary s = query(st, KeyedDiff.summarySql(c, p.sqlName(), p.columns()), p.columns(), true);
      c.releaseSavepoint(before);
      return s;
    } catch (SQLException e) {
      // e.g. "could not identify a hash function for type json", or a server before 14
      c.rollback(before);
      return query(st, KeyedDiff.textSummarySql(p.sqlName(), p.columns()), p.columns(), false);
    }
  }

  private static Summary countOnly(Statement st, Plan p) throws SQLException {
    return query(st, "select count(*), null from " + p.sqlName(), List.of(), false);
  }

  private static Summary query(Statement st, String sql, List<String> columns, boolean typeHash)
      throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return new Summary(rs.getLong(1), rs.getBigDecimal(2), columns, typeHash);
    }
  }

  private static Table countsOnly(String name, long current, long recovered) {
    long lost = recovered < 0 ? current : Math.max(0, current - recovered);
    long added = current < 0 ? recovered : Math.max(0, recovered - current);
    return new Table(name, false, current, recovered, Math.max(0, lost), 0, Math.max(0, added));
  }

  static Connection open(DbUrl url) throws SQLException {
    Connection c = DatabaseInspector.connect(url);
    try {
      try (Statement st = c.createStatement()) {
        st.execute(SESSION_SETTINGS);
      }
      c.setAutoCommit(false); // also lets the driver stream rows with a cursor
      c.setReadOnly(true);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      return c;
    } catch (SQLException e) {
      c.close();
      throw e;
    }
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new TreeSet<>(a);
    all.addAll(b);
    return all;
  }

  /**
   * Count and row-hash sum of one side over {@code columns} (empty: count only), hashed by type
   * ({@code typeHash}) or by text; rows -1 when the table is absent.
   */
  record Summary(long rows, BigDecimal hashSum, List<String> columns, boolean typeHash) {
    static final Summary ABSENT = new Summary(-1, null, List.of(), false);

    Summary {
      columns = List.copyOf(columns);
    }
  }

  /**
   * How one table is compared: keyed when both sides have the same primary key; by key ranges when
   * that key is one integer column on both sides (see {@link KeyedDiff}).
   */
  private record Plan(
      String name,
      String sqlName,
      boolean inCurrent,
      boolean inRecovered,
      List<String> key,
      boolean integerKey,
      List<String> columns) {
    static Plan of(TableShape current, TableShape recovered) {
      TableShape any = current != null ? current : recovered;
      if (current == null || recovered == null) {
        return new Plan(
            any.name(),
            any.sqlName(),
            current != null,
            recovered != null,
            List.of(),
            false,
            List.of());
      }
      List<String> common = new ArrayList<>(current.columns());
      common.retainAll(recovered.columns());
      boolean keyed =
          !current.primaryKey().isEmpty() && current.primaryKey().equals(recovered.primaryKey());
      return new Plan(
          any.name(),
          any.sqlName(),
          true,
          true,
          keyed ? current.primaryKey() : List.of(),
          keyed && current.integerKey() && recovered.integerKey(),
          common);
    }

    /** Hashes every column of one table, whatever its key (for a read before keys exist). */
    static Plan hashed(TableShape t) {
      return new Plan(t.name(), t.sqlName(), true, true, List.of("*"), false, t.columns());
    }

    boolean keyed() {
      return !key.isEmpty();
    }
  }

  /** One daemon thread of that name: never keeps the JVM alive after the command is done. */
  static ExecutorService daemonWorker(String name) {
    return Executors.newSingleThreadExecutor(
        r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          return t;
        });
  }

  private static DbRecoverException cannotCompare(String current, DbUrl recovered, Exception e) {
    return new DbRecoverException(
        ErrorCode.CONFIGURATION,
        "could not compare "
            + current
            + " with "
            + recovered.redacted()
            + ": "
            + e.getMessage()
            + "; check that the user may read every table on both sides",
        e);
  }

  /** A side that cannot be read: exit 1, naming the database (redacted) and what to check. */
  static DbRecoverException unreadable(DbUrl url, Exception e) {
    return new DbRecoverException(
        ErrorCode.CONFIGURATION,
        "could not read the tables of "
            + url.redacted()
            + ": "
            + e.getMessage()
            + "; check that the user may read every table",
        e);
  }
}
