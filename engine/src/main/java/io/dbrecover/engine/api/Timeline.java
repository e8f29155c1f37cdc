package io.dbrecover.engine.api;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Everything an operator can pick a recovery point from, in time order: the edges of the history
 * window, backups, applied migrations and past runs ({@code dbrecover timeline}).
 *
 * @param environment the environment
 * @param historyWindow the times branch or point-in-time restore can reach (null: none offered)
 * @param entries oldest first; entries at the same instant keep the order of {@link Kind}
 * @param notes what the provider says about methods it does not offer, and what could not be read
 */
public record Timeline(
    String environment, RestoreWindow historyWindow, List<Entry> entries, List<String> notes) {
  public Timeline {
    Objects.requireNonNull(environment, "environment");
    entries = List.copyOf(entries);
    notes = List.copyOf(notes);
  }

  /** What an entry is. */
  public enum Kind {
    WINDOW_START("window start"),
    BASE_BACKUP("base backup"),
    LOGICAL_BACKUP("backup"),
    SNAPSHOT("snapshot"),
    SAFETY_BACKUP("safety backup"),
    MIGRATION("migration"),
    RUN("run"),
    WINDOW_END("window end");

    private final String label;

    Kind(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /**
   * One point on the timeline.
   *
   * @param at when it happened
   * @param kind what it is
   * @param name its id (backup, run), migration name, or a short label
   * @param detail more about it (size, migration state, method and state of a run), may be empty
   */
  public record Entry(Instant at, Kind kind, String name, String detail) {
    public Entry {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(name, "name");
      detail = detail == null ? "" : detail;
    }
  }
}
