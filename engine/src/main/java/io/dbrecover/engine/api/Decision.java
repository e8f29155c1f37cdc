package io.dbrecover.engine.api;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the decision tree chose and why: the method, the recovery point, the path taken through the
 * tree, and every other method with the reason it was rejected.
 */
public record Decision(
    Outcome outcome,
    Method method,
    RecoveryPoint point,
    Instant target,
    List<String> reasons,
    List<Rejection> rejected) {

  /** Whether there is database work to do. */
  public enum Outcome {
    /** Recover with {@link #method()} to {@link #point()}. */
    RECOVER,
    /** Nothing to do on the database (exit 0). */
    NO_DATABASE_ACTION,
    /** Nothing to recover to (exit 2); {@link #reasons()} say what would have been needed. */
    NO_RECOVERY_POINT
  }

  /** A method the tree did not take, and why. */
  public record Rejection(Method method, String why) {}

  public Decision {
    Objects.requireNonNull(outcome, "outcome");
    reasons = List.copyOf(reasons);
    rejected = List.copyOf(rejected);
  }

  public Optional<RecoveryPoint> pointOpt() {
    return Optional.ofNullable(point);
  }
}
