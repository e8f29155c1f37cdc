package io.dbrecover.engine.internal;

import io.dbrecover.engine.api.Incident;
import io.dbrecover.engine.api.Method;
import io.dbrecover.engine.api.MigrationState;
import io.dbrecover.engine.api.RecoveryPoint;
import io.dbrecover.engine.api.Tier;
import io.dbrecover.engine.spi.Capabilities;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything the decision tree looks at.
 *
 * @param incident what went wrong
 * @param tier the environment's tier
 * @param allowedMethods what the environment config allows
 * @param capabilities what the provider offers right now
 * @param points the available recovery points, in any order
 * @param currentMigrations the live database's migration state (null: unknown)
 * @param now the current time, the target when nothing else is known
 */
public record DecisionInput(
    Incident incident,
    Tier tier,
    Set<Method> allowedMethods,
    Capabilities capabilities,
    List<RecoveryPoint> points,
    MigrationState currentMigrations,
    Instant now) {

  public DecisionInput {
    Objects.requireNonNull(incident, "incident");
    Objects.requireNonNull(tier, "tier");
    allowedMethods = Set.copyOf(allowedMethods);
    Objects.requireNonNull(capabilities, "capabilities");
    points = List.copyOf(points);
    Objects.requireNonNull(now, "now");
  }
}
