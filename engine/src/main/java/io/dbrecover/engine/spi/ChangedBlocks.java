package io.dbrecover.engine.spi;

import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the live database changed after the point a restored copy stops at, as read from the
 * write-ahead log: per user table, the heap blocks that changed, or that the table must be compared
 * whole. A table named in neither map has exactly the same rows in the live database (as of {@code
 * toLsn}) as in the restored copy.
 *
 * <p>A provider answers {@link #known() known} only when it can prove it: every relation the log
 * touches is known, no table was rewritten, truncated, created or dropped, no schema changed, and
 * the changes of transactions in flight at the stop point are included. Otherwise it answers {@link
 * #unknown} with the reason, and the whole database is compared.
 *
 * @param known whether the answer holds; false: compare everything ({@code detail} says why)
 * @param fromLsn where the restored copy stopped (its timeline's switch point)
 * @param toLsn the live database's WAL position the answer covers
 * @param blocks heap block numbers per table ({@code schema.table}) whose rows may differ
 * @param whole tables to compare row by row in full (e.g. unlogged, partitioned, TOAST changed)
 * @param detail how it was found, for the run's journal and report
 */
public record ChangedBlocks(
    boolean known,
    String fromLsn,
    String toLsn,
    Map<String, SortedSet<Long>> blocks,
    Set<String> whole,
    String detail) {
  public ChangedBlocks {
    Map<String, SortedSet<Long>> copy = new TreeMap<>();
    blocks.forEach((table, b) -> copy.put(table, new TreeSet<>(b)));
    blocks = Map.copyOf(copy);
    whole = Set.copyOf(whole);
  }

  /** No answer, for {@code reason}: every table must be compared. */
  public static ChangedBlocks unknown(String reason) {
    return new ChangedBlocks(false, "", "", Map.of(), Set.of(), reason);
  }

  /** Whether {@code table}'s rows may differ between the two sides. */
  public boolean touched(String table) {
    return blocks.containsKey(table) || whole.contains(table);
  }
}
