package io.dbrecover.forwardfix;

import java.util.Objects;

/**
 * What one statement of a forward-fix would destroy, or fail on, counted on the live database.
 *
 * @param change the statement
 * @param count how many rows or values; -1 when the count itself failed (see {@code error})
 * @param error why counting failed, e.g. values that cannot be converted; null when counted
 */
public record Loss(Change change, long count, String error) {
  public Loss {
    Objects.requireNonNull(change, "change");
    if (change.risk() == null) {
      throw new IllegalArgumentException("a loss needs a statement with a risk");
    }
  }

  /** Whether the statement would fail rather than destroy: it cannot run as generated. */
  public boolean blocks() {
    return change.risk().effect() == Change.Effect.FAILS || error != null;
  }

  /** One line for people: {@code DROP TABLE public.notes destroys 3 rows of public.notes}. */
  public String describe() {
    if (error != null) {
      return change.sql() + " cannot run: " + error;
    }
    return change.sql()
        + (blocks() ? " fails on " : " destroys ")
        + count
        + " "
        + change.risk().what();
  }
}
