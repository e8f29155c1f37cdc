package io.dbrecover.cli;

import io.dbrecover.engine.api.EnvironmentStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "status",
    description = "Show the live database, its migration state, backups and recent runs.")
final class StatusCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "<env>", description = "Environment name.")
  String env;

  @Override
  public Integer call() {
    EnvironmentStatus s = engine().status(config(), env);
    print(s, Render.status(s));
    return 0;
  }
}
