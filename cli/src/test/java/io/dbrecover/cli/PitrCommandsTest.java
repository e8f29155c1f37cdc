package io.dbrecover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The point-in-time options and commands in-process: argument errors (exit 1 before anything is
 * read or changed) and help texts. Runs against real archiving come with the provider side.
 */
class PitrCommandsTest {
  record Result(int exit, String out, String err) {}

  private static Result run(String... args) {
    CommandLine cli = Main.commandLine(DaggerCliComponent.create());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(args);
    return new Result(exit, out.toString(), err.toString());
  }

  @Test
  void rollback_atNotATime_exitOneNamingTheOptionAndTheForms() {
    Result r = run("rollback", "prod", "--at", "yesterday");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .startsWith("dbrecover: --at 'yesterday' is not a time; accepted: 2025-01-15T10:30:00Z")
        .contains("2025-01-15 10:30", "-15m, -2h, 90s ago, 1d ago", "lsn:0/16B3748")
        .contains("(exit 1: configuration or validation error)");
  }

  @Test
  void plan_malformedLsn_exitOne() {
    Result r = run("plan", "prod", "--at", "lsn:16B3748");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("--at 'lsn:16B3748' is not a time: an LSN is two hex numbers");
  }

  @Test
  void plan_sinceAsLsn_exitOne() {
    Result r = run("plan", "prod", "--since", "lsn:0/1");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .contains("--since 'lsn:0/1' is not a time: an LSN is accepted by --at only");
  }

  @Test
  void rollback_atWithTo_exitOne() {
    Result r = run("rollback", "prod", "--at", "-2h", "--to", "20250101_init");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("--at and --to both name a target; give one");
  }

  @Test
  void rollback_atWithFrom_exitOne() {
    Result r = run("rollback", "prod", "--at", "-2h", "--from", "base-1");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("--at and --from both name a target; give one");
  }

  @Test
  void plan_unknownZone_exitOne() {
    Result r = run("plan", "prod", "--at", "2025-01-15 10:30", "--tz", "Mars/Olympus");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("--tz 'Mars/Olympus' is not a time zone");
  }

  @Test
  void pitr_withoutSubcommand_exitOneWithUsageHint() {
    Result r = run("pitr");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .contains("missing command: enable or status", "Run `dbrecover pitr --help` for usage.");
  }

  @Test
  void pitrStatus_withoutEnvironment_exitOne() {
    Result r = run("pitr", "status");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("Missing required parameter: '<env>'");
  }

  @Test
  void pitrHelp_listsEnableAndStatus() {
    Result r = run("pitr", "--help");

    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("enable", "status", "Point-in-time recovery");
  }

  @Test
  void pitrEnableHelp_documentsDryRun() {
    Result r = run("pitr", "enable", "--help");

    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("--dry-run", "Only show what would change.", "--state-dir");
  }

  @Test
  void pitrStatusHelp_documentsTheExitCode() {
    Result r = run("pitr", "status", "--help");

    assertThat(r.out()).contains("Exits 2 when point-in-time recovery is not healthy");
  }

  @Test
  void rollbackHelp_documentsAtTzAndSince() {
    Result r = run("rollback", "--help");

    assertThat(r.out())
        .contains("--at=<time>", "--tz=<zone>", "--since=<time>", "lsn:<hi>/<lo>", "just before");
  }

  @Test
  void backupHelp_documentsPhysical() {
    assertThat(run("backup", "--help").out()).contains("--physical", "pg_basebackup");
  }

  @Test
  void timelineHelp_describesTheList() {
    Result r = run("timeline", "--help");

    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("window's edges", "rollback <env> --at <time>", "--output");
  }

  @Test
  void timeline_withoutEnvironment_exitOne() {
    assertThat(run("timeline").exit()).isEqualTo(1);
  }
}
