package io.dbrecover.cli;

import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.RecoveryEngine.RunSession;
import io.dbrecover.engine.api.RunOutcome;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/** Advances a run until it ends, sleeping while the provider works; prints the result. */
final class RunDriver {
  private static final Duration MAX_SLEEP = Duration.ofSeconds(30);

  private RunDriver() {}

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
