package io.dbrecover.cli;

import io.dbrecover.engine.api.Incident;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

  @Mixin RunFlags flags;

  @Override
  public Integer call() {
    Incident inc = new Incident(Incident.Kind.DATA, null, null, from, null);
    return Recovery.run(this, env, inc, flags.options(inc), flags.dryRun);
  }
}
