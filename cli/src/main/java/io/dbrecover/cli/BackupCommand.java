package io.dbrecover.cli;

import io.dbrecover.engine.api.RecoveryPoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "backup",
    description =
        "Take a backup now (pg_dump -Fd -j N into the backup store, with metadata: row counts, schema"
            + " fingerprint, migration state, sha256 of every file).")
final class BackupCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "<env>", description = "Environment name.")
  String env;

  @Option(
      names = "--label",
      paramLabel = "<label>",
      description = "Appended to the backup id, e.g. pre-deploy-42.")
  String label;

  @Override
  public Integer call() {
    ConsoleInteraction io = interaction();
    RecoveryPoint p = engine().backup(config(), env, label, m -> io.line("backup", m));
    print(
        p,
        "Backup "
            + p.id()
            + " taken: "
            + Render.size(p.sizeBytes())
            + ", "
            + p.rowCounts().size()
            + " tables, "
            + p.migrationState().summary()
            + "\n  "
            + p.location()
            + "\n");
    return 0;
  }
}
