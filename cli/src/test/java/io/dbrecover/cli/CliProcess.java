package io.dbrecover.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs the packaged {@code dbrecover} command in a subprocess, as an operator would. */
final class CliProcess {
  private final Path workDir;
  private final Map<String, String> env = new HashMap<>();

  CliProcess(Path workDir) {
    this.workDir = workDir;
  }

  CliProcess env(String key, String value) {
    env.put(key, value);
    return this;
  }

  /** What a finished command printed and how it exited. */
  record Result(int exit, String out, String err) {
    String all() {
      return out + err;
    }
  }

  Result runWithInput(String stdin, String... args) {
    Process p = start(args);
    try {
      writeStdin(p, stdin);
      CompletableFuture<String> out = drain(p.getInputStream());
      CompletableFuture<String> err = drain(p.getErrorStream());
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError(
            "dbrecover " + String.join(" ", args) + " did not finish in 5 minutes");
      }
      return new Result(p.exitValue(), out.join(), err.join());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  Result run(String... args) {
    return runWithInput(null, args);
  }

  /** Starts the command without waiting; the caller owns the process. */
  Process start(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-jar");
    cmd.add(System.getProperty("dbrecover.jar"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile());
    pb.environment().remove("DBRECOVER_CONFIG");
    pb.environment().putAll(env);
    try {
      return pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void writeStdin(Process p, String stdin) {
    try (OutputStream in = p.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException ignored) {
      // the process may have exited before reading its input
    }
  }

  static CompletableFuture<String> drain(InputStream s) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return new String(s.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }
}
