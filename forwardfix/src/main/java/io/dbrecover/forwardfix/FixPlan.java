package io.dbrecover.forwardfix;

import io.dbrecover.engine.api.MigrationTool;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A generated forward-fix: the statements that put the live schema back to the schema after the
 * target migration, and what they would destroy.
 *
 * @param tool the migration tool whose format the fix is written in
 * @param target the last migration whose schema the fix restores
 * @param reverted the applied migrations whose changes the fix undoes, oldest first
 * @param failed a migration that failed half-way (Prisma P3009); its applied part is undone too;
 *     null when none
 * @param files every migration file, oldest first (the writers number the fix after them)
 * @param changes the statements, in the order they run; empty when the schema already matches
 * @param losses the statements that would destroy data or fail, with counts from the live database
 * @param targetFingerprint a hash of the target schema, checked after applying
 */
public record FixPlan(
    MigrationTool tool,
    Migration target,
    List<Migration> reverted,
    Migration failed,
    List<Migration> files,
    List<Change> changes,
    List<Loss> losses,
    String targetFingerprint) {

  public FixPlan {
    Objects.requireNonNull(tool, "tool");
    Objects.requireNonNull(target, "target");
    reverted = List.copyOf(reverted);
    files = List.copyOf(files);
    changes = List.copyOf(changes);
    losses = List.copyOf(losses);
    Objects.requireNonNull(targetFingerprint, "targetFingerprint");
  }

  /** Whether running the fix would destroy rows or values. */
  public boolean destroysData() {
    return losses.stream().anyMatch(l -> !l.blocks());
  }

  /** Whether the fix cannot run as generated (it would fail on data in the live database). */
  public boolean blocked() {
    return losses.stream().anyMatch(Loss::blocks);
  }

  /** Whether the fix keeps every row and value: what the decision tree asks. */
  public boolean lossless() {
    return losses.isEmpty();
  }

  /** The names of the reverted migrations (and the failed one), for messages. */
  public String revertedNames() {
    List<String> names = reverted.stream().map(Migration::name).collect(Collectors.toList());
    if (failed != null) {
      names.add(failed.name() + " (failed, partly applied)");
    }
    return String.join(", ", names);
  }
}
