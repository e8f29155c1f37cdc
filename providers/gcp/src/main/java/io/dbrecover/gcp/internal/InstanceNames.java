package io.dbrecover.gcp.internal;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;

/**
 * Cloud SQL instance names derived from a run id, so a retried step finds what the first try
 * created. Cloud SQL rules: lower-case letters, digits and hyphens, starting with a letter; kept to
 * 63 characters here so the name also fits a label value.
 */
public final class InstanceNames {
  static final int MAX_LENGTH = 63;
  private static final String INFIX = "-rb-";

  private InstanceNames() {}

  /**
   * The instance a run restores {@code source} into: {@code <source>-rb-<MMDD>-<HHMM>-<xxxx>} for a
   * run id {@code run-YYYYMMDD-HHMMSS-xxxx}, the source shortened so the run part always fits.
   */
  public static String restored(String source, String runId) {
    String run = runPart(runId);
    String prefix = source;
    int room = MAX_LENGTH - INFIX.length() - run.length();
    if (prefix.length() > room) {
      prefix = prefix.substring(0, room).replaceAll("-+$", "");
    }
    return prefix + INFIX + run;
  }

  /** A run id as a label value (lower-case letters, digits, '-' and '_', at most 63). */
  public static String label(String runId) {
    String s = runId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]", "-");
    return s.length() > MAX_LENGTH ? s.substring(s.length() - MAX_LENGTH) : s;
  }

  /** When a run started, from its id {@code run-YYYYMMDD-HHMMSS-xxxx}; empty for other ids. */
  public static Optional<Instant> started(String runId) {
    String[] parts = runId.split("-");
    if (parts.length == 4 && parts[1].matches("\\d{8}") && parts[2].matches("\\d{6}")) {
      return Optional.of(
          LocalDateTime.parse(parts[1] + parts[2], DateTimeFormatter.ofPattern("yyyyMMddHHmmss"))
              .toInstant(ZoneOffset.UTC));
    }
    return Optional.empty();
  }

  private static String runPart(String runId) {
    String[] parts = runId.split("-");
    if (parts.length == 4
        && parts[0].equals("run")
        && parts[1].matches("\\d{8}")
        && parts[2].matches("\\d{6}")
        && parts[3].matches("[0-9a-f]+")) {
      return parts[1].substring(4) + "-" + parts[2].substring(0, 4) + "-" + parts[3];
    }
    String s =
        runId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
    if (s.isEmpty()) {
      return "run";
    }
    return s.length() > 24 ? s.substring(s.length() - 24).replaceAll("^-+", "") : s;
  }
}
