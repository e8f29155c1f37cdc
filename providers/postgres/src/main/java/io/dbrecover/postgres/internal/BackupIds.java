package io.dbrecover.postgres.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Backup ids: {@code backup-YYYYMMDD-HHMMSS[-label]} (logical) and {@code
 * base-YYYYMMDD-HHMMSS[-label]} (physical base backups) in UTC, unique per second.
 */
public final class BackupIds {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
  private static final Pattern ID =
      Pattern.compile("backup-\\d{8}-\\d{6}(-[A-Za-z0-9][A-Za-z0-9_.-]{0,62})?");

  private static final Pattern BASE_ID =
      Pattern.compile("base-\\d{8}-\\d{6}(-[A-Za-z0-9][A-Za-z0-9_.-]{0,62})?");

  private BackupIds() {}

  /** Whether {@code id} is shaped like a base backup id (and so is safe as a directory name). */
  public static boolean validBase(String id) {
    return id != null && BASE_ID.matcher(id).matches();
  }

  /** As {@link #next}, for a base backup ({@code base-} prefix). */
  public static String nextBase(Instant now, String label, Collection<String> existing) {
    return next("base-", now, label, existing);
  }

  /** Whether {@code id} is shaped like a backup id (and so is safe as a directory name). */
  public static boolean valid(String id) {
    return id != null && ID.matcher(id).matches();
  }

  /**
   * A new id at {@code now}, or a later second when an existing id already uses that second (with
   * any label), so ids stay unique and sort by time.
   */
  public static String next(Instant now, String label, Collection<String> existing) {
    return next("backup-", now, label, existing);
  }

  private static String next(
      String prefix, Instant now, String label, Collection<String> existing) {
    Instant t = now;
    while (true) {
      String stamp = prefix + STAMP.format(t);
      if (existing.stream().noneMatch(id -> id.equals(stamp) || id.startsWith(stamp + "-"))) {
        return label == null ? stamp : stamp + "-" + label;
      }
      t = t.plusSeconds(1);
    }
  }

  /** The backup directories in {@code store} whose names pass {@code valid}, sorted by name. */
  public static List<Path> directories(Path store, Predicate<String> valid) {
    if (!Files.isDirectory(store)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(store)) {
      return s.filter(Files::isDirectory)
          .filter(p -> valid.test(p.getFileName().toString()))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list backup store " + store, e);
    }
  }
}
