package io.dbrecover.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbrecover.engine.api.EnvironmentConfig.Retention;
import io.dbrecover.engine.api.RecoveryPoint;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackupRetentionTest {
  private static final Instant NOW = Instant.parse("2026-06-30T12:00:00Z");
  private static final Retention RETENTION =
      new Retention(2, Duration.ofDays(30), Duration.ofDays(90));

  private static RecoveryPoint backup(String id, int daysAgo, boolean safety) {
    return new RecoveryPoint(
        id,
        RecoveryPoint.Kind.LOGICAL_BACKUP,
        NOW.minus(Duration.ofDays(daysAgo)),
        null,
        safety,
        0,
        null,
        null,
        null,
        null);
  }

  @Test
  void toDelete_moreThanKeepLast_deletesOldestBeyondIt() {
    List<RecoveryPoint> backups =
        List.of(backup("b1", 3, false), backup("b2", 2, false), backup("b3", 1, false));

    assertThat(BackupRetention.toDelete(backups, RETENTION, NOW)).containsExactly("b1");
  }

  @Test
  void toDelete_olderThanMaxAge_deletedEvenWithinKeepLast() {
    List<RecoveryPoint> backups = List.of(backup("new", 1, false), backup("old", 31, false));

    assertThat(BackupRetention.toDelete(backups, RETENTION, NOW)).containsExactly("old");
  }

  @Test
  void toDelete_newestOperatorBackupTooOld_isKept() {
    List<RecoveryPoint> backups = List.of(backup("only", 400, false));

    assertThat(BackupRetention.toDelete(backups, RETENTION, NOW)).isEmpty();
  }

  @Test
  void toDelete_safetyBackups_judgedBySafetyMaxAgeOnly() {
    List<RecoveryPoint> backups =
        List.of(
            backup("s-recent", 60, true),
            backup("s-old", 91, true),
            backup("b1", 1, false),
            backup("b2", 2, false));

    assertThat(BackupRetention.toDelete(backups, RETENTION, NOW)).containsExactly("s-old");
  }

  @Test
  void toDelete_safetyBackups_doNotCountTowardsKeepLast() {
    List<RecoveryPoint> backups =
        List.of(
            backup("s1", 0, true),
            backup("s2", 0, true),
            backup("b1", 1, false),
            backup("b2", 2, false));

    assertThat(BackupRetention.toDelete(backups, RETENTION, NOW)).isEmpty();
  }
}
