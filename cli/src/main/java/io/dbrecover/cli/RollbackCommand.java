package io.dbrecover.cli;

import io.dbrecover.engine.api.Incident;
import io.dbrecover.engine.api.RunOptions;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
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

  @Option(
      names = "--dry-run",
      description = "Show the plan, removed migrations and estimated data loss; change nothing.")
  boolean dryRun;

  @Option(names = "--force", description = "Do not ask for confirmation.")
  boolean force;

  @Option(
      names = "--in-place",
      description =
          "Replace the original database (after a verified safety backup) instead of swapping DATABASE_URL.")
  boolean inPlace;

  @Option(
      names = "--verify",
      paramLabel = "<sql>",
      description =
          "An extra smoke query the recovered database must answer with at least one row (repeatable).")
  List<String> verify = new ArrayList<>();

  @Override
  public Integer call() {
    Incident inc = incident.incident();
    return Recovery.run(
        this, env, inc, new RunOptions(inc, inPlace, force, Recovery.smoke(verify), null), dryRun);
  }
}
