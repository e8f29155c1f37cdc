package io.dbrecover.cli;

import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.Incident;
import io.dbrecover.engine.api.RunOptions;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** How a recovery runs; shared by {@code rollback} and {@code restore}. */
final class RunFlags {
  @Option(
      names = "--dry-run",
      description = "Show the plan, removed migrations and estimated data loss; change nothing.")
  boolean dryRun;

  @Option(names = "--force", description = "Do not ask for confirmation.")
  boolean force;

  @Option(
      names = "--in-place",
      description =
          "Replace the original database (after a verified safety backup of it) instead of"
              + " swapping DATABASE_URL.")
  boolean inPlace;

  @Option(
      names = "--verify",
      paramLabel = "<sql>",
      description =
          "An extra smoke query the recovered database must answer with at least one row"
              + " (repeatable).")
  List<String> verify = new ArrayList<>();

  RunOptions options(Incident incident) {
    List<EnvironmentConfig.SmokeQuery> smoke = new ArrayList<>();
    for (int i = 0; i < verify.size(); i++) {
      smoke.add(new EnvironmentConfig.SmokeQuery("--verify " + (i + 1), verify.get(i), null));
    }
    return new RunOptions(incident, inPlace, force, smoke, null);
  }
}
