package io.dbrecover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The drill's options in-process: argument errors exit 1 before anything is created. */
class DrillCommandTest {
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
  void drill_unknownScenario_exitOneListingTheScenarios() {
    Result r = run("drill", "--scenario", "snapshot");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .contains("Invalid value for option '--scenario'")
        .contains("DUMP, PITR, ALL")
        .contains("'snapshot'")
        .contains("Run `dbrecover drill --help` for usage.");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void drill_scenarioWithoutValue_exitOne() {
    Result r = run("drill", "--scenario");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("Missing required parameter for option '--scenario'");
  }

  @Test
  void drill_zeroRows_exitOneBeforeAnythingIsCreated() {
    Result r = run("drill", "--rows", "0");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("--rows must be at least 1, not 0");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void drillHelp_describesBothScenariosAndTheOption() {
    Result r = run("drill", "--help");

    assertThat(r.exit()).isZero();
    assertThat(r.out())
        .contains("--scenario=dump|pitr|all")
        .contains("dump (pg_dump restore), pitr (point-in-time restore)")
        .contains("(default: all, one after the other)")
        .contains("pitr: on a separate embedded cluster, turn WAL archiving on")
        .contains("exits 5 when a proof fails");
  }
}
