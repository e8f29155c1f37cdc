package io.dbrecover.cli;

import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.RecoveryEngine;
import io.dbrecover.engine.api.RunReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "report",
    description = {
      "Print a run's report (Markdown; JSON with --output json), rebuilt from its journal: the"
          + " decision, steps with durations, verification and data-loss tables, where the"
          + " original and the safety copy are.",
      "Works from any host whose state store holds the run, e.g. for a run a Lambda did with"
          + " state-store: dynamodb. A run that has not ended shows as INCOMPLETE. Reads only."
    })
final class ReportCommand extends BaseCommand {
  @Parameters(
      index = "0",
      paramLabel = "<run-id>",
      description = "The run, e.g. run-20250115-103000-1a2b.")
  String runId;

  @Option(
      names = "--write",
      paramLabel = "<dir>",
      description = "Also write report.md and report.json into <dir> (created if missing).")
  Path writeTo;

  @Override
  public Integer call() {
    RunReport report = engine().report(config(), runId);
    String markdown = RecoveryEngine.markdown(report);
    if (writeTo != null) {
      try {
        Files.createDirectories(writeTo);
        Files.writeString(writeTo.resolve("report.md"), markdown, StandardCharsets.UTF_8);
        Files.writeString(writeTo.resolve("report.json"), json(report), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new ConfigurationException(
            "cannot write the report into "
                + writeTo
                + " ("
                + e
                + "); pick a writable directory for --write");
      }
    }
    print(report, markdown);
    return 0;
  }
}
