package io.dbrecover.cli;

import io.dbrecover.engine.api.DbRecoverConfig;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.Incident;
import io.dbrecover.engine.api.Method;
import io.dbrecover.forwardfix.FixPlan;
import io.dbrecover.forwardfix.ForwardFix;
import io.dbrecover.forwardfix.ServerScratch;
import io.dbrecover.postgres.EmbeddedCluster;

/**
 * For a schema incident, generates the reverse migration (changing nothing) so the decision tree
 * knows whether a forward-fix would lose data. Skipped where the environment forbids forward-fix or
 * names no migrations directory; a failed analysis is reported and leaves the tree without one.
 */
final class ForwardFixAnalysis {
  private ForwardFixAnalysis() {}

  static Incident attach(BaseCommand cmd, String env, Incident incident) {
    if (incident.kind() != Incident.Kind.SCHEMA || incident.backupId() != null) {
      return incident;
    }
    DbRecoverConfig config = cmd.config();
    EnvironmentConfig e = config.environment(env);
    if (!e.allowedMethods().contains(Method.FORWARD_FIX) || e.migrations().directory() == null) {
      return incident;
    }
    Boolean lossless;
    try {
      FixPlan plan = plan(cmd, config, env, e, incident.toMigration());
      lossless = plan.lossless();
      cmd.err()
          .println(
              "Forward-fix analysis: reverting "
                  + plan.revertedNames()
                  + " takes "
                  + plan.changes().size()
                  + " statements and "
                  + (lossless
                      ? "loses no data"
                      : "would lose data (" + plan.losses().size() + " statements)"));
    } catch (DbRecoverException | java.io.UncheckedIOException ex) {
      cmd.err().println("Forward-fix analysis not made: " + ex.getMessage());
      lossless = null;
    }
    cmd.err().flush();
    return new Incident(
        incident.kind(),
        incident.damageStartedAt(),
        incident.toMigration(),
        incident.backupId(),
        lossless,
        incident.targetAt(),
        incident.targetLsn());
  }

  static FixPlan plan(
      BaseCommand cmd, DbRecoverConfig config, String env, EnvironmentConfig e, String to) {
    EmbeddedCluster shadow = EmbeddedCluster.at(config.stateDir().resolve("shadow"));
    shadow.ensureRunning();
    shadow.stopOnExitIfStartedHere();
    return new ForwardFix(new ServerScratch(shadow.url("postgres")))
        .plan(
            cmd.engine().liveUrl(config, env),
            e.migrations().tool(),
            e.migrations().directory(),
            to);
  }
}
