package io.dbrecover.cli;

import io.dbrecover.engine.api.Incident;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(
    name = "rollback",
    description = {
      "Recover an environment: the decision tree picks the method and recovery point, the database is"
          + " restored side by side, verified, the data loss is reported, and after confirmation"
          + " DATABASE_URL is swapped to it. The original is kept for swap-back.",
    })
final class RollbackCommand extends BaseCommand {
  @Parameters(
      index = "0",
      paramLabel = "<env>",
      description = "Environment name from dbrecover.yaml.")
  String env;

  @Mixin IncidentOptions incident;

  @Mixin RunFlags flags;

  @Override
  public Integer call() {
    Incident inc = incident.incident(engine().clock(), err());
    return Recovery.run(this, env, inc, flags.options(inc), flags.dryRun);
  }
}
