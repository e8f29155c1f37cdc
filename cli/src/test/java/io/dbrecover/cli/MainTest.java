package io.dbrecover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line is built for the arguments given: the same parse, fewer models to build. */
class MainTest {
  private static final CliComponent COMPONENT = DaggerCliComponent.create();

  @Test
  void commandLine_argumentsNameASubcommand_onlyThatOneIsBuilt() {
    CommandLine cli = Main.commandLine(COMPONENT, "--config", "x.yaml", "restore", "env");

    assertThat(cli.getSubcommands()).containsOnlyKeys("restore");
  }

  @Test
  void commandLine_noSubcommandNamed_everyOneIsBuiltAndHelpListsThemAll() {
    CommandLine cli = Main.commandLine(COMPONENT, "--help");
    StringWriter out = new StringWriter();
    cli.setOut(new PrintWriter(out));

    int exit = cli.execute("--help");

    assertThat(exit).isZero();
    assertThat(cli.getSubcommands().keySet())
        .containsExactlyElementsOf(Main.commandLine(COMPONENT).getSubcommands().keySet())
        .hasSize(DbRecoverCommand.SUBCOMMANDS.size());
    assertThat(out.toString()).contains("restore", "backup", "drill", "swap-back");
  }

  @Test
  void commandLine_unknownSubcommand_exitOneAsBefore() {
    CommandLine cli = Main.commandLine(COMPONENT, "restor", "env");
    cli.setErr(new PrintWriter(new StringWriter()));

    assertThat(cli.execute("restor", "env")).isEqualTo(1);
  }
}
