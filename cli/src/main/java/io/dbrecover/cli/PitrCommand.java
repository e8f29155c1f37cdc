package io.dbrecover.cli;

import io.dbrecover.engine.api.ArchivingStatus;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.ErrorCode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code dbrecover pitr}: continuous WAL archiving where dbrecover runs point-in-time recovery. */
@Command(
    name = "pitr",
    mixinStandardHelpOptions = true,
    description = {
      "Point-in-time recovery where dbrecover runs it (self-hosted PostgreSQL, the embedded"
          + " default): WAL archiving and its window. Cloud providers keep their own history;"
          + " `plan` and `status` show their window."
    },
    subcommands = {PitrCommand.Enable.class, PitrCommand.Status.class})
final class PitrCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "missing command: enable or status");
  }

  @Command(
      name = "enable",
      description = {
        "Set up continuous WAL archiving (wal_level, archive_mode, archive_command into the"
            + " environment's WAL archive) where dbrecover may; a server it does not manage may"
            + " need a restart or settings it cannot change, which the problems name. Idempotent."
      })
  static final class Enable extends BaseCommand {
    @Parameters(index = "0", paramLabel = "<env>", description = "Environment name.")
    String env;

    @Option(names = "--dry-run", description = "Only show what would change.")
    boolean dryRun;

    @Override
    public Integer call() {
      ConsoleInteraction io = interaction();
      ArchivingStatus s =
          engine().enableArchiving(config(), env, !dryRun, m -> io.line("pitr enable", m));
      print(
          s,
          Render.archiving(env, s)
              + (dryRun ? "\nDry run: nothing was changed.\n" : "")
              + (s.baseBackups() == 0
                  ? "\nNext: take a base backup with `dbrecover backup "
                      + env
                      + " --physical`; the window opens at its end.\n"
                  : ""));
      return 0;
    }
  }

  @Command(
      name = "status",
      description = {
        "Show WAL archiving health (settings, last archived segment and its age, failures from"
            + " pg_stat_archiver, base backups) and the restore window.",
        "Exits 2 when point-in-time recovery is not healthy (problems listed, or no window yet), so"
            + " monitoring can alert on it."
      })
  static final class Status extends BaseCommand {
    @Parameters(index = "0", paramLabel = "<env>", description = "Environment name.")
    String env;

    @Override
    public Integer call() {
      ArchivingStatus s = engine().archivingStatus(config(), env);
      print(s, Render.archiving(env, s));
      if (!s.healthy()) {
        throw new DbRecoverException(
            ErrorCode.NO_RECOVERY_POINT,
            "point-in-time recovery for "
                + env
                + " is not healthy: "
                + (s.problems().isEmpty()
                    ? "no restore window yet; take a base backup with `dbrecover backup "
                        + env
                        + " --physical`"
                    : String.join("; ", s.problems())));
      }
      return 0;
    }
  }
}
