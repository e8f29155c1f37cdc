package io.dbrecover.engine.internal;

import io.dbrecover.engine.api.EnvironmentStatus;
import io.dbrecover.engine.api.MigrationState;
import io.dbrecover.engine.api.RecoveryPoint;
import io.dbrecover.engine.api.RestoreWindow;
import io.dbrecover.engine.api.Timeline;
import io.dbrecover.engine.api.Timeline.Entry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Merges what an environment knows about its past into one time-ordered {@link Timeline}. */
public final class TimelineBuilder {
  private TimelineBuilder() {}

  /**
   * Builds the timeline; pure.
   *
   * @param window the history window (null: none)
   * @param points recovery points in any order
   * @param migrations the live database's migrations (those without a start time are left out and
   *     counted in a note)
   * @param runs past runs in any order
   * @param notes notes to keep (provider notes, what could not be read)
   */
  public static Timeline build(
      String environment,
      RestoreWindow window,
      List<RecoveryPoint> points,
      MigrationState migrations,
      List<EnvironmentStatus.RunSummary> runs,
      List<String> notes) {
    List<Entry> entries = new ArrayList<>();
    List<String> allNotes = new ArrayList<>(notes);
    if (window != null) {
      entries.add(
          new Entry(window.earliest(), Timeline.Kind.WINDOW_START, "earliest restorable", ""));
      entries.add(new Entry(window.latest(), Timeline.Kind.WINDOW_END, "latest restorable", ""));
    }
    for (RecoveryPoint p : points) {
      entries.add(new Entry(p.takenAt(), kind(p), p.id(), p.migrationState().summary()));
    }
    int undated = 0;
    for (MigrationState.Applied a : migrations.applied()) {
      if (a.startedAt() == null) {
        undated++;
      } else {
        entries.add(new Entry(a.startedAt(), Timeline.Kind.MIGRATION, a.name(), "started"));
      }
    }
    if (undated > 0) {
      allNotes.add(
          undated
              + " applied migration(s) have no recorded start time ("
              + migrations.tool()
              + ") and are not shown");
    }
    for (EnvironmentStatus.RunSummary r : runs) {
      entries.add(
          new Entry(
              r.createdAt(),
              Timeline.Kind.RUN,
              r.runId(),
              r.method() + (r.target() == null ? "" : " to " + r.target()) + ", " + r.state()));
    }
    entries.sort(
        Comparator.comparing(Entry::at).thenComparing(Entry::kind).thenComparing(Entry::name));
    return new Timeline(environment, window, entries, allNotes);
  }

  private static Timeline.Kind kind(RecoveryPoint p) {
    if (p.safety()) {
      return Timeline.Kind.SAFETY_BACKUP;
    }
    switch (p.kind()) {
      case BASE_BACKUP:
        return Timeline.Kind.BASE_BACKUP;
      case SNAPSHOT:
        return Timeline.Kind.SNAPSHOT;
      default:
        return Timeline.Kind.LOGICAL_BACKUP;
    }
  }
}
