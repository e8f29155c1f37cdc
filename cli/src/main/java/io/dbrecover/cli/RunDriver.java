package io.dbrecover.cli;

import io.dbrecover.engine.api.DbRecoverConfig;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.Incident;
import io.dbrecover.engine.api.Plan;
import io.dbrecover.engine.api.RecoveryEngine;
import io.dbrecover.engine.api.RecoveryEngine.RunSession;
import io.dbrecover.engine.api.RunOptions;
import io.dbrecover.engine.api.RunOutcome;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/** Advances a run until it ends, sleeping while the provider works; prints the result. */
final class RunDriver {
  private static final Duration MAX_SLEEP = Duration.ofSeconds(30);

  private RunDriver() {}

  /**
   * Starts a run of {@code plan} with {@code --force} under the environment's lock (as the drills
   * do) and drives it to its end; {@code started} is told the run id first, {@code jsonReport} the
   * run's JSON report in JSON mode (it is not printed then).
   */
  static int startAndDrive(
      BaseCommand cmd,
      RecoveryEngine engine,
      DbRecoverConfig config,
      Plan plan,
      Incident incident,
      ConsoleInteraction io,
      Consumer<String> started,
      Consumer<Path> jsonReport) {
    RecoveryEngine.Lock lock = engine.lock(config, plan.environment(), "drill");
    try (RunSession session =
        engine.start(config, plan, new RunOptions(incident, false, true, List.of(), null), lock)) {
      started.accept(session.runId());
      return drive(cmd, session, io, engine.clock(), jsonReport);
    }
  }

  static int drive(BaseCommand cmd, RunSession session, ConsoleInteraction io, Clock clock) {
    return drive(cmd, session, io, clock, null);
  }

  /**
   * @param jsonReport in JSON mode, given the run's {@code report.json} (null when there is none)
   *     instead of printing it, for a caller that prints one document of its own; null to print
   */
  private static int drive(
      BaseCommand cmd,
      RunSession session,
      ConsoleInteraction io,
      Clock clock,
      Consumer<Path> jsonReport) {
    while (true) {
      RunOutcome outcome = session.advance(clock.instant().plus(Duration.ofHours(12)), io);
      if (outcome.state() == RunOutcome.State.WAITING) {
        Duration wait = Duration.between(clock.instant(), outcome.waitUntil());
        sleep(wait.isNegative() ? Duration.ZERO : wait.compareTo(MAX_SLEEP) > 0 ? MAX_SLEEP : wait);
        continue;
      }
      if (cmd.json() && jsonReport != null) {
        Path report = outcome.report();
        Path json = report == null ? null : report.resolveSibling("report.json");
        jsonReport.accept(json != null && Files.exists(json) ? json : null);
      } else {
        print(cmd, session, outcome);
      }
      if (outcome.state() == RunOutcome.State.FAILED) {
        throw outcome.error();
      }
      return 0;
    }
  }

  private static void print(BaseCommand cmd, RunSession session, RunOutcome outcome) {
    Path report = outcome.report();
    PrintWriter out = cmd.out();
    if (cmd.json()) {
      if (report != null && Files.exists(report.resolveSibling("report.json"))) {
        out.println(read(report.resolveSibling("report.json")));
      }
      out.flush();
      return;
    }
    if (report != null && Files.exists(report)) {
      out.println(read(report));
    }
    out.println(
        "Run "
            + session.runId()
            + " "
            + ended(outcome)
            + "."
            + " Report: "
            + report
            + " (JSON beside it)");
    out.flush();
  }

  private static String ended(RunOutcome outcome) {
    if (outcome.state() == RunOutcome.State.DONE) {
      return "done";
    }
    return outcome.error().code() == ErrorCode.CANCELLED ? "cancelled" : "failed";
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the provider", e);
    }
  }
}
