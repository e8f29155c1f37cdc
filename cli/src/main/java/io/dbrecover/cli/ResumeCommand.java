package io.dbrecover.cli;

import io.dbrecover.engine.api.RecoveryEngine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "resume",
    description =
        "Continue a run that was interrupted, from its journal; finished steps are not redone.")
final class ResumeCommand extends BaseCommand {
  @Parameters(
      index = "0",
      paramLabel = "<run-id>",
      description = "The run, e.g. run-20250115-103000-1a2b.")
  String runId;

  @Override
  public Integer call() {
    RecoveryEngine engine = engine();
    try (RecoveryEngine.RunSession session = engine.resume(config(), runId)) {
      return RunDriver.drive(this, session, interaction(), engine.clock());
    }
  }
}
