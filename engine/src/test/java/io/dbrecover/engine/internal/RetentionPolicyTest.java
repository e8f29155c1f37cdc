package io.dbrecover.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbrecover.engine.api.EnvironmentConfig.Retention;
import io.dbrecover.engine.api.RecoveryPoint;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetentionPolicyTest {
  private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
  private static final Retention KEEP_2_FOR_30_DAYS =
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

  private static List<String> ids(List<RecoveryPoint> points) {
    List<String> out = new ArrayList<>();
    points.forEach(p -> out.add(p.id()));
    return out;
  }

  @Test
  void expired_beyondKeepLastAndOlderThanMaxAge_deleted() {
    List<RecoveryPoint> points =
        List.of(
            backup("a", 1, false),
            backup("b", 40, false),
            backup("c", 50, false),
            backup("d", 60, false));

    assertThat(ids(RetentionPolicy.expired(points, KEEP_2_FOR_30_DAYS, NOW)))
        .containsExactly("c", "d");
  }

  @Test
  void expired_beyondKeepLastButYoung_kept() {
    List<RecoveryPoint> points =
        List.of(backup("a", 1, false), backup("b", 2, false), backup("c", 3, false));

    assertThat(RetentionPolicy.expired(points, KEEP_2_FOR_30_DAYS, NOW)).isEmpty();
  }

  @Test
  void expired_safetyBackups_keptForSafetyMaxAgeOnly() {
    List<RecoveryPoint> points =
        List.of(backup("s-young", 80, true), backup("s-old", 91, true), backup("a", 1, false));

    assertThat(ids(RetentionPolicy.expired(points, KEEP_2_FOR_30_DAYS, NOW)))
        .containsExactly("s-old");
  }

  @Test
  void expired_newestRegularBackup_neverDeletedEvenWhenOld() {
    List<RecoveryPoint> points = List.of(backup("only", 400, false));

    assertThat(
            RetentionPolicy.expired(
                points, new Retention(1, Duration.ofDays(1), Duration.ofDays(1)), NOW))
        .isEmpty();
  }
}
