package io.dbrecover.cli;

import io.dbrecover.engine.api.RecoveryPoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "backup",
    description =
        "Take a backup now (pg_dump -Fd -j N into the backup store, with metadata: row counts, schema"
            + " fingerprint, migration state, sha256 of every file); with --physical, a base backup"
            + " (pg_basebackup) for point-in-time recovery.")
final class BackupCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "<env>", description = "Environment name.")
  String env;

  @Option(
      names = "--label",
      paramLabel = "<label>",
      description = "Appended to the backup id, e.g. pre-deploy-42.")
  String label;

  @Option(
      names = "--physical",
      description =
          "Take a base backup (pg_basebackup) for point-in-time recovery instead of a pg_dump;"
              + " only where dbrecover runs WAL archiving (see `dbrecover pitr status`).")
  boolean physical;

  @Override
  public Integer call() {
    ConsoleInteraction io = interaction();
    RecoveryPoint p = engine().backup(config(), env, label, physical, m -> io.line("backup", m));
    print(
        p,
        (physical ? "Base backup " : "Backup ")
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
