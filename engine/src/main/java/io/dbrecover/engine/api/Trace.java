package io.dbrecover.engine.api;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Per-phase timings on standard error when the environment variable {@code DBRECOVER_TRACE} is
 * {@code 1}, for finding where a command's time goes; silent (and nearly free) otherwise.
 *
 * <p>Each line is {@code [trace 1.234 s] what}, timed from the launcher's start when the {@code
 * ./dbrecover} launcher passed it ({@code DBRECOVER_LAUNCHED}, seconds since the epoch with
 * microseconds), else from the process start as the kernel gives it (to about a second on Linux),
 * so the JVM start and class loading show too; a {@link #span} adds its own duration. Messages must
 * not contain secrets.
 */
public final class Trace {
  private static final boolean ON = "1".equals(System.getenv("DBRECOVER_TRACE"));
  private static final long START_NANOS = System.nanoTime();
  // Milliseconds from the launcher's (else the process's) start to this class's initialisation.
  private static final long BEFORE_MILLIS = ON ? sinceLaunch() : 0;

  private Trace() {}

  /** Whether tracing is on. */
  public static boolean enabled() {
    return ON;
  }

  /** Prints {@code what} with the time since the JVM started. */
  public static void mark(String what) {
    if (ON) {
      print(what);
    }
  }

  /** Starts timing {@code what}; closing the span prints its duration. */
  public static Span span(String what) {
    return ON ? new Span(what, System.nanoTime()) : Span.NONE;
  }

  /** A timed phase; {@link #close} prints it once. */
  public static final class Span implements AutoCloseable {
    static final Span NONE = new Span(null, 0);
    private final String what;
    private final long started;
    private boolean closed;

    private Span(String what, long started) {
      this.what = what;
      this.started = started;
    }

    @Override
    public void close() {
      if (what == null || closed) {
        return;
      }
      closed = true;
      print(
          String.format(
              Locale.ROOT, "%s: %.3f s", what, (System.nanoTime() - started) / 1_000_000_000.0));
    }
  }

  private static synchronized void print(String line) {
    double at = (BEFORE_MILLIS + (System.nanoTime() - START_NANOS) / 1_000_000.0) / 1000.0;
    PrintStream err = System.err;
    err.printf(
        Locale.ROOT, "[trace %7.3f s] [%s] %s%n", at, Thread.currentThread().getName(), line);
    err.flush();
  }

  private static long sinceLaunch() {
    String launched = System.getenv("DBRECOVER_LAUNCHED");
    if (launched != null) {
      try {
        long at =
            new java.math.BigDecimal(launched.replace(',', '.')).movePointRight(3).longValue();
        return Math.max(0, System.currentTimeMillis() - at);
      } catch (NumberFormatException e) {
        // fall back to the process start
      }
    }
    return ProcessHandle.current()
        .info()
        .startInstant()
        .map(t -> Math.max(0, System.currentTimeMillis() - t.toEpochMilli()))
        .orElse(0L);
  }
}
