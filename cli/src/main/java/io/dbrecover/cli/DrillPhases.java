package io.dbrecover.cli;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The timed phases of one drill scenario, announced as they start and summed up at the end. */
final class DrillPhases {
  interface Work<T> {
    T run() throws Exception;
  }

  private final String prefix;
  private final ConsoleInteraction io;
  private final Clock clock;
  private final Map<String, Duration> phases = new LinkedHashMap<>();

  /**
   * @param prefix put before each phase's name in progress lines ("" for none)
   */
  DrillPhases(String prefix, ConsoleInteraction io, Clock clock) {
    this.prefix = prefix;
    this.io = io;
    this.clock = clock;
  }

  <T> T run(String name, Work<T> work) throws Exception {
    io.line(prefix + name, "...");
    Instant start = clock.instant();
    try {
      return work.run();
    } finally {
      phases.put(name, Duration.between(start, clock.instant()));
    }
  }

  /** Every phase's duration, then the recovery time (plan + recover). */
  String render(String indent) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, Duration> e : phases.entrySet()) {
      sb.append(
          String.format(
              Locale.ROOT, "%s%-12s %8.2f s%n", indent, e.getKey(), seconds(e.getValue())));
    }
    if (phases.containsKey("plan") && phases.containsKey("recover")) {
      sb.append(
          String.format(
              Locale.ROOT,
              "%srecovery time (plan + recover): %.2f s%n",
              indent,
              seconds(phases.get("plan").plus(phases.get("recover")))));
    }
    return sb.toString();
  }

  /** Every phase's duration in seconds, in the order they ran. */
  Map<String, Double> seconds() {
    Map<String, Double> out = new LinkedHashMap<>();
    phases.forEach((name, d) -> out.put(name, seconds(d)));
    return out;
  }

  static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
  }
}
