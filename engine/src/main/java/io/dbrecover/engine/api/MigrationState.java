package io.dbrecover.engine.api;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Which migrations a database has applied, read from the tool's history table, oldest first. {@link
 * #NONE} when no known history table exists.
 */
public record MigrationState(String tool, List<Applied> applied) {
  public static final MigrationState NONE = new MigrationState("none", List.of());

  public MigrationState {
    Objects.requireNonNull(tool, "tool");
    applied = List.copyOf(applied);
  }

  /** One applied migration: its name (or version) and when it started, if the tool records it. */
  public record Applied(String name, Instant startedAt) {
    public Applied {
      Objects.requireNonNull(name, "name");
    }
  }

  public int count() {
    return applied.size();
  }

  /** The newest applied migration. */
  public Optional<String> last() {
    return applied.isEmpty()
        ? Optional.empty()
        : Optional.of(applied.get(applied.size() - 1).name());
  }

  /** Whether the state ends at the named migration (exact name, or a name ending with it). */
  public boolean endsAt(String migration) {
    return last().map(l -> matches(l, migration)).orElse(false);
  }

  /** Whether the named migration is applied. */
  public Optional<Applied> find(String migration) {
    return applied.stream().filter(a -> matches(a.name(), migration)).findFirst();
  }

  /** Migrations applied here and not in {@code older}: what a rollback to {@code older} removes. */
  public List<Applied> removedGoingTo(MigrationState older) {
    List<Applied> removed = new ArrayList<>();
    for (Applied a : applied) {
      if (older.applied.stream().noneMatch(o -> o.name().equals(a.name()))) {
        removed.add(a);
      }
    }
    return removed;
  }

  /** The migration applied right after {@code migration}, if both are applied. */
  public Optional<Applied> after(String migration) {
    for (int i = 0; i < applied.size() - 1; i++) {
      if (matches(applied.get(i).name(), migration)) {
        return Optional.of(applied.get(i + 1));
      }
    }
    return Optional.empty();
  }

  private static boolean matches(String name, String wanted) {
    return name.equals(wanted) || name.endsWith("_" + wanted) || name.startsWith(wanted + "_");
  }

  public String summary() {
    return count() == 0
        ? tool + ": no migrations"
        : tool + ": " + count() + ", last " + last().get();
  }
}
