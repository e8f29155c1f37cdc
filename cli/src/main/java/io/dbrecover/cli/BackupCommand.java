package io.dbrecover.cli;

import io.dbrecover.engine.api.DbRecoverConfig;
import io.dbrecover.engine.api.RecoveryPoint;
import io.dbrecover.engine.api.Trace;
import java.util.List;
import java.util.Map;
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
  /** The first of {@link #GIT_SHA_ENV} set to a commit hash, else null. */
  static String gitShaFrom(Map<String, String> env) {
    for (String name : GIT_SHA_ENV) {
      String v = env.get(name);
      if (v != null && v.strip().matches("[0-9a-fA-F]{7,64}")) {
        return v.strip();
      }
    }
    return null;
  }

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

  @Option(
      names = "--git-sha",
      paramLabel = "<sha>",
      description =
          "The commit being deployed; providers that tag snapshots (rds, aurora, cloudsql) record"
              + " it. Default: $DBRECOVER_GIT_SHA, else $GITHUB_SHA, $CI_COMMIT_SHA or $GIT_COMMIT"
              + " when set.")
  String gitSha;

  /** Environment variables that CI systems set to the commit being deployed, in order. */
  static final List<String> GIT_SHA_ENV =
      List.of("DBRECOVER_GIT_SHA", "GITHUB_SHA", "CI_COMMIT_SHA", "GIT_COMMIT");

  @Override
  public Integer call() {
    ConsoleInteraction io = interaction();
    Trace.mark("engine ready");
    DbRecoverConfig config = config();
    Trace.mark("configuration loaded");
    RecoveryPoint p =
        engine()
            .backup(
                config,
                env,
                label,
                physical,
                gitSha != null ? gitSha : gitShaFrom(System.getenv()),
                m -> io.line("backup", m));
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
