package io.dbrecover.forwardfix;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The forward-fix as a migration of its tool, before or after it is written.
 *
 * @param path the file to write, inside the migrations directory
 * @param name the name the tool records: Prisma's folder name, Drizzle's tag, Flyway's {@code
 *     V<version>__<description>}, the plain SQL file name without {@code .sql}
 * @param sql the file's content
 * @param when Drizzle's journal {@code when} (milliseconds); 0 for the other tools
 */
public record FixFile(Path path, String name, String sql, long when) {
  public FixFile {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(sql, "sql");
  }
}
