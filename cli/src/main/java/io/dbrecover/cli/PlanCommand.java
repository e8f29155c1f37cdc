package io.dbrecover.cli;

import io.dbrecover.engine.api.Incident;
import io.dbrecover.engine.api.Plan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(
    name = "plan",
    description =
        "Show the decision (method, recovery point, reasons, rejected alternatives); change nothing.")
final class PlanCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "<env>", description = "Environment name.")
  String env;

  @Mixin IncidentOptions incident;

  @Override
  public Integer call() {
    Incident inc = ForwardFixAnalysis.attach(this, env, incident.incident(engine().clock(), err()));
    Plan plan = engine().plan(config(), env, inc);
    print(plan, Render.plan(plan));
    return Recovery.exitFor(plan);
  }
}
