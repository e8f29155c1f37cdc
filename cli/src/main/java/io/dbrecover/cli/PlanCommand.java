package io.dbrecover.cli;

import io.dbrecover.engine.api.Incident;
import io.dbrecover.engine.api.Plan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "plan",
    description =
        "Show the decision (method, recovery point, reasons, rejected alternatives); change nothing.")
final class PlanCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "<env>", description = "Environment name.")
  String env;

  @Option(names = "--from", paramLabel = "<backup-id>", description = "Plan for this backup.")
  String from;

  @Option(
      names = "--to",
      paramLabel = "<migration>",
      description = "Plan for the state ending at this migration.")
  String to;

  @Option(
      names = "--incident",
      paramLabel = "app|schema|data",
      description = "What is damaged (default: data).")
  Incident.Kind incident = Incident.Kind.DATA;

  @Option(
      names = "--since",
      paramLabel = "<timestamp>",
      description = "When the damage began (ISO-8601).")
  String since;

  @Override
  public Integer call() {
    Incident inc = new Incident(incident, Recovery.parseInstant("--since", since), to, from, null);
    Plan plan = engine().plan(config(), env, inc);
    print(plan, Render.plan(plan));
    return Recovery.exitFor(plan);
  }
}
