package io.dbrecover.postgres.internal;

import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.spi.Progress;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Runs a child process to completion. Output goes to temporary files, not pipes: {@code pg_ctl
 * start} leaves a postmaster behind that would otherwise hold a pipe open forever. The files are
 * unlinked as soon as the child has them open (read through channels opened before), so a killed
 * dbrecover leaves none behind.
 */
public final class Exec {
  /** How often a long-running tool reports that it still runs. */
  static final Duration HEARTBEAT = Duration.ofSeconds(10);

  private static final int TAIL_CHARS = 4000;
  // How often a followed process's new output and its stop condition are looked at: short, so a
  // table whose rows are complete is read (and a failed checksum stops it) without a wait.
  private static final long POLL_MILLIS = 20;

  private Exec() {}

  /** What a finished process printed; {@code stderr} is redacted and cut to its tail. */
  public record Result(int exitCode, String stdout, String stderr) {
    public boolean ok() {
      return exitCode == 0;
    }
  }

  private static final Optional<Path> NICE = tool("nice");
  private static final Optional<Path> SETSID = tool("setsid");

  /** {@code name} in /usr/bin or /bin, where the system's own tools are. */
  static Optional<Path> tool(String name) {
    return Stream.of("/usr/bin/", "/bin/")
        .map(d -> Path.of(d + name))
        .filter(Files::isExecutable)
        .findFirst();
  }

  /**
   * {@code command} at the lowest CPU priority: for work done beside something the operator waits
   * for (a WAL replay), which then goes first (on CPUs that share a core it is still slowed).
   * Through {@code nice -n 19}, where there is one; and where the kernel groups processes by
   * session for scheduling (autogroup), in a session of its own whose group is set to nice 19 too,
   * as a lower nice value alone would only count against this process's own session.
   */
  public static List<String> background(List<String> command) {
    if (NICE.isEmpty()) {
      return command;
    }
    List<String> niced = new java.util.ArrayList<>();
    if (SETSID.isPresent() && Files.exists(Path.of("/proc/self/autogroup"))) {
      niced.addAll(
          List.of(
              SETSID.get().toString(),
              "/bin/sh",
              "-c",
              "echo 19 > /proc/self/autogroup 2>/dev/null; exec \"$0\" \"$@\""));
    }
    niced.addAll(List.of(NICE.get().toString(), "-n", "19"));
    niced.addAll(command);
    return niced;
  }

  /**
   * Runs {@code command} with {@code extraEnv} added to this process's environment. Secrets go in
   * {@code extraEnv} only (e.g. PGPASSWORD), never on the command line.
   */
  public static Result run(List<String> command, Map<String, String> extraEnv, Duration timeout) {
    return run(command, extraEnv, timeout, Progress.NONE);
  }

  /**
   * As {@link #run(List, Map, Duration)}, reporting every {@link #HEARTBEAT} that it still runs.
   */
  public static Result run(
      List<String> command, Map<String, String> extraEnv, Duration timeout, Progress progress) {
    return run(command, extraEnv, timeout, progress, null);
  }

  /**
   * As {@link #run(List, Map, Duration, Progress)}, also handing each complete line the process
   * writes to stderr to {@code stderrLines} while it runs (null: none), within {@value
   * #POLL_MILLIS} ms of its being written. The lines are raw: not redacted.
   */
  public static Result run(
      List<String> command,
      Map<String, String> extraEnv,
      Duration timeout,
      Progress progress,
      Consumer<String> stderrLines) {
    return run(command, extraEnv, timeout, progress, stderrLines, null);
  }

