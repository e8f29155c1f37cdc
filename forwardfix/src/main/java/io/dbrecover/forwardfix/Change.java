package io.dbrecover.forwardfix;

import java.util.Objects;

/**
 * One statement of a forward-fix, in the order it runs.
 *
 * @param kind what it does
 * @param object the object it changes, quoted and schema qualified
 * @param sql the statement, without the trailing semicolon
 * @param risk what it may destroy or what makes it fail, counted on the live database before
 *     anything runs; null when neither can happen
 */
public record Change(Kind kind, String object, String sql, Risk risk) {
  /** What a statement does. */
  public enum Kind {
    SET,
    CREATE_SCHEMA,
    DROP_SCHEMA,
    CREATE_TYPE,
    ALTER_TYPE,
    DROP_TYPE,
    CREATE_SEQUENCE,
    ALTER_SEQUENCE,
    DROP_SEQUENCE,
    CREATE_FUNCTION,
    DROP_FUNCTION,
    CREATE_TABLE,
    DROP_TABLE,
    ADD_COLUMN,
    ALTER_COLUMN,
    DROP_COLUMN,
    ADD_CONSTRAINT,
    DROP_CONSTRAINT,
    CREATE_INDEX,
    DROP_INDEX,
    CREATE_VIEW,
    DROP_VIEW,
    CREATE_TRIGGER,
    DROP_TRIGGER,
    COMMENT
  }

  /**
   * What a statement puts at risk.
   *
   * @param effect whether the counted rows or values are destroyed, or make the statement fail
   * @param what what the count counts ("rows of public.orders")
   * @param probe a query on the live database returning that count as one bigint
   */
  public record Risk(Effect effect, String what, String probe) {
    public Risk {
      Objects.requireNonNull(effect, "effect");
      Objects.requireNonNull(what, "what");
      Objects.requireNonNull(probe, "probe");
    }
  }

  /** What happens to what a {@link Risk} counts. */
  public enum Effect {
    /** The statement destroys them: rows, or non-null values. */
    DESTROYS,
    /** The statement fails on them, and the whole forward-fix is rolled back. */
    FAILS
  }

  public Change {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(object, "object");
    Objects.requireNonNull(sql, "sql");
  }

  /** A statement that neither destroys data nor can fail on it. */
  public static Change of(Kind kind, String object, String sql) {
    return new Change(kind, object, sql, null);
  }
}
