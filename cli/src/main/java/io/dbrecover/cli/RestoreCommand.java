package io.dbrecover.cli;

import io.dbrecover.engine.api.Incident;
import io.dbrecover.engine.api.RunOptions;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "restore",
    description =
        "Restore a named backup side by side, verify it and swap DATABASE_URL to it (or replace the"
            + " original with --in-place).")
final class RestoreCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "<env>", description = "Environment name.")
  String env;

  @Option(
      names = "--from",
      required = true,
      paramLabel = "<backup-id>",
      description = "The backup to restore.")
  String from;

  @Option(names = "--dry-run", description = "Show what would happen; change nothing.")
  boolean dryRun;

  @Option(names = "--force", description = "Do not ask for confirmation.")
  boolean force;

  @Option(
      names = "--in-place",
      description = "Replace the original database after a verified safety backup of it.")
  boolean inPlace;

  @Option(
      names = "--verify",
      paramLabel = "<sql>",
      description = "An extra smoke query (repeatable).")
  List<String> verify = new ArrayList<>();

  @Override
  public Integer call() {
    Incident inc = new Incident(Incident.Kind.DATA, null, null, from, null);
    return Recovery.run(
        this, env, inc, new RunOptions(inc, inPlace, force, Recovery.smoke(verify), null), dryRun);
  }
}