  /**
   * As {@link #run(List, Map, Duration, Progress, Consumer)}, stopping the process and the
   * processes it started within {@value #POLL_MILLIS} ms of {@code stop} turning true (null:
   * never). A stopped process's result has exit code -1 and says that it was stopped.
   */
  public static Result run(
      List<String> command,
      Map<String, String> extraEnv,
      Duration timeout,
      Progress progress,
      Consumer<String> stderrLines,
      BooleanSupplier stop) {
    Path out = null;
    Path err = null;
    FileChannel outCh = null;
    FileChannel errCh = null;
    try {
      out = Files.createTempFile("dbrecover-out", ".txt");
      err = Files.createTempFile("dbrecover-err", ".txt");
      outCh = FileChannel.open(out, StandardOpenOption.READ);
      errCh = FileChannel.open(err, StandardOpenOption.READ);
      ProcessBuilder pb = new ProcessBuilder(command);
      pb.environment().putAll(extraEnv);
      pb.redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
      pb.redirectOutput(out.toFile());
      pb.redirectError(err.toFile());
      Process p = pb.start();
      // The child and our channels keep the files; their names are no longer needed (POSIX).
      deleteQuietly(out);
      deleteQuietly(err);
      long started = System.nanoTime();
      String tool = Path.of(command.get(0)).getFileName().toString();
      LineFollower lines = stderrLines == null ? null : new LineFollower(errCh, stderrLines);
      long wait =
          Math.min(
              lines == null && stop == null ? HEARTBEAT.toMillis() : POLL_MILLIS,
              Math.max(1, timeout.toMillis()));
      long nextHeartbeat = HEARTBEAT.toNanos();
      boolean stopped = false;
      while (true) {
        if (stop != null && stop.getAsBoolean()) {
          stopped = true;
          break;
        }
        if (p.waitFor(wait, TimeUnit.MILLISECONDS)) {
          break;
        }
        long elapsedNanos = System.nanoTime() - started;
        if (elapsedNanos >= timeout.toNanos()) {
          break;
        }
        if (lines != null) {
          lines.poll();
        }
        if (elapsedNanos >= nextHeartbeat) {
          progress.update(
              tool + " still running (" + Duration.ofNanos(elapsedNanos).toSeconds() + " s)");
          nextHeartbeat += HEARTBEAT.toNanos();
        }
      }
      if (lines != null) {
        lines.poll();
      }
      if (p.isAlive()) {
        // pg_restore -j N works in child processes of its own: they go too.
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
        String why = stopped ? "(stopped)" : "(killed after " + timeout.toSeconds() + "s)";
        return new Result(-1, read(outCh), tail(read(errCh)) + "\n" + why);
      }
      return new Result(p.exitValue(), read(outCh), tail(read(errCh)));
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + command.get(0) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command.get(0), e);
    } finally {
      closeQuietly(outCh);
      closeQuietly(errCh);
      deleteQuietly(out);
      deleteQuietly(err);
    }
  }

  /** Hands on the complete lines appended to a file since the last poll. */
  private static final class LineFollower {
    private final FileChannel ch;
    private final Consumer<String> sink;
    private long position;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

    LineFollower(FileChannel ch, Consumer<String> sink) {
      this.ch = ch;
      this.sink = sink;
    }

    void poll() throws IOException {
      long size = ch.size();
      if (size <= position) {
        return;
      }
      ByteBuffer buf = ByteBuffer.allocate((int) Math.min(size - position, 1 << 20));
      while (buf.hasRemaining()) {
        int n = ch.read(buf, position + buf.position());
        if (n <= 0) {
          break;
        }
      }
      position += buf.position();
      partial.write(buf.array(), 0, buf.position());
      // Lines are cut at newline bytes, so a character split between two polls stays whole.
      byte[] bytes = partial.toByteArray();
      int start = 0;
      for (int i = 0; i < bytes.length; i++) {
        if (bytes[i] == '\n') {
          sink.accept(new String(bytes, start, i - start, StandardCharsets.UTF_8));
          start = i + 1;
        }
      }
      partial.reset();
      partial.write(bytes, start, bytes.length - start);
    }
  }

  /** The last few thousand characters of {@code text}, with anything password-like redacted. */
  static String tail(String text) {
    String t =
        text.length() > TAIL_CHARS ? "..." + text.substring(text.length() - TAIL_CHARS) : text;
    return DbUrl.redact(t.strip());
  }

  private static java.io.File nullDevice() {
    return new java.io.File(
        System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).startsWith("windows")
            ? "NUL"
            : "/dev/null");
  }

  private static String read(FileChannel ch) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    long position = 0;
    int n;
    while ((n = ch.read(buf, position)) > 0) {
      bytes.write(buf.array(), 0, n);
      position += n;
      buf.clear();
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static void closeQuietly(FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // nothing was written through it
      }
    }
  }

  private static void deleteQuietly(Path p) {
    if (p != null) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException ignored) {
        // a leftover temp file is harmless
      }
    }
  }
}
