package io.dbrecover.engine.api;

import java.util.List;

/** Plain-text renderings of decisions, recovery points and data-loss tables for operators. */
public final class Summaries {
  private Summaries() {}

  /** A one-line description of a recovery point. */
  public static String point(RecoveryPoint p) {
    if (p == null) {
      return "-";
    }
    return p.id()
        + " (taken "
        + p.takenAt()
        + (p.migrationState().count() > 0 ? ", " + p.migrationState().summary() : "")
        + ")";
  }

  /** The data-loss table as aligned text. */
  public static String dataLossTable(DataLossReport report) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        report.estimate()
            ? "Data loss (estimate from the backup's row counts):\n"
            : "Data loss (current -> recovered, by primary key):\n");
    sb.append(
        String.format(
            "  %-36s %10s %10s %8s %8s %8s%n",
            "table", "current", "recovered", "lost", "changed", "added"));
    for (DataLossReport.Table t : report.tables()) {
      sb.append(
          String.format(
              "  %-36s %10s %10s %8d %8s %8d%n",
              t.name() + (t.keyed() || report.estimate() ? "" : " *"),
              t.currentRows() < 0 ? "absent" : String.valueOf(t.currentRows()),
              t.recoveredRows() < 0 ? "absent" : String.valueOf(t.recoveredRows()),
              t.lostRows(),
              t.keyed() ? String.valueOf(t.changedRows()) : "n/a",
              t.addedRows()));
    }
    sb.append(
        report.losesData()
            ? String.format(
                "  total: %d rows lost, %d rows changed%n",
                report.totalLost(), report.totalChanged())
            : "  no rows lost\n");
    if (!report.estimate() && report.tables().stream().anyMatch(t -> !t.keyed())) {
      sb.append("  * no primary key: compared by row count only\n");
    }
    if (report.method() != null) {
      sb.append("  compared: ").append(report.method()).append('\n');
    }
    return sb.toString();
  }

  /** The decision as the path through the tree plus rejected alternatives. */
  public static String decision(Decision d) {
    StringBuilder sb = new StringBuilder();
    sb.append("Decision: ");
    switch (d.outcome()) {
      case RECOVER:
        sb.append(d.method().label()).append(" from ").append(point(d.point()));
        break;
      case NO_DATABASE_ACTION:
        sb.append("no database action");
        break;
      default:
        sb.append("no recovery point available");
    }
    sb.append('\n');
    for (String r : d.reasons()) {
      sb.append("  - ").append(r).append('\n');
    }
    List<Decision.Rejection> rejected = d.rejected();
    if (!rejected.isEmpty()) {
      sb.append("Rejected:\n");
      for (Decision.Rejection r : rejected) {
        sb.append(String.format("  - %-24s %s%n", r.method().label() + ":", r.why()));
      }
    }
    return sb.toString();
  }
}
