package io.dbrecover.engine.api;

import java.time.Instant;
import java.util.Objects;

/** The span of time a provider can restore to, both ends inclusive. */
public record RestoreWindow(Instant earliest, Instant latest) {
  public RestoreWindow {
    Objects.requireNonNull(earliest, "earliest");
    Objects.requireNonNull(latest, "latest");
    if (latest.isBefore(earliest)) {
      throw new IllegalArgumentException("window ends before it starts");
    }
  }

  public boolean contains(Instant t) {
    return !t.isBefore(earliest) && !t.isAfter(latest);
  }

  @Override
  public String toString() {
    return earliest + " .. " + latest;
  }
}
