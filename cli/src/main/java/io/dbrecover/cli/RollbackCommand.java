package io.dbrecover.cli;

import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.Incident;
import io.dbrecover.engine.api.Method;
import io.dbrecover.engine.api.Plan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(
    name = "rollback",
    description = {
      "Recover an environment: the decision tree picks the method and recovery point, the database is"
          + " restored side by side, verified, the data loss is reported, and after confirmation"
          + " DATABASE_URL is swapped to it. The original is kept for swap-back.",
      "With --method forward-fix: generate the reverse migration of a schema change instead, keeping"
          + " every row (docs/forward-fix.md).",
    })
final class RollbackCommand extends BaseCommand {
  @Parameters(
      index = "0",
      paramLabel = "<env>",
      description = "Environment name from dbrecover.yaml.")
  String env;

  @Mixin IncidentOptions incident;

  @Mixin RunFlags flags;

  @Mixin ForwardFixOptions forwardFix;

  @Override
  public Integer call() {
    if (forwardFix.method != null) {
      return forwardFix();
    }
    if (forwardFix.apply || forwardFix.allowDataLoss) {
      throw new ConfigurationException(
          "--apply and --allow-data-loss belong to --method forward-fix; add it, or leave them out");
    }
    Incident inc = ForwardFixAnalysis.attach(this, env, incident.incident(engine().clock(), err()));
    if (Boolean.TRUE.equals(inc.reverseMigrationLossless())) {
      Plan plan = engine().plan(config(), env, inc, false);
      if (plan.decision().method() == Method.FORWARD_FIX) {
        if (!json()) {
          err().print(Render.plan(plan));
          err().println();
        }
        ForwardFixOptions chosen = new ForwardFixOptions();
        chosen.apply = true;
        return ForwardFixRollback.run(
            this, env, inc.toMigration(), chosen, flags.dryRun, flags.force);
      }
    }
    return Recovery.run(this, env, inc, flags.options(inc), flags.dryRun);
  }

  private int forwardFix() {
    if (!forwardFix.method.equals("forward-fix")) {
      throw new ConfigurationException(
          "--method accepts only forward-fix (got '"
              + forwardFix.method
              + "'); the other methods are chosen by the decision tree: see `dbrecover plan "
              + env
              + "`, or pin a backup with --from");
    }
    if (incident.at != null
        || incident.since != null
        || incident.from != null
        || flags.inPlace
        || !flags.verify.isEmpty()) {
      throw new ConfigurationException(
          "--method forward-fix takes --to <migration>, --apply, --allow-data-loss, --dry-run and"
              + " --force; --at, --since, --from, --in-place and --verify belong to restores");
    }
    return ForwardFixRollback.run(this, env, incident.to, forwardFix, flags.dryRun, flags.force);
  }
}
