package io.dbrecover.engine.spi;

/**
 * A request to take a backup of the live database.
 *
 * @param label operator's label, appended to the id (null: none)
 * @param safety a safety copy taken by a recovery run (kept longer by retention)
 * @param runId the run that asked for it (null: an operator's backup); retried safety backups of
 *     the same run find the first one by this id
 * @param physical a physical base backup (pg_basebackup) for point-in-time recovery instead of a
 *     logical one; only providers that offer {@link io.dbrecover.engine.api.Method#POINT_IN_TIME}
 *     themselves (self-hosted PostgreSQL) take them
 * @param gitSha the commit being deployed, for providers that tag their snapshots with it (null:
 *     none)
 */
public record BackupRequest(
    String label, boolean safety, String runId, boolean physical, String gitSha) {
  /** A logical backup (pg_dump or the provider's snapshot). */
  public BackupRequest(String label, boolean safety, String runId) {
    this(label, safety, runId, false, null);
  }

  public BackupRequest(String label, boolean safety, String runId, boolean physical) {
    this(label, safety, runId, physical, null);
  }

  public BackupRequest {
    if (gitSha != null && !gitSha.matches("[0-9a-fA-F]{7,64}")) {
      throw new io.dbrecover.engine.api.ConfigurationException(
          "git SHA '" + gitSha + "' is not a commit hash (7 to 64 hex digits)");
    }
    gitSha = gitSha == null ? null : gitSha.toLowerCase(java.util.Locale.ROOT);
    if (label != null && !label.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
      throw new io.dbrecover.engine.api.ConfigurationException(
          "label '"
              + label
              + "' may only contain letters, digits, '.', '_' and '-' (at most 63 characters)");
    }
  }
}
