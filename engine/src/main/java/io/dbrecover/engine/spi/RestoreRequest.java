package io.dbrecover.engine.spi;

import io.dbrecover.engine.api.RecoveryPoint;
import java.util.Objects;

/**
 * A request to restore a recovery point.
 *
 * @param runId the run; names derived from it make retries idempotent
 * @param point what to restore
 * @param targetName the new database / branch / instance name, derived from the run id; for an
 *     in-place restore, the original's name
 * @param inPlace replace the original; the engine only asks after a verified safety copy exists
 */
public record RestoreRequest(
    String runId, RecoveryPoint point, String targetName, boolean inPlace) {
  public RestoreRequest {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(point, "point");
    Objects.requireNonNull(targetName, "targetName");
  }
}
