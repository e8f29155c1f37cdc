package io.dbrecover.cli;

import io.dbrecover.engine.api.PruneResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "prune",
    description =
        "Apply retention: keep the newest keep-last backups, delete older ones past max-age; safety"
            + " backups are kept for safety-max-age (default 90 days).")
final class PruneCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "<env>", description = "Environment name.")
  String env;

  @Option(names = "--dry-run", description = "Only list what would be deleted.")
  boolean dryRun;

  @Override
  public Integer call() {
    PruneResult r = engine().prune(config(), env, dryRun);
    StringBuilder sb = new StringBuilder();
    sb.append(r.dryRun() ? "Would delete: " : "Deleted: ")
        .append(r.deleted().isEmpty() ? "nothing" : String.join(", ", r.deleted()))
        .append("\nKept: ")
        .append(r.kept().size())
        .append(" backup(s)\n");
    print(r, sb.toString());
    return 0;
  }
}
