package io.dbrecover.cli;

import io.dbrecover.engine.api.Timeline;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "timeline",
    description = {
      "List, oldest first, everything a recovery can aim at: the point-in-time window's edges,"
          + " base and logical backups, applied migrations with their start times (from the live"
          + " database), and past runs. Pick a time and pass it to `rollback <env> --at <time>`."
    })
final class TimelineCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "<env>", description = "Environment name.")
  String env;

  @Override
  public Integer call() {
    Timeline t = engine().timeline(config(), env);
    print(t, Render.timeline(t));
    return 0;
  }
}
