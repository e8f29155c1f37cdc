package io.dbrecover.cli;

import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.Trace;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;

/** The {@code dbrecover} command: parse, run, map errors to the documented exit codes. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    Trace.mark("main");
    Warmup.start();
    int code = run(args);
    Trace.mark("exit " + code);
    System.exit(code);
  }

  static int run(String... args) {
    CliComponent component = DaggerCliComponent.create();
    Trace.mark("component built");
    CommandLine cli = commandLine(component, args);
    Trace.mark("command line built");
    return cli.execute(args);
  }

  /** The whole command line, every subcommand included. */
  static CommandLine commandLine(CliComponent component) {
    return commandLine(new DbRecoverCommand(component::engine));
  }

  /** The whole command line around {@code command}, every subcommand included. */
  static CommandLine commandLine(DbRecoverCommand command) {
    return commandLine(command, DbRecoverCommand.SUBCOMMANDS);
  }

  /**
   * The command line for {@code args}: only the subcommands named in them, or every one when none
   * is (for help and for the message about an unknown command). Building a subcommand's model reads
   * its annotations reflectively, which for all of them takes about 0.3 s of a command's start;
   * what is parsed and run is the same.
   */
  static CommandLine commandLine(CliComponent component, String... args) {
    java.util.Set<String> words = java.util.Set.of(args.length == 0 ? new String[0] : dedup(args));
    List<Class<?>> named =
        DbRecoverCommand.SUBCOMMANDS.stream()
            .filter(c -> words.contains(c.getAnnotation(CommandLine.Command.class).name()))
            .toList();
    return commandLine(
        new DbRecoverCommand(component::engine),
        named.isEmpty() ? DbRecoverCommand.SUBCOMMANDS : named);
  }

  private static String[] dedup(String[] args) {
    return java.util.Arrays.stream(args).distinct().toArray(String[]::new);
  }

  private static CommandLine commandLine(DbRecoverCommand command, List<Class<?>> subcommands) {
    CommandLine cli = new CommandLine(command);
    for (Class<?> sub : subcommands) {
      cli.addSubcommand(sub);
    }
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setExecutionExceptionHandler(Main::handle);
    cli.setExitCodeExceptionMapper(
        e -> e instanceof DbRecoverException ? ((DbRecoverException) e).code().exitCode() : 1);
    cli.setParameterExceptionHandler(
        (ex, a) -> {
          PrintWriter err = ex.getCommandLine().getErr();
          err.println("dbrecover: " + DbUrl.redact(ex.getMessage()));
          err.println(
              "Run `"
                  + ex.getCommandLine().getCommandSpec().qualifiedName()
                  + " --help` for usage.");
          return ErrorCode.CONFIGURATION.exitCode();
        });
    return cli;
  }

  private static int handle(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
    PrintWriter err = cli.getErr();
    if (e instanceof DbRecoverException) {
      DbRecoverException d = (DbRecoverException) e;
      err.println("dbrecover: " + DbUrl.redact(d.getMessage()));
      err.println("(exit " + d.code().exitCode() + ": " + d.code().summary() + ")");
      return d.code().exitCode();
    }
    err.println("dbrecover: unexpected error: " + DbUrl.redact(String.valueOf(e.getMessage())));
    if (System.getenv("DBRECOVER_DEBUG") != null) {
      e.printStackTrace(err);
    } else {
      err.println("(set DBRECOVER_DEBUG=1 for the stack trace)");
    }
    return ErrorCode.CONFIGURATION.exitCode();
  }
}
