package io.dbrecover.forwardfix;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.MigrationTool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads a migrations directory in the layout of its tool, oldest first:
 *
 * <ul>
 *   <li>Prisma: {@code <dir>/<timestamp>_<name>/migration.sql} ({@code <dir>} may also be the
 *       {@code prisma} folder holding {@code migrations/}), ordered by folder name;
 *   <li>Drizzle: {@code <dir>/meta/_journal.json} entries in {@code idx} order, each {@code
 *       <dir>/<tag>.sql};
 *   <li>Flyway: versioned {@code V<version>__<description>.sql}, ordered by version; repeatable
 *       ({@code R__}) and undo ({@code U}) scripts are not replayed;
 *   <li>plain SQL: every {@code *.sql}, ordered by name with digit runs compared as numbers.
 * </ul>
 */
public final class MigrationFiles {
  private static final Pattern FLYWAY = Pattern.compile("V([0-9][0-9._]*)__(.+)\\.sql");
  private static final Pattern DIGITS = Pattern.compile("\\d+|\\D+");

  private MigrationFiles() {}

  /**
   * The migrations in {@code dir}, oldest first.
   *
   * @throws ConfigurationException when the directory is missing, empty, or not in the tool's
   *     layout
   */
  public static List<Migration> read(MigrationTool tool, Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new ConfigurationException(
          "migrations directory "
              + dir
              + " does not exist; set migrations.dir of the environment in dbrecover.yaml to the"
              + " "
              + toolName(tool)
              + " migrations directory");
    }
    List<Migration> found;
    try {
      switch (tool) {
        case PRISMA:
          found = prisma(dir);
          break;
        case DRIZZLE:
          found = drizzle(dir);
          break;
        case FLYWAY:
          found = flyway(dir);
          break;
        default:
          found = plain(dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read migrations directory " + dir, e);
    }
    if (found.isEmpty()) {
      throw new ConfigurationException(
          "no " + toolName(tool) + " migrations in " + dir + "; expected " + layout(tool));
    }
    return found;
  }

  private static List<Migration> prisma(Path dir) throws IOException {
    Path root = Files.isDirectory(dir.resolve("migrations")) ? dir.resolve("migrations") : dir;
    List<Migration> out = new ArrayList<>();
    try (Stream<Path> children = Files.list(root)) {
      for (Path folder : children.sorted().collect(Collectors.toList())) {
        Path sql = folder.resolve("migration.sql");
        if (Files.isRegularFile(sql)) {
          out.add(new Migration(folder.getFileName().toString(), read(sql), sql, 0));
        }
      }
    }
    return out;
  }

  private static List<Migration> drizzle(Path dir) throws IOException {
    Path journal = dir.resolve("meta").resolve("_journal.json");
    if (!Files.isRegularFile(journal)) {
      throw new ConfigurationException(
          "no Drizzle journal at "
              + journal
              + "; point migrations.dir at drizzle-kit's out directory (the one holding meta/)");
    }
    JsonNode entries = new ObjectMapper().readTree(journal.toFile()).path("entries");
    List<JsonNode> sorted = new ArrayList<>();
    entries.forEach(sorted::add);
    sorted.sort(Comparator.comparingInt(e -> e.path("idx").asInt()));
    List<Migration> out = new ArrayList<>();
    for (JsonNode e : sorted) {
      String tag = e.path("tag").asText();
      Path sql = dir.resolve(tag + ".sql");
      if (!Files.isRegularFile(sql)) {
        throw new ConfigurationException(
            "the Drizzle journal "
                + journal
                + " lists "
                + tag
                + " but "
                + sql
                + " does not exist; restore the file or regenerate the journal");
      }
      out.add(new Migration(tag, read(sql), sql, e.path("when").asLong()));
    }
    return out;
  }

  private static List<Migration> flyway(Path dir) throws IOException {
    List<Migration> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.collect(Collectors.toList())) {
        Matcher m = FLYWAY.matcher(f.getFileName().toString());
        if (m.matches()) {
          out.add(new Migration("V" + m.group(1) + "__" + m.group(2), read(f), f, 0));
        }
      }
    }
    out.sort(Comparator.comparing(m -> flywayVersion(m.name()), MigrationFiles::compareVersions));
    return out;
  }

  /** The numeric parts of a Flyway name's version: {@code V1_2__x} and {@code V1.2__x} are 1, 2. */
  static List<Long> flywayVersion(String name) {
    String v = name.substring(1, name.indexOf("__"));
    List<Long> parts = new ArrayList<>();
    for (String p : v.split("[._]")) {
      if (!p.isEmpty()) {
        parts.add(Long.parseLong(p));
      }
    }
    return parts;
  }

  static int compareVersions(List<Long> a, List<Long> b) {
    for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
      long x = i < a.size() ? a.get(i) : 0;
      long y = i < b.size() ? b.get(i) : 0;
      if (x != y) {
        return Long.compare(x, y);
      }
    }
    return 0;
  }

  private static List<Migration> plain(Path dir) throws IOException {
    List<Migration> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.collect(Collectors.toList())) {
        String name = f.getFileName().toString();
        if (name.endsWith(".sql") && Files.isRegularFile(f)) {
          out.add(new Migration(name.substring(0, name.length() - 4), read(f), f, 0));
        }
      }
    }
    out.sort((a, b) -> naturalCompare(a.name(), b.name()));
    return out;
  }

  /** Compares names with runs of digits compared as numbers: {@code 2_x} before {@code 10_x}. */
  static int naturalCompare(String a, String b) {
    Matcher ma = DIGITS.matcher(a);
    Matcher mb = DIGITS.matcher(b);
    while (ma.find() && mb.find()) {
      String x = ma.group();
      String y = mb.group();
      int c;
      if (Character.isDigit(x.charAt(0)) && Character.isDigit(y.charAt(0))) {
        c = new java.math.BigInteger(x).compareTo(new java.math.BigInteger(y));
      } else {
        c = x.compareTo(y);
      }
      if (c != 0) {
        return c;
      }
    }
    return a.compareTo(b);
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  static String toolName(MigrationTool tool) {
    switch (tool) {
      case PRISMA:
        return "Prisma";
      case DRIZZLE:
        return "Drizzle";
      case FLYWAY:
        return "Flyway";
      default:
        return "SQL";
    }
  }

  private static String layout(MigrationTool tool) {
    switch (tool) {
      case PRISMA:
        return "<timestamp>_<name>/migration.sql folders";
      case DRIZZLE:
        return "meta/_journal.json entries with their <tag>.sql files";
      case FLYWAY:
        return "V<version>__<description>.sql files";
      default:
        return "*.sql files, applied in name order";
    }
  }
}
