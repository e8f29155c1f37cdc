package io.dbrecover.gcp.internal;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What dbrecover writes into an on-demand backup run's {@code description} (label, run id, git SHA,
 * safety flag) and reads back when it lists backups: {@code dbrecover label=<l> run=<r> git=<sha>
 * [safety]}, with {@code -} for a missing value.
 */
public final class BackupDescriptions {
  private static final Pattern FORMAT =
      Pattern.compile("^dbrecover label=(\\S+) run=(\\S+) git=(\\S+)( safety)?$");

  private BackupDescriptions() {}

  /** What a backup run's description records. */
  public record Parsed(String label, String runId, String gitSha, boolean safety) {}

  public static String of(String label, String runId, String gitSha, boolean safety) {
    return "dbrecover label="
        + dash(label)
        + " run="
        + dash(runId)
        + " git="
        + dash(gitSha)
        + (safety ? " safety" : "");
  }

  /** The fields of a description dbrecover wrote; empty for any other description. */
  public static Optional<Parsed> parse(String description) {
    if (description == null) {
      return Optional.empty();
    }
    Matcher m = FORMAT.matcher(description.trim());
    if (!m.matches()) {
      return Optional.empty();
    }
    return Optional.of(
        new Parsed(undash(m.group(1)), undash(m.group(2)), undash(m.group(3)), m.group(4) != null));
  }

  private static String dash(String s) {
    return s == null || s.isBlank() ? "-" : s.replaceAll("\\s+", "_");
  }

  private static String undash(String s) {
    return "-".equals(s) ? null : s;
  }
}
