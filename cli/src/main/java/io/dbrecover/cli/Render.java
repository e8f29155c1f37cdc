package io.dbrecover.cli;

import io.dbrecover.engine.api.ArchivingStatus;
import io.dbrecover.engine.api.BackupCheck;
import io.dbrecover.engine.api.EnvironmentStatus;
import io.dbrecover.engine.api.Plan;
import io.dbrecover.engine.api.RecoveryPoint;
import io.dbrecover.engine.api.Summaries;
import io.dbrecover.engine.api.Timeline;
import java.util.List;
import java.util.Locale;

/** Text renderings of command results. */
final class Render {
  private Render() {}

  static String plan(Plan p) {
    StringBuilder sb = new StringBuilder();
    sb.append("Environment:  ").append(p.environment()).append('\n');
    sb.append("Live:         ").append(p.liveUrl()).append('\n');
    sb.append("Migrations:   ").append(p.currentMigrations().summary()).append('\n');
    if (p.historyWindow() != null) {
      sb.append("Window:       ").append(p.historyWindow()).append(" (point-in-time)\n");
    }
    sb.append('\n');
    sb.append(Summaries.decision(p.decision()));
    if (p.decision().point() != null) {
      sb.append("\nMigrations removed: ")
          .append(
              p.removedMigrations().isEmpty() ? "none" : String.join(", ", p.removedMigrations()))
          .append('\n');
    }
    if (p.dataLossEstimate() != null) {
      sb.append('\n').append(Summaries.dataLossTable(p.dataLossEstimate()));
    }
    for (String note : p.providerNotes()) {
      sb.append("note: ").append(note).append('\n');
    }
    return sb.toString();
  }

  static String backups(String env, List<RecoveryPoint> points) {
    if (points.isEmpty()) {
      return "No backups for " + env + ". Take one with `dbrecover backup " + env + "`.\n";
    }
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "%-44s %-20s %10s %-7s %s%n",
            "id",
            "taken (UTC)",
            "size",
            "kind",
            "migrations"));
    for (RecoveryPoint p : points) {
      sb.append(
          String.format(
              Locale.ROOT,
              "%-44s %-20s %10s %-7s %s%n",
              p.id(),
              p.takenAt().toString().replace('T', ' ').replaceAll("\\.\\d+Z|Z", ""),
              size(p.sizeBytes()),
              kind(p),
              p.migrationState().summary()));
    }
    return sb.toString();
  }

  /** The kind column of list-backups: logical (pg_dump), base (pg_basebackup), ... */
  static String kind(RecoveryPoint p) {
    if (p.safety()) {
      return "safety";
    }
    switch (p.kind()) {
      case BASE_BACKUP:
        return "base";
      case SNAPSHOT:
        return "snapshot";
      case LOGICAL_BACKUP:
        return "logical";
      default:
        return p.kind().name().toLowerCase(Locale.ROOT);
    }
  }

  static String archiving(String env, ArchivingStatus a) {
    StringBuilder sb = new StringBuilder();
    sb.append("Environment:     ").append(env).append('\n');
    sb.append("Point in time:   ")
        .append(a.healthy() ? "healthy" : "NOT healthy")
        .append(a.pendingRestart() ? " (settings wait for a server restart)" : "")
        .append('\n');
    sb.append("Window:          ")
        .append(a.window() == null ? "none yet" : a.window().toString())
        .append('\n');
    sb.append("wal_level:       ").append(a.walLevel()).append('\n');
    sb.append("archive_mode:    ").append(a.archiveMode()).append('\n');
    sb.append("archive_command: ").append(a.archiveCommand()).append('\n');
    sb.append("Archive:         ").append(a.archiveDir()).append('\n');
    sb.append("Archived:        ")
        .append(a.archivedCount())
        .append(" segments")
        .append(
            a.lastArchivedWal() == null
                ? ", none yet"
                : ", last " + a.lastArchivedWal() + " at " + a.lastArchivedAt())
        .append('\n');
    sb.append("Failed:          ")
        .append(a.failedCount())
        .append(
            a.lastFailedWal() == null
                ? ""
                : ", last " + a.lastFailedWal() + " at " + a.lastFailedAt())
        .append('\n');
    sb.append("Base backups:    ").append(a.baseBackups()).append('\n');
    if (!a.problems().isEmpty()) {
      sb.append("Problems:\n");
      for (String problem : a.problems()) {
        sb.append("  - ").append(problem).append('\n');
      }
    }
    return sb.toString();
  }

  static String timeline(Timeline t) {
    StringBuilder sb = new StringBuilder();
    sb.append("Environment: ").append(t.environment()).append('\n');
    sb.append("Window:      ")
        .append(t.historyWindow() == null ? "none (no point-in-time restore)" : t.historyWindow())
        .append("\n\n");
    if (t.entries().isEmpty()) {
      sb.append("Nothing to show yet: no backups, dated migrations or runs.\n");
    }
    for (Timeline.Entry e : t.entries()) {
      sb.append(
          String.format(
              Locale.ROOT,
              "%-30s %-13s %-44s %s%n",
              e.at(),
              e.kind().label(),
              e.name(),
              e.detail()));
    }
    for (String note : t.notes()) {
      sb.append("note: ").append(note).append('\n');
    }
    return sb.toString();
  }

  static String check(BackupCheck c) {
    StringBuilder sb = new StringBuilder();
    sb.append("Backup ")
        .append(c.backupId())
        .append(": ")
        .append(c.passed() ? "OK" : "FAILED")
        .append('\n');
    for (BackupCheck.Item i : c.checks()) {
      sb.append(
          String.format(
              Locale.ROOT, "  %-4s %-22s %s%n", i.passed() ? "ok" : "FAIL", i.name(), i.detail()));
    }
    return sb.toString();
  }

  static String status(EnvironmentStatus s) {
    StringBuilder sb = new StringBuilder();
    sb.append("Environment: ").append(s.environment()).append('\n');
    sb.append("Live:        ")
        .append(s.liveUrl())
        .append(s.reachable() ? "" : " (unreachable)")
        .append('\n');
    sb.append("Migrations:  ").append(s.migrations().summary()).append('\n');
    sb.append("Backups:     ").append(s.backups().size());
    if (!s.backups().isEmpty()) {
      sb.append(", newest ").append(s.backups().get(0).id());
    }
    sb.append('\n');
    sb.append("Window:      ")
        .append(
            s.historyWindow() == null
                ? "none (no point-in-time restore)"
                : s.historyWindow() + " (point-in-time)")
        .append('\n');
    if (s.runs().isEmpty()) {
      sb.append("Runs:        none\n");
    } else {
      sb.append("Runs:\n");
      for (EnvironmentStatus.RunSummary r : s.runs().subList(0, Math.min(10, s.runs().size()))) {
        sb.append(
            String.format(
                Locale.ROOT,
                "  %-26s %-18s %-24s last: %s%n",
                r.runId(),
                r.method(),
                r.state(),
                r.lastStep()));
      }
    }
    for (String note : s.notes()) {
      sb.append("note: ").append(note).append('\n');
    }
    return sb.toString();
  }

  static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    double v = bytes;
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    int i = -1;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
  }
}
