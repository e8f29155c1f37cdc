package io.dbrecover.cli;

import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.Trace;
import java.io.PrintWriter;
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
    CommandLine cli = commandLine(DaggerCliComponent.create());
    return cli.execute(args);
  }

  static CommandLine commandLine(CliComponent component) {
    CommandLine cli = new CommandLine(new DbRecoverCommand(component::engine));
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
