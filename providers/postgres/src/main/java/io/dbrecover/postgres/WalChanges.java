package io.dbrecover.postgres;

import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.Trace;
import io.dbrecover.engine.spi.ChangedBlocks;
import io.dbrecover.engine.spi.DatabaseInspector;
import io.dbrecover.postgres.internal.Exec;
import io.dbrecover.postgres.internal.Wal;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads with pg_waldump what the live cluster changed after the point a restored copy stopped at
 * (its timeline's switch point), up to a live WAL position: which heap blocks of which user tables.
 * The answer is only given when it is provably complete; every doubt (a relation the restored copy
 * does not know, a catalog change, a dropped or truncated relation, two-phase commit, a transaction
 * that began before the last running-transactions record ahead of the stop point, a segment
 * pg_waldump cannot read) gives no answer, and the caller compares everything.
 *
 * <p>Transactions in flight at the stop point are aborted in the restored copy but may commit on
 * the live side; their changes before the stop point are found between the last {@code
 * RUNNING_XACTS} record before it and the stop point: PostgreSQL writes that record while it holds
 * XidGenLock, so a transaction id at or above its {@code nextXid} writes nothing before it.
 */
final class WalChanges {
  // What the forward pass reads: heap and catalog changes, commits, relation files, databases,
  // relation maps, full-page images, generic WAL; not index, sequence or standby records.
  private static final List<String> RMGRS =
      List.of(
          "--rmgr=XLOG",
          "--rmgr=Transaction",
          "--rmgr=Storage",
          "--rmgr=Database",
          "--rmgr=RelMap",
          "--rmgr=Heap2",
          "--rmgr=Heap",
          "--rmgr=Generic");
  private static final Pattern RUNNING =
      Pattern.compile("RUNNING_XACTS nextXid (\\d+) latestCompletedXid \\d+ oldestRunningXid \\d+");
  private static final Pattern SUBXACTS = Pattern.compile("subxacts:((?: \\d+)+)");
  private static final Pattern STORAGE_PATH =
      Pattern.compile("(?:base/(\\d+)|pg_tblspc/(\\d+)/[^/]+/(\\d+))/(\\d+)");
  private static final Set<String> HARMLESS_CATALOG_RECORDS =
      Set.of("PRUNE", "VACUUM", "FREEZE_PAGE", "VISIBLE", "INPLACE", "FPI", "FPI_FOR_HINT");
  // Records that change a heap page without changing which row versions are visible on it or where
  // they are: pruning, vacuum, freezing, the visibility map bit, hint bits. (A deletion they clean
  // up was logged before, by its own transaction.)
  private static final Set<String> ROW_PRESERVING =
      Set.of(
          "Heap2 PRUNE", "Heap2 VACUUM", "Heap2 FREEZE_PAGE", "Heap2 VISIBLE", "XLOG FPI_FOR_HINT");
  // Up to this many transactions in flight at the stop point, pg_waldump reads the WAL before it
  // once for each with --xid (printing little); more, once for all.
  private static final int MAX_XID_DUMPS = 6;
  // How far back from the stop point a RUNNING_XACTS record is looked for, in segments.
  private static final int MAX_SEGMENTS_BACK = 64;
  // Segments one pg_waldump call searches for it, from the stop point backwards.
  private static final int SEGMENTS_PER_SEARCH = 4;
  // Transactions whose records before the stop point an early read takes before it knows which
  // were in flight (one pg_waldump each, on the two cores).
  private static final int SPECULATED = 2;

  private final Path waldump;
  private final Path archiveDir;
  private final long segmentSize;

  // read while the restored server replayed, when there was such a read: see #runningRecords
  private RunningRecords known;
  // every pg_waldump at the lowest CPU priority (a read beside the replay)
  private boolean niced;

  WalChanges(Path waldump, Path archiveDir, long segmentSize) {
    this.waldump = waldump;
    this.archiveDir = archiveDir;
    this.segmentSize = segmentSize;
  }

  /**
   * The RUNNING_XACTS records of {@code timeline} in the archive from {@code from} to the end of
   * the archived segments that follow it without a gap, as {lsn, nextXid} in WAL order: read while
   * the restored server replays (the stop point is not known yet), so that the search before the
   * stop point is answered from here afterwards (see {@link #knowing}).
   */
  RunningRecords runningRecords(int timeline, long from) throws Doubt {
    return runningRecords(timeline, from, null);
  }

  /**
   * {@link #runningRecords(int, long)}; with {@code until}, only up to the first commit or abort
   * after it (where a replay to that time stops, see {@link RunningRecords#stopFor}).
   */
  RunningRecords runningRecords(int timeline, long from, Instant until) throws Doubt {
    long untilMicros = until == null ? Long.MAX_VALUE : WalLine.micros(until);
    long first = from / segmentSize;
    long last = first - 1;
    while (Files.isRegularFile(
        archiveDir.resolve(Wal.segment(timeline, last + 1, segmentSize).name()))) {
      last++;
    }
    long to = (last + 1) * segmentSize;
    List<long[]> records = new ArrayList<>();
    List<long[]> ends = new ArrayList<>();
    boolean[] twoPhase = {false};
    // at the lowest CPU priority: the replay beside it is what the operator waits for
    dump(
        archiveDir,
        timeline,
        from,
        to,
        List.of("--rmgr=Standby", "--rmgr=Transaction"),
        true,
        line -> {
          WalLine r = WalLine.parse(line);
          if (r == null) {
            return;
          }
          if (r.rmgr().equals("Transaction")) {
            String op = WalLine.firstWord(r.desc());
            if (op.contains("PREPARE")) {
              twoPhase[0] = true;
            } else if (op.equals("COMMIT") || op.equals("ABORT")) {
              long at = WalLine.commitMicros(r.desc(), op);
              if (at == Long.MIN_VALUE) {
                twoPhase[0] = true; // a time it cannot read: no prediction
              } else {
                ends.add(new long[] {Wal.lsn(r.lsn()), r.tx(), at});
                if (at > untilMicros) {
                  throw new Enough();
                }
              }
            }
            return;
          }
          Matcher m = RUNNING.matcher(r.desc());
          if (m.find()) {
            records.add(new long[] {Wal.lsn(r.lsn()), Long.parseLong(m.group(1))});
          }
        });
    if (until != null && !ends.isEmpty() && ends.get(ends.size() - 1)[2] > untilMicros) {
      to = ends.get(ends.size() - 1)[0] + 1; // read up to that commit or abort
    }
    return new RunningRecords(
        timeline, from, to, List.copyOf(records), List.copyOf(ends), twoPhase[0]);
  }

  /**
   * What {@link #runningRecords} read: [from, to) of one timeline: the running-transactions records
   * as {lsn, nextXid}, the commits and aborts as {lsn, xid, microseconds since the epoch}, and
   * whether a two-phase commit record (or a time that could not be read) was among them.
   */
  record RunningRecords(
      int timeline, long from, long to, List<long[]> records, List<long[]> ends, boolean twoPhase) {
    /**
     * Where a replay to {@code target} (recovery_target_time, inclusive, as PostgreSQL compares it:
     * to the microsecond) stops: before the first commit or abort after it, as {lsn, xid}; null
     * when none was read or a two-phase record makes it uncertain.
     */
    long[] stopFor(Instant target) {
      if (twoPhase) {
        return null;
      }
      long micros = WalLine.micros(target);
      for (long[] e : ends) {
        if (e[2] > micros) {
          return new long[] {e[0], e[1]};
        }
      }
      return null;
    }

    /** The newest record before {@code stop} when this read saw all of them up to it; else null. */
    long[] newestBefore(int timeline, long stop) {
      if (timeline != this.timeline || stop > to || stop <= from) {
        return null;
      }
      long[] newest = null;
      for (long[] r : records) {
        if (r[0] < stop) {
          newest = r;
        }
      }
      return newest;
    }
  }

  /** This reader, running pg_waldump at the lowest CPU priority (beside a replay). */
  WalChanges niced() {
    this.niced = true;
    return this;
  }

  /** This reader, answering the search before the stop point from {@code known} when it can. */
  WalChanges knowing(RunningRecords known) {
    this.known = known;
    return this;
  }

  /** Why there is no answer; the message goes to the journal. */
  static final class Doubt extends Exception {
    Doubt(String message) {
      super(message, null, false, false);
    }
  }

  /** A relation of the restored database's, as the WAL names it (tablespace/relfilenode). */
  private record Relation(
      String name,
      char kind,
      boolean catalog,
      boolean blockwise,
      String wholeTable,
      List<String> ancestors) {}

  /**
   * What the live cluster changed after {@code restoredData}'s switch point up to {@code liveLsn}.
   *
   * @param restoredData the restored server's data directory (promoted)
   * @param restored the restored database
   * @param live the live database
   * @param liveLsn the live WAL position the answer must cover
   */
  ChangedBlocks read(Path restoredData, DbUrl restored, DbUrl live, String liveLsn) throws Doubt {
    return read(restoredData, restored, live, liveLsn, null);
  }

  /**
   * As {@link #read(Path, DbUrl, DbUrl, String)}, finishing {@code early} (see {@link #early}) when
   * it was read for the same stop point up to {@code liveLsn} or beyond; otherwise reading anew.
   */
  ChangedBlocks read(Path restoredData, DbUrl restored, DbUrl live, String liveLsn, Prepared early)
      throws Doubt {
    long started = System.nanoTime();
    long end = Wal.lsn(liveLsn);
    long[] switchPoint = switchPoint(restoredData);
    if (early != null) {
      if (early.predictedXid >= 0
          && early.end >= end
          && confirmed(early, restoredData, restored, switchPoint)) {
        // the same records as a read from the switch point: none lies between it and the stop
        early.stop = switchPoint[1];
        return finish(early, restored, started);
      }
      if (early.predictedXid < 0
          && early.timeline == switchPoint[0]
          && early.stop == switchPoint[1]
          && early.end >= end) {
        return finish(early, restored, started);
      }
      early.close();
    }
    return finish(
        prepare((int) switchPoint[0], switchPoint[1], restored, live, end, false),
        restored,
        started);
  }

  /**
   * Reads, while the restored server still replays, what {@link #early} reads once it stopped: from
   * {@code stop}, where the replay is predicted to stop ({lsn, xid} of the commit or abort it stops
   * before, see {@link RunningRecords#stopFor}), on timeline {@code timeline}, with the restored
   * database's relations as the replay has them so far. {@link #read} takes it only when the
   * server's log names that transaction as the one it stopped before and the relations are still
   * the same; otherwise it reads anew.
   */
  Prepared predicted(int timeline, long[] stop, DbUrl restored, DbUrl live) throws Doubt {
    Prepared p = prepare(timeline, stop[0], restored, live, -1, true);
    p.predictedXid = stop[1];
    return p;
  }

  private static final Pattern STOPPED =
      Pattern.compile("recovery stopping before (?:commit|abort) of transaction (\\d+)");

  /** Whether the replay stopped where {@code p} was read from, with the same relations. */
  private boolean confirmed(Prepared p, Path restoredData, DbUrl restored, long[] switchPoint) {
    if (p.timeline != switchPoint[0] || switchPoint[1] > p.stop) {
      return false;
    }
    String stoppedBefore = null;
    try (Stream<String> lines = Files.lines(restoredData.getParent().resolve("server.log"))) {
      for (String line : (Iterable<String>) lines::iterator) {
        Matcher m = STOPPED.matcher(line);
        if (m.find()) {
          stoppedBefore = m.group(1);
        }
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      return false;
    }
    if (stoppedBefore == null || Long.parseLong(stoppedBefore) != p.predictedXid) {
      return false;
    }
    try {
      Map<String, Relation> relations = new HashMap<>();
      Map<String, Long> filenodes = new HashMap<>();
      Set<String> unlogged = new TreeSet<>();
      restoredRelations(restored, relations, filenodes, unlogged);
      return relations.equals(p.relations)
          && filenodes.equals(p.filenodes)
          && unlogged.equals(p.unlogged);
    } catch (Doubt d) {
      return false;
    }
  }

  /**
   * The part of {@link #read} that needs neither the promoted copy nor the live snapshot's WAL
   * position, read while the restored server still finishes its recovery (it accepts read-only
   * connections then): the pass after the stop point up to the live cluster's WAL now, the
   * running-transactions record before the stop point, and the records before it of the first
   * transactions that may have been in flight at it. {@link #read} finishes it once the copy is
   * promoted; an answer up to a later WAL position than the snapshot's holds for the snapshot too
   * (a block changed after it is compared all the same, and its rows are read in the snapshot).
   */
  Prepared early(Path restoredData, DbUrl restored, DbUrl live) throws Doubt {
    long[] switchPoint = switchPoint(restoredData);
    return prepare((int) switchPoint[0], switchPoint[1], restored, live, -1, true);
  }

  /** What {@link #prepare} read; see {@link #early}. */
  static final class Prepared {
    private boolean early;
    // read before the replay stopped (see #predicted): the transaction it was to stop before
    private long predictedXid = -1;
    // the restored database's relations the read used
    private Map<String, Relation> relations;
    private Map<String, Long> filenodes;
    private Set<String> unlogged;
    private int timeline;
    private long stop;
    private long end;
    private Changes changes;
    private Optional<Path> livePgWal;
    // the search for the running-transactions record: its answer, or why there is none ...
    private long[] running;
    private Doubt noRunning;
    // ... or, while it runs, the search itself
    private Future<long[]> search;
    private final AtomicBoolean searchUnneeded = new AtomicBoolean();
    private ExecutorService pool;
    private Path dir;
    // the records before the stop point of transactions that may have been in flight at it
    private final Map<Long, List<String>> before = new HashMap<>();

    private void close() {
      searchUnneeded.set(true);
      if (pool != null) {
        pool.shutdownNow();
      }
      if (dir != null) {
        deleteQuietly(dir);
        dir = null;
      }
    }
  }

  /**
   * Reads after the stop point up to {@code end} (-1: the live cluster's flushed WAL now), with the
   * search for the running-transactions record beside it; {@code speculate}: also waits for the
   * search and reads the records before the stop point of the first transactions that may be in
   * flight (what {@link #finish} then needs from the promoted copy is its next transaction id).
   */
  private Prepared prepare(
      int timeline, long stop, DbUrl restored, DbUrl live, long end, boolean speculate)
      throws Doubt {
    Prepared p = new Prepared();
    p.early = speculate;
    boolean handedOver = false;
    try {
      p.timeline = timeline;
      p.stop = stop;
      Map<String, Relation> relations = new HashMap<>();
      Map<String, Long> restoredFilenodes = new HashMap<>();
      Set<String> unlogged = new TreeSet<>();
      String db;
      try (Trace.Span span = Trace.span("wal: restored relations")) {
        db = restoredRelations(restored, relations, restoredFilenodes, unlogged);
      }
      p.relations = relations;
      p.filenodes = restoredFilenodes;
      p.unlogged = unlogged;
      p.end = end >= 0 ? end : liveFlushed(live);
      if (p.end < p.stop) {
        throw new Doubt("the live WAL position " + Wal.lsn(p.end) + " is before the stop point");
      }
      try (Trace.Span span = Trace.span("wal: check live")) {
        p.livePgWal = checkLive(live, db, p.timeline, p.end, restoredFilenodes);
      }
      p.dir = segmentDir(p.timeline, p.stop, p.end, p.livePgWal);
      p.pool = workers(1);
      // Where transactions in flight at the stop point may have begun is looked for beside the
      // forward pass, on the other core; it is dropped when none turns out to be in flight.
      Path dir = p.dir;
      long[] seen = known == null ? null : known.newestBefore(timeline, stop);
      Speculation speculation = null;
      if (seen != null && seen[0] >= floor(stop)) {
        // read while the copy replayed: the first transactions that commit after the stop point
        // are read before it while the forward pass goes on
        p.running = seen;
        speculation = speculate ? new Speculation(dir, timeline, seen, stop) : null;
      } else {
        p.search = p.pool.submit(() -> lastRunningXacts(dir, timeline, stop, p.searchUnneeded));
      }
      Changes changes = new Changes(db, relations);
      for (String u : unlogged) {
        changes.whole.add(u);
      }
      // after the stop point: every record counts
      try (Trace.Span span = Trace.span("wal: forward pass")) {
        forward(dir, timeline, stop, p.end, changes, db, relations, speculation);
      }
      p.changes = changes;
      if (speculation != null) {
        try (Trace.Span span = Trace.span("wal: speculated transactions")) {
          p.before.putAll(speculation.results());
        }
        p.close();
      } else if (speculate) {
        try (Trace.Span span = Trace.span("wal: running-xacts search")) {
          p.running = await(p.search);
        } catch (Doubt d) {
          p.noRunning = d;
        }
        p.search = null;
        if (p.running != null) {
          // In flight at the stop point are the committed ids below the copy's next one: the
          // lowest ids first (not yet known: where the next one is).
          List<Long> candidates = new ArrayList<>();
          for (long x : changes.committed) {
            if (!precedes(x, p.running[1])) {
              candidates.add(x);
            }
          }
          candidates.sort((a, b) -> precedes(a, b) ? -1 : a.equals(b) ? 0 : 1);
          Trace.mark("wal: speculated xids start");
          p.before.putAll(
              byXid(
                  dir,
                  timeline,
                  p.running[0],
                  stop,
                  new TreeSet<>(candidates.subList(0, Math.min(SPECULATED, candidates.size())))));
        }
        p.close();
        Trace.mark("wal: early read done");
      }
      handedOver = true;
      return p;
    } finally {
      if (!handedOver) {
        p.close();
      }
    }
  }

  /** Finishes {@code p} with the promoted copy's next transaction id; closes {@code p}. */
  private ChangedBlocks finish(Prepared p, DbUrl restored, long started) throws Doubt {
    try {
      Changes changes = p.changes;
      // Before the stop point: the records of the transactions that commit after it. Recovery
      // moves nextXid past every transaction id it replays, so only ids below the restored copy's
      // can have any.
      long nextXid = restoredNextXid(restored);
      Set<Long> inFlight = new TreeSet<>();
      for (long x : changes.committed) {
        if (precedes(x, nextXid)) {
          inFlight.add(x);
        }
      }
      long from = p.stop;
      if (inFlight.isEmpty()) {
        p.searchUnneeded.set(true);
      } else {
        if (p.search != null) {
          p.running = await(p.search);
        } else if (p.noRunning != null) {
          throw p.noRunning;
        }
        from = startOfInFlight(p.running, inFlight);
        Set<Long> missing = new TreeSet<>(inFlight);
        missing.removeAll(p.before.keySet());
        if (inFlight.size() <= MAX_XID_DUMPS) {
          if (!missing.isEmpty()) {
            p.before.putAll(byXid(dir(p), p.timeline, from, p.stop, missing));
          }
          for (long x : inFlight) {
            for (String line : p.before.get(x)) {
              changes.record(line, inFlight);
            }
          }
        } else {
          dump(dir(p), p.timeline, from, p.stop, List.of(), line -> changes.record(line, inFlight));
        }
      }
      if (changes.doubt != null) {
        throw new Doubt(changes.doubt);
      }
      return new ChangedBlocks(
          true,
          Wal.lsn(p.stop),
          Wal.lsn(p.end),
          changes.blocks,
          changes.whole,
          "pg_waldump from "
              + Wal.lsn(p.stop)
              + " to "
              + Wal.lsn(p.end)
              + " on timeline "
              + p.timeline
              + ": "
              + changes.committed.size()
              + " transactions committed after the stop point ("
              + inFlight.size()
              + " of them in flight at it), "
              + changes.blocks.values().stream().mapToInt(Set::size).sum()
              + " heap blocks changed in "
              + changes.blocks.size()
              + " tables, "
              + changes.whole.size()
              + " compared whole; "
              + (p.stop - from) / 1024
              + " kB read before the stop point for transactions in flight at it"
              + (p.predictedXid >= 0
                  ? ", most of it while the copy replayed (where it would stop was foreseen)"
                  : p.early ? ", most of it while the copy promoted" : "")
              + "; "
              + String.format(
                  java.util.Locale.ROOT, "%.1f s", (System.nanoTime() - started) / 1e9));
    } finally {
      p.close();
    }
  }

  /** {@code p}'s segment directory, laid out again when {@link #prepare} already removed it. */
  private Path dir(Prepared p) throws Doubt {
    if (p.dir == null) {
      p.dir = segmentDir(p.timeline, p.stop, p.end, p.livePgWal);
    }
    return p.dir;
  }

  /** How far back from {@code stop} a RUNNING_XACTS record counts. */
  private long floor(long stop) {
    return Math.max(0, (stop / segmentSize - MAX_SEGMENTS_BACK) * segmentSize);
  }

  /**
   * The records before the stop point of the first {@link #SPECULATED} transactions seen to commit
   * after it that may have been in flight at it (not below the running-transactions record's
   * nextXid), each read with pg_waldump --xid as soon as its commit is seen.
   */
  private final class Speculation {
    private final Path dir;
    private final int timeline;
    private final long[] running;
    private final long stop;
    private final ExecutorService pool = workers(SPECULATED);
    private final Map<Long, Future<List<String>>> reads = new HashMap<>();

    Speculation(Path dir, int timeline, long[] running, long stop) {
      this.dir = dir;
      this.timeline = timeline;
      this.running = running;
      this.stop = stop;
    }

    /** Called for each commit after the stop point, in WAL order. */
    void committed(long xid) {
      if (reads.size() >= SPECULATED || precedes(xid, running[1]) || reads.containsKey(xid)) {
        return;
      }
      reads.put(xid, pool.submit(() -> xidLines(dir, timeline, running[0], stop, xid)));
    }

    Map<Long, List<String>> results() throws Doubt {
      try {
        return awaitAll(reads);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  /**
   * Hands every record in [{@code stop}, {@code end}) to {@code changes}: in two halves read at
   * once, one for each core, when the range spans a segment boundary. The first half reads on until
   * its first record at or after the boundary (a record that crosses the boundary is whole only
   * there), the second starts at the boundary, where pg_waldump skips to the first record that
   * begins after it.
   */
  private void forward(
      Path dir,
      int timeline,
      long stop,
      long end,
      Changes changes,
      String db,
      Map<String, Relation> relations,
      Speculation speculation)
      throws Doubt {
    long middle = (stop + (end - stop) / 2) / segmentSize * segmentSize;
    boolean halves = middle > stop && middle < end;
    long half = halves ? middle : Long.MAX_VALUE;
    Changes second = new Changes(db, relations);
    ExecutorService pool = workers(1);
    try {
      Future<Void> secondHalf =
          halves
              ? pool.submit(
                  () -> {
                    dump(
                        dir,
                        timeline,
                        half,
                        end,
                        RMGRS,
                        line -> second.record(WalLine.parse(line), null));
                    Trace.mark("wal: second half read");
                    return null;
                  })
              : null;
      dump(
          dir,
          timeline,
          stop,
          end,
          RMGRS,
          line -> {
            WalLine r = WalLine.parse(line);
            if (r != null && halves && Wal.lsn(r.lsn()) >= half) {
              throw new Enough();
            }
            changes.record(r, null);
            speculate(r, speculation);
          });
      if (halves) {
        Trace.mark("wal: first half read");
        await(secondHalf);
        changes.add(second);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static void speculate(WalLine r, Speculation speculation) {
    if (speculation != null
        && r != null
        && r.rmgr().equals("Transaction")
        && r.desc().startsWith("COMMIT")) {
      speculation.committed(r.tx());
    }
  }

  /** The live cluster's flushed WAL position now. */
  private static long liveFlushed(DbUrl live) throws Doubt {
    try (Connection c = DatabaseInspector.connect(live);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select pg_current_wal_flush_lsn()::text")) {
      rs.next();
      return Wal.lsn(rs.getString(1));
    } catch (SQLException | RuntimeException e) {
      throw new Doubt("cannot read the live WAL position: " + e.getMessage());
    }
  }

  /** Daemon threads for pg_waldump runs (two: one for each core). */
  private static ExecutorService workers(int threads) {
    return Executors.newFixedThreadPool(
        threads,
        r -> {
          Thread t = new Thread(r, "dbrecover-waldump");
          t.setDaemon(true);
          return t;
        });
  }

  private static <T> T await(Future<T> f) throws Doubt {
    try {
      return f.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Doubt) {
        throw (Doubt) e.getCause();
      }
      throw new Doubt("pg_waldump failed: " + e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Doubt("interrupted");
    }
  }

  /** The restored server's parent timeline and switch point, from its newest history file. */
  private static long[] switchPoint(Path data) throws Doubt {
    Path pgWal = data.resolve("pg_wal");
    Optional<Path> newest;
    try (Stream<Path> files = Files.list(pgWal)) {
      newest =
          files
              .filter(p -> p.getFileName().toString().matches("[0-9A-F]{8}\\.history"))
              .max(Path::compareTo);
    } catch (IOException e) {
      throw new Doubt("cannot list " + pgWal + ": " + e.getMessage());
    }
    if (newest.isEmpty()) {
      throw new Doubt("the restored server has no timeline history file");
    }
    try {
      String last = null;
      for (String l : Files.readAllLines(newest.get(), StandardCharsets.UTF_8)) {
        if (!l.isBlank() && !l.startsWith("#")) {
          last = l;
        }
      }
      String[] f = last == null ? new String[0] : last.strip().split("\\s+");
      if (f.length < 2 || !Wal.isLsn(f[1])) {
        throw new Doubt("cannot read the switch point from " + newest.get());
      }
      return new long[] {Long.parseLong(f[0]), Wal.lsn(f[1])};
    } catch (IOException | NumberFormatException e) {
      throw new Doubt("cannot read " + newest.get() + ": " + e.getMessage());
    }
  }

  private static final String RELATIONS =
      "select c.oid, coalesce(nullif(c.reltablespace, 0), d.dattablespace),"
          + " pg_relation_filenode(c.oid), c.relkind, n.nspname, c.relname, c.relpersistence,"
          + " c.relhassubclass, c.relispartition,"
          + " (select n2.nspname || '.' || o.relname from pg_class o"
          + "   join pg_namespace n2 on n2.oid = o.relnamespace where o.reltoastrelid = c.oid),"
          + " array(with recursive a(oid) as (select inhparent from pg_inherits where inhrelid ="
          + "   c.oid union select i.inhparent from pg_inherits i join a on i.inhrelid = a.oid)"
          + "   select n3.nspname || '.' || p.relname from a join pg_class p on p.oid = a.oid"
          + "   join pg_namespace n3 on n3.oid = p.relnamespace where not p.relispartition),"
          + " d.oid, coalesce((select amname from pg_am where oid = c.relam), '')"
          + " from pg_class c join pg_namespace n on n.oid = c.relnamespace"
          + " join pg_database d on d.datname = current_database()"
          + " where pg_relation_filenode(c.oid) is not null and c.relisshared = false";

  /** Fills the maps from the restored database; returns its database oid. */
  private static String restoredRelations(
      DbUrl restored,
      Map<String, Relation> relations,
      Map<String, Long> filenodes,
      Set<String> unlogged)
      throws Doubt {
    String db = null;
    try (Connection c = DatabaseInspector.connect(restored);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(RELATIONS)) {
      while (rs.next()) {
        char kind = rs.getString(4).charAt(0);
        String schema = rs.getString(5);
        String name = schema + "." + rs.getString(6);
        String toastOwner = rs.getString(10);
        boolean catalog =
            schema.equals("pg_catalog")
                || schema.equals("information_schema")
                || toastOwner != null && toastOwner.startsWith("pg_catalog.");
        if (catalog && toastOwner != null) {
          name = toastOwner; // a catalog's TOAST table counts as the catalog
        }
        boolean userTable = kind == 'r' && !catalog && !schema.startsWith("pg_toast");
        boolean persistent = "p".equals(rs.getString(7));
        boolean partition = rs.getBoolean(9);
        List<String> ancestors = List.of((String[]) rs.getArray(11).getArray());
        String whole =
            toastOwner != null && !catalog
                ? toastOwner
                : userTable && (partition || rs.getBoolean(8)) ? name : null;
        boolean blockwise = userTable && !partition && !rs.getBoolean(8) && persistent;
        relations.put(
            rs.getLong(2) + "/" + rs.getLong(3),
            new Relation(name, kind, catalog, blockwise, whole, ancestors));
        if (userTable || kind == 'p' || kind == 't' && !catalog) {
          filenodes.put(name, rs.getLong(3));
        }
        // Rows of an unlogged table are not in the WAL; those of another table access method
        // than heap are not where a heap's blocks say.
        if ((userTable || kind == 'p') && !persistent
            || userTable && !"heap".equals(rs.getString(13))) {
          unlogged.add(name);
          unlogged.addAll(ancestors);
        }
        db = rs.getString(12);
      }
    } catch (SQLException | RuntimeException e) {
      throw new Doubt("cannot read the restored database's relations: " + e.getMessage());
    }
    if (db == null) {
      throw new Doubt("the restored database has no relations");
    }
    return db;
  }

  /**
   * Checks that the live database is the restored one's origin: same database oid, on the timeline
   * the restore branched from, every table in the same file (no rewrite or truncate since); waits
   * until the WAL up to {@code end} is on disk. Returns the live pg_wal directory when this user
   * may read it.
   */
  private static Optional<Path> checkLive(
      DbUrl live, String db, int timeline, long end, Map<String, Long> restoredFilenodes)
      throws Doubt {
    try (Connection c = DatabaseInspector.connect(live);
        Statement st = c.createStatement()) {
      try (ResultSet rs =
          st.executeQuery(
              "select d.oid::text, pg_walfile_name(pg_current_wal_lsn())"
                  + " from pg_database d where d.datname = current_database()")) {
        rs.next();
        if (!db.equals(rs.getString(1))) {
          throw new Doubt("the live database is not the one the restore was copied from");
        }
        if (Integer.parseInt(rs.getString(2).substring(0, 8), 16) != timeline) {
          throw new Doubt("the live cluster is no longer on timeline " + timeline);
        }
      }
      try (ResultSet rs =
          st.executeQuery(
              "select n.nspname || '.' || c.relname, pg_relation_filenode(c.oid)"
                  + " from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                  + " where c.relkind in ('r', 'p', 't') and pg_relation_filenode(c.oid) is not"
                  + " null")) {
        while (rs.next()) {
          Long before = restoredFilenodes.get(rs.getString(1));
          if (before != null && before != rs.getLong(2)) {
            throw new Doubt(rs.getString(1) + " was rewritten or truncated after the stop point");
          }
        }
      }
      // A commit the snapshot sees may not be flushed yet (synchronous_commit off): the WAL
      // writer flushes within wal_writer_delay.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (true) {
        try (ResultSet rs =
            st.executeQuery(
                "select pg_current_wal_flush_lsn() >= '" + Wal.lsn(end) + "'::pg_lsn")) {
          rs.next();
          if (rs.getBoolean(1)) {
            break;
          }
        }
        if (System.nanoTime() > deadline) {
          throw new Doubt("the live WAL up to " + Wal.lsn(end) + " was not flushed in 10 s");
        }
        Thread.sleep(20);
      }
      try (ResultSet rs = st.executeQuery("select current_setting('data_directory')")) {
        rs.next();
        Path pgWal = Path.of(rs.getString(1)).resolve("pg_wal");
        return Files.isReadable(pgWal) ? Optional.of(pgWal) : Optional.empty();
      } catch (SQLException e) {
        return Optional.empty(); // not allowed to read the setting: the archive alone
      }
    } catch (SQLException | RuntimeException e) {
      throw new Doubt("cannot read the live database: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Doubt("interrupted");
    }
  }

  /**
   * A temporary directory of links to the segments of {@code timeline} from the archive (whole
   * segments) and the live pg_wal (the segment being written), covering what the dumps read.
   */
  private Path segmentDir(int timeline, long stop, long end, Optional<Path> livePgWal)
      throws Doubt {
    try {
      Path dir = Files.createTempDirectory("dbrecover-waldump");
      long first = Math.max(0, stop / segmentSize - MAX_SEGMENTS_BACK);
      long last = end / segmentSize;
      for (long n = first; n <= last; n++) {
        String name = Wal.segment(timeline, n, segmentSize).name();
        Path from = archiveDir.resolve(name);
        if (!(Files.isRegularFile(from) && Files.size(from) == segmentSize)) {
          from = livePgWal.map(p -> p.resolve(name)).orElse(null);
        }
        if (from != null && Files.isRegularFile(from)) {
          Files.createSymbolicLink(dir.resolve(name), from.toAbsolutePath());
        }
      }
      return dir;
    } catch (IOException e) {
      throw new Doubt("cannot lay out the WAL segments: " + e.getMessage());
    }
  }

  /**
   * The newest RUNNING_XACTS record before {@code stop}, as {lsn, nextXid}: searched backwards in
   * chunks of {@link #SEGMENTS_PER_SEARCH} segments, two chunks read at a time. Gives up early,
   * with a doubt, once {@code unneeded} is set.
   */
  private long[] lastRunningXacts(Path dir, int timeline, long stop, AtomicBoolean unneeded)
      throws Doubt {
    long floor = floor(stop);
    ExecutorService readers = workers(2);
    // set once the answer is found: the older chunk still being read is abandoned
    AtomicBoolean answered = new AtomicBoolean();
    java.util.function.BooleanSupplier abandon = () -> unneeded.get() || answered.get();
    java.util.ArrayDeque<Future<long[]>> chunks = new java.util.ArrayDeque<>();
    long next = stop; // the end of the next chunk to read
    try {
      while (true) {
        while (chunks.size() < 2 && next > floor) {
          long to = next;
          long from =
              Math.max(
                  floor,
                  (to - 1) / segmentSize * segmentSize - (SEGMENTS_PER_SEARCH - 1) * segmentSize);
          next = from;
          chunks.add(readers.submit(() -> newestRunningXacts(dir, timeline, from, to, abandon)));
        }
        Future<long[]> nearest = chunks.poll();
        if (nearest == null) {
          throw new Doubt(
              "no running-transactions record in the "
                  + MAX_SEGMENTS_BACK
                  + " segments before the stop");
        }
        long[] found = await(nearest);
        if (found != null) {
          return found;
        }
      }
    } finally {
      answered.set(true);
      readers.shutdownNow();
    }
  }

  /** The newest RUNNING_XACTS record in [from, to) as {lsn, nextXid}, or null. */
  private long[] newestRunningXacts(
      Path dir, int timeline, long from, long to, java.util.function.BooleanSupplier abandon)
      throws Doubt {
    long[][] newest = new long[1][];
    dump(
        dir,
        timeline,
        from,
        to,
        List.of("--rmgr=Standby"),
        line -> {
          if (abandon.getAsBoolean()) {
            throw new Abandoned();
          }
          WalLine r = WalLine.parse(line);
          if (r != null) {
            Matcher m = RUNNING.matcher(r.desc());
            if (m.find()) {
              newest[0] = new long[] {Wal.lsn(r.lsn()), Long.parseLong(m.group(1))};
            }
          }
        });
    return newest[0];
  }

  /**
   * Where to start reading for the records that transactions of {@code committed} wrote before the
   * stop point: the RUNNING_XACTS record {@code running} found, provided none of them precedes its
   * nextXid (PostgreSQL writes that record while it holds XidGenLock, so a transaction id at or
   * above it wrote nothing before it).
   */
  private static long startOfInFlight(long[] running, Set<Long> committed) throws Doubt {
    for (long x : committed) {
      if (precedes(x, running[1])) {
        throw new Doubt(
            "transaction "
                + x
                + " began before the last running-transactions record ahead of the stop"
                + " point and committed after it");
      }
    }
    return running[0];
  }

  /** Thrown from a line consumer when it has read all it needs of a pg_waldump. */
  private static final class Enough extends RuntimeException {
    Enough() {
      super("enough", null, false, false);
    }
  }

  /** Thrown from a line consumer to stop reading a pg_waldump that is no longer needed. */
  private static final class Abandoned extends RuntimeException {
    Abandoned() {
      super("abandoned", null, false, false);
    }
  }

  /** The restored copy's next transaction id (low 32 bits). */
  private static long restoredNextXid(DbUrl restored) throws Doubt {
    try (Connection c = DatabaseInspector.connect(restored);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("select txid_snapshot_xmax(txid_current_snapshot()) % 4294967296")) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException | RuntimeException e) {
      throw new Doubt("cannot read the restored copy's next transaction id: " + e.getMessage());
    }
  }

  /** The lines of pg_waldump --xid over [from, to) for each of {@code xids}, two at a time. */
  private Map<Long, List<String>> byXid(Path dir, int timeline, long from, long to, Set<Long> xids)
      throws Doubt {
    ExecutorService pool = workers(2);
    try {
      Map<Long, Future<List<String>>> parts = new TreeMap<>();
      for (long x : xids) {
        parts.put(x, pool.submit(() -> xidLines(dir, timeline, from, to, x)));
      }
      return awaitAll(parts);
    } finally {
      pool.shutdownNow();
    }
  }

  /** The lines of pg_waldump --xid={@code xid} over [from, to). */
  private List<String> xidLines(Path dir, int timeline, long from, long to, long xid) throws Doubt {
    List<String> lines = new ArrayList<>();
    dump(dir, timeline, from, to, List.of("--xid=" + xid), lines::add);
    return lines;
  }

  /** Each read's lines, by transaction id, once all are done. */
  private static Map<Long, List<String>> awaitAll(Map<Long, Future<List<String>>> reads)
      throws Doubt {
    Map<Long, List<String>> all = new HashMap<>();
    for (Map.Entry<Long, Future<List<String>>> read : reads.entrySet()) {
      all.put(read.getKey(), await(read.getValue()));
    }
    return all;
  }

  // TransactionIdPrecedes for normal transaction ids: modulo 2^32.
  private static boolean precedes(long a, long b) {
    return (int) (a - b) < 0;
  }

  /** Runs pg_waldump over [from, to) and hands each output line to {@code lines}. */
  private void dump(
      Path dir, int timeline, long from, long to, List<String> extra, Consumer<String> lines)
      throws Doubt {
    dump(dir, timeline, from, to, extra, false, lines);
  }

  /** {@link #dump}; {@code background}: at the lowest CPU priority (see Exec#background). */
  private void dump(
      Path dir,
      int timeline,
      long from,
      long to,
      List<String> extra,
      boolean background,
      Consumer<String> lines)
      throws Doubt {
    if (to <= from) {
      return;
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(waldump.toString());
    cmd.add("--path=" + dir);
    cmd.add("--timeline=" + timeline);
    cmd.add("--start=" + Wal.lsn(from));
    cmd.add("--end=" + Wal.lsn(to));
    cmd.addAll(extra);
    Path err = null;
    try {
      err = Files.createTempFile("dbrecover-waldump", ".err");
      ProcessBuilder pb = new ProcessBuilder(background || niced ? Exec.background(cmd) : cmd);
      pb.environment().put("TZ", "UTC"); // commit times as runningRecords reads them
      Process p =
          pb.redirectError(err.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      try (BufferedReader r =
          new BufferedReader(
              new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8), 1 << 16)) {
        String line;
        while ((line = r.readLine()) != null) {
          lines.accept(line);
        }
      } catch (Abandoned e) {
        p.destroyForcibly();
        throw new Doubt("not needed");
      } catch (Enough e) {
        p.destroyForcibly();
        return;
      }
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new Doubt("pg_waldump did not finish");
      }
      String stderr = Files.readString(err);
      if (p.exitValue() != 0 || stderr.contains("error")) {
        throw new Doubt(
            "pg_waldump from "
                + Wal.lsn(from)
                + " to "
                + Wal.lsn(to)
                + " failed: "
                + stderr.strip().lines().reduce((a, b) -> b).orElse("exit " + p.exitValue()));
      }
    } catch (IOException e) {
      throw new Doubt("cannot run " + waldump + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Doubt("interrupted");
    } finally {
      if (err != null) {
        deleteQuietly(err);
      }
    }
  }

  /** What the records seen so far change. */
  private static final class Changes {
    private final String db;
    private final Map<String, Relation> relations;
    final Map<String, SortedSet<Long>> blocks = new TreeMap<>();
    final Set<String> whole = new TreeSet<>();
    final Set<Long> committed = new HashSet<>();
    String doubt;

    private final Map<String, Relation> tables = new HashMap<>();

    Changes(String db, Map<String, Relation> relations) {
      this.db = db;
      this.relations = relations;
      relations.values().stream()
          .filter(r -> r.kind() == 'r' || r.kind() == 'p')
          .forEach(r -> tables.put(r.name(), r));
    }

    /** One pg_waldump line; {@code only}: count only records of these transactions. */
    void record(String line, Set<Long> only) {
      record(WalLine.parse(line), only);
    }

    /** {@link #record(String, Set)} of a parsed line (null: not a record). */
    void record(WalLine r, Set<Long> only) {
      if (doubt != null) {
        return;
      }
      if (r == null) {
        return; // pg_waldump's own notes ("first record is after ...")
      }
      String rmgr = r.rmgr();
      long tx = r.tx();
      String desc = r.desc();
      if (only != null && !only.contains(tx)) {
        return;
      }
      String op = WalLine.firstWord(desc);
      switch (rmgr) {
        case "Transaction":
          if (op.equals("COMMIT")) {
            if (desc.contains("rels:")) {
              doubt = "a transaction committed after the stop point dropped relations";
              return;
            }
            committed.add(tx);
            Matcher s = SUBXACTS.matcher(desc);
            if (s.find()) {
              for (String x : s.group(1).strip().split(" ")) {
                committed.add(Long.parseLong(x));
              }
            }
          } else if (op.contains("PREPARE")) {
            doubt = "two-phase commit after the stop point (" + op + ")";
            return;
          }
          break;
        case "Storage":
          storage(desc);
          return;
        case "Database":
        case "RelMap":
          doubt = rmgr + " record " + op + " after the stop point";
          return;
        default:
          break;
      }
      if (rmgr.equals("Heap") && op.equals("TRUNCATE")) {
        doubt = "a table was truncated after the stop point";
        return;
      }
      boolean rowPreserving = ROW_PRESERVING.contains(rmgr + " " + op);
      WalLine.BlockRef b = new WalLine.BlockRef(desc);
      while (doubt == null && b.next()) {
        if (!b.in(db)) {
          continue; // another database, or a shared catalog
        }
        if (!b.mainFork()) {
          continue; // free space and visibility maps hold no rows
        }
        block(rmgr, op, rowPreserving, b.relfile(), b.block());
      }
    }

    /** Adds what {@code other}, read over a later range, saw. */
    void add(Changes other) {
      if (doubt == null) {
        doubt = other.doubt;
      }
      other.blocks.forEach((t, b) -> blocks.computeIfAbsent(t, k -> new TreeSet<>()).addAll(b));
      whole.addAll(other.whole);
      committed.addAll(other.committed);
    }

    private void block(String rmgr, String op, boolean rowPreserving, String relfile, long block) {
      Relation rel = relations.get(relfile);
      if (rel == null) {
        doubt = "a relation the restored database does not have (" + relfile + ") changed";
        return;
      }
      if (rel.kind() == 'i' || rel.kind() == 'I' || rel.kind() == 'S') {
        return; // an index or a sequence: the rows it serves are compared through the table
      }
      if (rel.catalog()) {
        if (!rel.name().startsWith("pg_catalog.pg_statistic")
            && !HARMLESS_CATALOG_RECORDS.contains(op)) {
          doubt = "the catalog " + rel.name() + " changed (" + rmgr + " " + op + ")";
        }
        return;
      }
      if (rel.kind() == 't') {
        // a TOAST table: its owner is compared whole, and so are the owner's ancestors
        Relation owner = tables.get(rel.wholeTable());
        if (owner == null) {
          doubt = "the TOAST table " + rel.name() + " has no owner table";
          return;
        }
        whole.add(owner.wholeTable() != null ? owner.wholeTable() : owner.name());
        whole.addAll(owner.ancestors());
        return;
      }
      if (rel.wholeTable() != null) {
        whole.add(rel.wholeTable());
      } else if (rel.blockwise() && rowPreserving) {
        return; // vacuum and hint bits: the same rows at the same places
      } else if (rel.blockwise()) {
        blocks.computeIfAbsent(rel.name(), k -> new TreeSet<>()).add(block);
      } else if (rel.kind() == 'r' || rel.kind() == 'p') {
        whole.add(rel.name());
      } else if (rel.kind() != 'm') {
        doubt = "an unexpected relation " + rel.name() + " (kind " + rel.kind() + ") changed";
        return;
      }
      whole.addAll(rel.ancestors());
    }

    private void storage(String desc) {
      Matcher m = STORAGE_PATH.matcher(desc);
      if (!m.find()) {
        doubt = "a storage record pg_waldump did not describe as expected: " + desc;
        return;
      }
      String recDb = m.group(1) != null ? m.group(1) : m.group(3);
      String spc = m.group(1) != null ? null : m.group(2);
      if (!db.equals(recDb)) {
        return;
      }
      String relfile = m.group(4);
      Relation rel =
          relations.entrySet().stream()
              .filter(
                  e ->
                      e.getKey().endsWith("/" + relfile)
                          && (spc == null || e.getKey().startsWith(spc + "/")))
              .map(Map.Entry::getValue)
              .findFirst()
              .orElse(null);
      if (desc.startsWith("TRUNCATE") && rel != null && rel.kind() == 'r' && !rel.catalog()) {
        // VACUUM cuts off empty pages at the end; compare the table whole to be sure
        whole.add(rel.name());
        whole.addAll(rel.ancestors());
        return;
      }
      if (desc.startsWith("TRUNCATE") && rel != null && (rel.kind() == 'i' || rel.catalog())) {
        return;
      }
      doubt = "a relation was created or truncated after the stop point (" + desc + ")";
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      if (Files.isDirectory(p)) {
        try (Stream<Path> files = Files.list(p)) {
          for (Path f : (Iterable<Path>) files::iterator) {
            Files.deleteIfExists(f);
          }
        }
      }
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // a temporary file
    }
  }
}
