package io.dbrecover.engine.api;

import java.util.List;

/**
 * What switching from the current database to the recovered one would lose, per table.
 *
 * @param estimate true when computed from a backup's recorded row counts (dry run) instead of by
 *     comparing rows
 * @param tables one entry per table present in either database, sorted by name
 * @param method how the rows were compared (e.g. narrowed to what the write-ahead log says changed
 *     after the recovery point, or every table and why); null when not recorded
 */
public record DataLossReport(boolean estimate, List<Table> tables, String method) {
  public DataLossReport {
    tables = List.copyOf(tables);
  }

  /** A report without a recorded method. */
  public DataLossReport(boolean estimate, List<Table> tables) {
    this(estimate, tables, null);
  }

  /**
   * One table.
   *
   * @param name schema-qualified table name
   * @param keyed whether rows were compared by primary key (otherwise counts only)
   * @param currentRows rows in the current database (-1: table absent)
   * @param recoveredRows rows in the recovered database (-1: table absent)
   * @param lostRows rows in the current database whose key is absent from the recovered one (by
   *     count when not keyed: the positive difference)
   * @param changedRows rows whose key is in both but whose values differ (0 when not keyed)
   * @param addedRows rows the recovered database has and the current one does not
   */
  public record Table(
      String name,
      boolean keyed,
      long currentRows,
      long recoveredRows,
      long lostRows,
      long changedRows,
      long addedRows) {
    public boolean loses() {
      return lostRows > 0 || changedRows > 0 || currentRows >= 0 && recoveredRows < 0;
    }
  }

  public long totalLost() {
    return tables.stream().mapToLong(Table::lostRows).sum();
  }

  public long totalChanged() {
    return tables.stream().mapToLong(Table::changedRows).sum();
  }

  public boolean losesData() {
    return tables.stream().anyMatch(Table::loses);
  }
}
