package io.dbrecover.engine.internal;

import io.dbrecover.engine.api.EnvironmentConfig.Retention;
import io.dbrecover.engine.api.RecoveryPoint;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which backups retention deletes: beyond the newest {@code keep-last} operator backups, those
 * older than {@code max-age}; safety backups only once older than {@code safety-max-age}. The
 * newest operator backup is never deleted.
 */
public final class RetentionPolicy {
  private RetentionPolicy() {}

  public static List<RecoveryPoint> expired(
      List<RecoveryPoint> points, Retention retention, Instant now) {
    List<RecoveryPoint> sorted = new ArrayList<>(points);
    sorted.sort(Comparator.comparing(RecoveryPoint::takenAt).reversed());
    List<RecoveryPoint> expired = new ArrayList<>();
    int regular = 0;
    for (RecoveryPoint p : sorted) {
      if (p.safety()) {
        if (p.takenAt().plus(retention.safetyMaxAge()).isBefore(now)) {
          expired.add(p);
        }
        continue;
      }
      regular++;
      if (regular > retention.keepLast() && p.takenAt().plus(retention.maxAge()).isBefore(now)) {
        expired.add(p);
      }
    }
    return expired;
  }
}
