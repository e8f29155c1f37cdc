package io.dbrecover.cli;

import io.dbrecover.engine.api.BackupCheck;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.ErrorCode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "verify-backup",
    description =
        "Check a backup: sha256 of every file and pg_restore --list; --deep also restores it into a"
            + " scratch database and compares row counts and schema fingerprint. Exit 4 when it fails.")
final class VerifyBackupCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "<env>", description = "Environment name.")
  String env;

  @Parameters(index = "1", paramLabel = "<backup-id>", description = "The backup to verify.")
  String backupId;

  @Option(names = "--deep", description = "Also restore into a scratch database and verify it.")
  boolean deep;

  @Override
  public Integer call() {
    ConsoleInteraction io = interaction();
    BackupCheck check =
        engine().verifyBackup(config(), env, backupId, deep, m -> io.line("verify", m));
    print(check, Render.check(check));
    if (!check.passed()) {
      throw new DbRecoverException(
          ErrorCode.RESTORE_FAILED,
          "backup "
              + backupId
              + " failed verification; do not restore it, pick another with `dbrecover list-backups "
              + env
              + "`");
    }
    return 0;
  }
}
