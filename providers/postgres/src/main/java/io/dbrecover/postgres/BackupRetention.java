package io.dbrecover.postgres;

import io.dbrecover.engine.api.EnvironmentConfig.Retention;
import io.dbrecover.engine.api.RecoveryPoint;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which backups retention removes: operator backups beyond the newest {@code keepLast} or older
 * than {@code maxAge}, except that the newest one is always kept; safety backups only when older
 * than {@code safetyMaxAge}. A pure function.
 */
public final class BackupRetention {
  private BackupRetention() {}

  /** The ids to delete, newest first. */
  public static List<String> toDelete(
      List<RecoveryPoint> backups, Retention retention, Instant now) {
    List<RecoveryPoint> sorted = new ArrayList<>(backups);
    sorted.sort(
        Comparator.comparing(RecoveryPoint::takenAt).thenComparing(RecoveryPoint::id).reversed());
    List<String> delete = new ArrayList<>();
    int kept = 0;
    for (RecoveryPoint p : sorted) {
      if (p.safety()) {
        if (p.takenAt().plus(retention.safetyMaxAge()).isBefore(now)) {
          delete.add(p.id());
        }
        continue;
      }
      boolean newest = kept == 0;
      boolean tooOld = p.takenAt().plus(retention.maxAge()).isBefore(now);
      if (newest || kept < retention.keepLast() && !tooOld) {
        kept++;
      } else {
        delete.add(p.id());
      }
    }
    return delete;
  }
}
