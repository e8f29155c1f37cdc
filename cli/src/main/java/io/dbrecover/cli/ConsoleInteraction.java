package io.dbrecover.cli;

import io.dbrecover.engine.api.Interaction;
import io.dbrecover.engine.api.ProtectionLevel;
import io.dbrecover.engine.api.Step;
import io.dbrecover.engine.api.Trace;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Progress on standard error with the elapsed time, and the typed confirmation read from standard
 * input (end of input means no).
 */
final class ConsoleInteraction implements Interaction {
  private final PrintWriter err;
  private final BufferedReader in;
  private final Clock clock;
  private final Instant started;

  ConsoleInteraction(PrintWriter err, InputStream in, Clock clock) {
    this.err = err;
    this.in = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    this.clock = clock;
    this.started = clock.instant();
  }

  @Override
  public void progress(Step step, String message) {
    line(step.label(), message);
  }

  /** A progress line outside a run, e.g. for {@code backup}. */
  void line(String phase, String message) {
    Trace.mark(phase + ": " + message);
    Duration d = Duration.between(started, clock.instant());
    err.printf(
        Locale.ROOT,
        "[%4d.%01ds] %-16s %s%n",
        d.toSeconds(),
        d.toMillisPart() / 100,
        phase,
        message);
    err.flush();
  }

  @Override
  public boolean confirm(ProtectionLevel level, String phrase, String summary) {
    err.println();
    err.print(summary);
    if (level == ProtectionLevel.STRICT) {
      err.printf("%nType %s to swap, anything else cancels: ", phrase);
    } else {
      err.print("\nSwap to the recovered database? [y/N]: ");
    }
    err.flush();
    String answer;
    try {
      answer = in.readLine();
    } catch (IOException e) {
      answer = null;
    }
    if (answer == null) {
      err.println();
      err.println("no answer (end of input); use --force to run without a prompt");
      return false;
    }
    answer = answer.trim();
    return level == ProtectionLevel.STRICT
        ? answer.equals(phrase)
        : answer.equalsIgnoreCase("y") || answer.equalsIgnoreCase("yes");
  }
}
