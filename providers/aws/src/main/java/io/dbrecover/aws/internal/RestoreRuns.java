package io.dbrecover.aws.internal;

import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.RecoveryPoint;
import io.dbrecover.engine.spi.RestoreRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import software.amazon.awssdk.services.rds.model.Tag;

/** What the rds and aurora providers share about a run's restore: waiting, adoption, target. */
public final class RestoreRuns {
  /** The shortest wait between two looks at a restore. */
  public static final Duration MIN_POLL = Duration.ofSeconds(15);

  private static final Duration MAX_POLL = Duration.ofSeconds(60);

  private RestoreRuns() {}

  /** About a tenth of the time taken since {@code created}, within 15 to 60 seconds. */
  public static Duration pollInterval(Instant created, Instant now) {
    if (created == null) {
      return MIN_POLL;
    }
    Duration tenth = Duration.between(created, now).dividedBy(10);
    return tenth.compareTo(MIN_POLL) < 0
        ? MIN_POLL
        : tenth.compareTo(MAX_POLL) > 0 ? MAX_POLL : tenth;
  }

  /**
   * An existing restore target is this run's only when it carries the run's tag; otherwise exit 1
   * naming it ({@code what}: "RDS instance 'x'").
   */
  public static void requireRunTag(List<Tag> tags, String what, String runId) {
    boolean ours =
        tags.stream()
            .anyMatch(t -> RestoreSettings.RUN_TAG.equals(t.key()) && runId.equals(t.value()));
    if (!ours) {
      throw new ConfigurationException(
          what
              + " already exists and was not created by run "
              + runId
              + " (no tag "
              + RestoreSettings.RUN_TAG
              + "="
              + runId
              + "); rename or delete it, or start a new run");
    }
  }

  /**
   * The time a point-in-time request restores to; exit 1 for other kinds of point and for an LSN.
   *
   * @param provider the provider's name, for the message
   * @param snapshots what else it restores ("DB snapshots")
   * @param service the service, for the message ("RDS")
   */
  public static Instant targetTime(
      RestoreRequest request, String provider, String snapshots, String service) {
    RecoveryPoint point = request.point();
    if (point.kind() != RecoveryPoint.Kind.POINT_IN_TIME) {
      throw new ConfigurationException(
          "the "
              + provider
              + " provider restores points in time and "
              + snapshots
              + ", not a "
              + point.kind()
              + " ("
              + point.id()
              + ")");
    }
    if (point.targetLsn().isPresent()) {
      throw new ConfigurationException(
          service
              + " restores to a time, not to a WAL position (LSN "
              + point.targetLsn().get()
              + ")");
    }
    return point.takenAt();
  }
}
