package io.dbrecover.cli;

import io.dbrecover.engine.api.RecoveryPoint;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "list-backups", description = "List an environment's backups, newest first.")
final class ListBackupsCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "<env>", description = "Environment name.")
  String env;

  @Override
  public Integer call() {
    List<RecoveryPoint> points = engine().listBackups(config(), env);
    print(points, Render.backups(env, points));
    return 0;
  }
}
