package io.dbrecover.postgres.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a parallel pg_restore does to each table, from the archive's table of contents ({@code
 * pg_restore --list}), followed item by item as its verbose output reports them finished. Tells
 * when a table can be read beside the restore and when the restore's heavy work is over.
 *
 * <p>A table is readable once its rows are loaded and no item that locks it exclusively is still to
 * come: adding a primary key, unique or check constraint, a rule, a policy or row security takes an
 * ACCESS EXCLUSIVE lock, which a read holding the table would make pg_restore wait for (and a read
 * queued behind it would only wait). Indexes, triggers and foreign keys take weaker locks that
 * reads do not conflict with. An item whose table the listing leaves ambiguous (a name with a
 * space) holds back every table until it finishes.
 *
 * <p>The heavy work (loading rows, building indexes, adding keys) is over once every such item has
 * finished; what pg_restore does after that (privileges, comments) is light.
 *
 * <p>Not thread-safe: fed from the one thread that reads pg_restore's output.
 */
final class RestoreItems {
  // "3358; 0 16391 TABLE DATA public accounts owner"
  private static final Pattern TABLE_DATA =
      Pattern.compile("(\\d+); \\d+ \\d+ TABLE DATA (\\S+) (\\S+) \\S+");
  // "3211; 2606 16406 CONSTRAINT public accounts accounts_pkey owner" (also CHECK CONSTRAINT,
  // RULE and POLICY: schema, table, name, owner)
  private static final Pattern EXCLUSIVE_ON_TABLE =
      Pattern.compile(
          "(\\d+); \\d+ \\d+ (?:CHECK CONSTRAINT|CONSTRAINT|RULE|POLICY) (\\S+) (\\S+) \\S+ \\S+");
  // "3400; 0 16391 ROW SECURITY public accounts owner"
  private static final Pattern ROW_SECURITY =
      Pattern.compile("(\\d+); \\d+ \\d+ ROW SECURITY (\\S+) (\\S+) \\S+");
  // any item of those kinds, however its names are spelt
  private static final Pattern EXCLUSIVE_ANY =
      Pattern.compile(
          "(\\d+); \\d+ \\d+ (?:CHECK CONSTRAINT|CONSTRAINT|RULE|POLICY|ROW SECURITY) .*");
  private static final Pattern HEAVY =
      Pattern.compile(
          "(\\d+); \\d+ \\d+ (?:TABLE DATA|INDEX|CONSTRAINT|CHECK CONSTRAINT|FK CONSTRAINT) .*");
  // "pg_restore: finished item 3358 TABLE DATA accounts", printed by -v with -j 2 or more
  private static final Pattern FINISHED = Pattern.compile("pg_restore: finished item (\\d+) .*");

  private final Map<Integer, String> tableData = new HashMap<>();
  // exclusive items by dump id: the table they lock, or AMBIGUOUS
  private final Map<Integer, String> exclusive = new HashMap<>();
  // per table, how many of its exclusive items are still to finish
  private final Map<String, Integer> pending = new HashMap<>();
  private int ambiguousPending;
  private final Set<Integer> heavy = new HashSet<>();
  // rows loaded, not told yet
  private final Set<String> waiting = new HashSet<>();

  private static final String AMBIGUOUS = "";

  private RestoreItems() {}

  /** Nothing known: no table is told readable, the heavy work is never told over. */
  static RestoreItems none() {
    return new RestoreItems();
  }

  /** The items of an archive from its {@code pg_restore --list} output. */
  static RestoreItems parse(String list) {
    RestoreItems items = new RestoreItems();
    for (String line : list.split("\n")) {
      Matcher m;
      if ((m = TABLE_DATA.matcher(line)).matches()) {
        items.tableData.put(Integer.parseInt(m.group(1)), m.group(2) + "." + m.group(3));
      } else if ((m = EXCLUSIVE_ON_TABLE.matcher(line)).matches()
          || (m = ROW_SECURITY.matcher(line)).matches()) {
        items.exclusive(Integer.parseInt(m.group(1)), m.group(2) + "." + m.group(3));
      } else if ((m = EXCLUSIVE_ANY.matcher(line)).matches()) {
        items.exclusive(Integer.parseInt(m.group(1)), AMBIGUOUS);
      }
      if ((m = HEAVY.matcher(line)).matches()) {
        items.heavy.add(Integer.parseInt(m.group(1)));
      }
    }
    return items;
  }

  /** What one line of pg_restore's verbose output changed. */
  record Change(List<String> readable, boolean heavyWorkDone) {
    static final Change NONE = new Change(List.of(), false);
  }

  /**
   * Follows one line of pg_restore's output: the tables (as {@code schema.table}) that became
   * readable with it, each told once, and whether the heavy work ended with it.
   */
  Change follow(String line) {
    Matcher m = FINISHED.matcher(line);
    if (!m.matches()) {
      return Change.NONE;
    }
    int id = Integer.parseInt(m.group(1));
    // true once: only the removal of the last heavy item empties the set
    boolean heavyEnded = heavy.remove(id) && heavy.isEmpty();
    List<String> readable = new ArrayList<>();
    String data = tableData.remove(id);
    if (data != null) {
      waiting.add(data);
      tell(data, readable);
    }
    String locked = exclusive.remove(id);
    if (AMBIGUOUS.equals(locked)) {
      if (--ambiguousPending == 0) {
        for (String table : List.copyOf(waiting)) {
          tell(table, readable);
        }
      }
    } else if (locked != null) {
      pending.merge(locked, -1, Integer::sum);
      tell(locked, readable);
    }
    return new Change(readable, heavyEnded);
  }

  private void exclusive(int id, String table) {
    exclusive.put(id, table);
    if (AMBIGUOUS.equals(table)) {
      ambiguousPending++;
    } else {
      pending.merge(table, 1, Integer::sum);
    }
  }

  /** Adds {@code table} to {@code readable} if its rows are in and nothing still locks it. */
  private void tell(String table, List<String> readable) {
    if (ambiguousPending == 0 && pending.getOrDefault(table, 0) == 0 && waiting.remove(table)) {
      readable.add(table);
    }
  }
}
