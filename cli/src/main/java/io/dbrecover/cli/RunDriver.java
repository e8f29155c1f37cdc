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
   * do) and drives it to its end; {@code started} is told the run id first.
   */
  static int startAndDrive(
      BaseCommand cmd,
      RecoveryEngine engine,
      DbRecoverConfig config,
      Plan plan,
      Incident incident,
      ConsoleInteraction io,
      Consumer<String> started) {
    RecoveryEngine.Lock lock = engine.lock(config, plan.environment(), "drill");
    try (RunSession session =
        engine.start(config, plan, new RunOptions(incident, false, true, List.of(), null), lock)) {
      started.accept(session.runId());
      return drive(cmd, session, io, engine.clock());
    }
  }

  static int drive(BaseCommand cmd, RunSession session, ConsoleInteraction io, Clock clock) {
    while (true) {
      RunOutcome outcome = session.advance(clock.instant().plus(Duration.ofHours(12)), io);
      if (outcome.state() == RunOutcome.State.WAITING) {
        Duration wait = Duration.between(clock.instant(), outcome.waitUntil());
        sleep(wait.isNegative() ? Duration.ZERO : wait.compareTo(MAX_SLEEP) > 0 ? MAX_SLEEP : wait);
        continue;
      }
      print(cmd, session, outcome);
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
