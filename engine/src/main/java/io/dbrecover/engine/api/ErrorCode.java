package io.dbrecover.engine.api;

/** Every failure dbrecover reports, with the process exit code the CLI uses for it. */
public enum ErrorCode {
  CONFIGURATION(1, "configuration or validation error"),
  NO_RECOVERY_POINT(2, "no backup or recovery point available"),
  BACKUP_NOT_FOUND(3, "backup not found"),
  RESTORE_FAILED(4, "restore failed (original untouched)"),
  VERIFICATION_FAILED(5, "post-recovery verification failed"),
  CANCELLED(6, "cancelled by the user"),
  LOCKED(7, "another recovery holds the lock"),
  PROVIDER_API(8, "provider API error (auth, quota, throttling after retries)");

  private final int exitCode;
  private final String summary;

  ErrorCode(int exitCode, String summary) {
    this.exitCode = exitCode;
    this.summary = summary;
  }

  public int exitCode() {
    return exitCode;
  }

  public String summary() {
    return summary;
  }
}
