package io.dbrecover.forwardfix;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One migration file of a migrations directory, in the order its tool applies them.
 *
 * @param name the name the tool records in its history table: Prisma's folder name, Drizzle's tag,
 *     Flyway's {@code V<version>__<description>}, or the plain SQL file name without {@code .sql}
 * @param sql the file's content as the tool runs it
 * @param file where it was read from
 * @param journalWhen Drizzle's journal {@code when} (milliseconds), which its migrator records as
 *     {@code created_at}; 0 for the other tools
 */
public record Migration(String name, String sql, Path file, long journalWhen) {
  public Migration {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(sql, "sql");
    Objects.requireNonNull(file, "file");
  }

  /** Whether {@code wanted} names this migration: its full name, or its name without the prefix. */
  public boolean isNamed(String wanted) {
    return name.equals(wanted) || name.endsWith("_" + wanted) || name.startsWith(wanted + "_");
  }
}
