package io.dbrecover.postgres.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs work while holding a directory's lock, against other threads of this JVM (a monitor) and
 * other processes (a file lock on {@code <dir>/.lock}, released by the OS if the holder dies).
 */
public final class DirectoryLock {
  private static final Map<Path, Object> MONITORS = new ConcurrentHashMap<>();

  private DirectoryLock() {}

  /** Work that may fail with an I/O error. */
  @FunctionalInterface
  public interface Work<T> {
    T run() throws IOException;
  }

  /** Creates {@code dir} if needed and runs {@code work} under its lock. */
  public static <T> T withLock(Path dir, String what, Work<T> work) {
    synchronized (MONITORS.computeIfAbsent(dir, d -> new Object())) {
      try {
        Files.createDirectories(dir);
        try (FileChannel ch =
                FileChannel.open(
                    dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = ch.lock()) {
          return work.run();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(what + " " + dir + ": " + e.getMessage(), e);
      }
    }
  }

  /** Runs {@code work} under the JVM monitor of {@code dir} only (no file lock). */
  public static <T> T withMonitor(Path dir, java.util.function.Supplier<T> work) {
    synchronized (MONITORS.computeIfAbsent(dir, d -> new Object())) {
      return work.get();
    }
  }
}
