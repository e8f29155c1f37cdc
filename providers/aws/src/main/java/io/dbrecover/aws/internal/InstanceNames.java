package io.dbrecover.aws.internal;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * RDS identifiers derived from a run id, so a retried step finds what the first try created. RDS
 * rules: 1 to 63 letters, digits or hyphens, starting with a letter, no two hyphens in a row, no
 * hyphen at the end; RDS stores them in lower case.
 */
public final class InstanceNames {
  static final int MAX_LENGTH = 63;
  static final int MAX_SNAPSHOT_LENGTH = 255;
  private static final DateTimeFormatter SNAPSHOT_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
  private static final String RESTORE_INFIX = "-rb-";

  private InstanceNames() {}

  /**
   * The identifier of the instance a run restores {@code source} into: {@code <source>-rb-<run>},
   * the source shortened so the run part always fits. For a run id {@code run-20250115-102000-ab12}
   * the run part is {@code 0115-1020-ab12}.
   */
  public static String restored(String source, String runId) {
    return restored(source, runId, RESTORE_INFIX);
  }

  /**
   * The identifier of the writer instance dbrecover creates in a restored Aurora cluster: {@code
   * <cluster>-rbw-<run>}, shortened like {@link #restored}.
   */
  public static String restoredWriter(String cluster, String runId) {
    return restored(cluster, runId, "-rbw-");
  }

  private static String restored(String source, String runId, String infix) {
    String run = runPart(runId);
    String prefix = sanitize(source);
    int room = MAX_LENGTH - infix.length() - run.length();
    if (prefix.length() > room) {
      prefix = trimHyphens(prefix.substring(0, room));
    }
    return prefix + infix + run;
  }

  /**
   * The identifier of a manual DB snapshot dbrecover takes of {@code source}: {@code
   * <source>-dbr-<yyyyMMdd-HHmmss>[-<label>]} for an operator's backup, {@code
   * <source>-dbr-safety-<run>} for a run's safety copy (so a retry finds it). Labels keep letters
   * and digits; other characters become hyphens.
   */
  public static String snapshot(String source, String runId, Instant now, String label) {
    String base = sanitize(source) + "-dbr-";
    String body =
        runId != null
            ? "safety-" + runPart(runId)
            : SNAPSHOT_TIME.format(now) + (label == null ? "" : "-" + sanitizeBody(label));
    String id = trimHyphens(base + body);
    return id.length() > MAX_SNAPSHOT_LENGTH
        ? trimHyphens(id.substring(0, MAX_SNAPSHOT_LENGTH))
        : id;
  }

  /** Whether {@code id} is a valid RDS instance identifier. */
  public static boolean isValid(String id) {
    return id.length() <= MAX_LENGTH
        && id.matches("[A-Za-z][A-Za-z0-9-]*")
        && !id.contains("--")
        && !id.endsWith("-");
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
    String s = sanitizeBody(runId);
    if (s.isEmpty()) {
      return "run";
    }
    // Other run ids (tests, older journals): keep the end, where such ids differ.
    return s.length() > 24 ? trimHyphens(s.substring(s.length() - 24)) : s;
  }

  private static String sanitize(String source) {
    String s = sanitizeBody(source);
    if (s.isEmpty() || !Character.isLetter(s.charAt(0))) {
      s = "db-" + s;
    }
    return trimHyphens(s);
  }

  private static String sanitizeBody(String s) {
    return trimHyphens(
        s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("-{2,}", "-"));
  }

  private static String trimHyphens(String s) {
    return s.replaceAll("^-+|-+$", "");
  }
}
