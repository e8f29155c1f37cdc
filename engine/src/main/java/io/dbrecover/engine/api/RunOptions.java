package io.dbrecover.engine.api;

import java.util.List;
import java.util.Objects;

/**
 * How a recovery run should go.
 *
 * @param incident what went wrong
 * @param inPlace replace the original database (after a verified safety backup) instead of swapping
 *     DATABASE_URL to a side-by-side copy
 * @param force skip the confirmation prompt
 * @param extraSmokeQueries smoke queries added to the environment's for this run
 * @param methodOverride use this method if the tree allows it (null: the tree decides)
 */
public record RunOptions(
    Incident incident,
    boolean inPlace,
    boolean force,
    List<EnvironmentConfig.SmokeQuery> extraSmokeQueries,
    Method methodOverride) {
  public RunOptions {
    Objects.requireNonNull(incident, "incident");
    extraSmokeQueries = extraSmokeQueries == null ? List.of() : List.copyOf(extraSmokeQueries);
  }
}
