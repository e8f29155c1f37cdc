package io.dbrecover.postgres.internal;

import io.dbrecover.engine.api.Trace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Flushes a directory tree to disk: every regular file, then every directory (what {@code initdb
 * --sync-only} does for a data directory). Symbolic links are not followed.
 */
public final class Durable {
  private static final long PAUSE_MILLIS = 500;

  private Durable() {}

  /**
   * Flushes every file and directory under {@code dir} but the files {@code skipped} names; files
   * that vanish meanwhile are skipped too.
   */
  public static void sync(Path dir, Predicate<Path> skipped) throws IOException {
    List<Path> files = new ArrayList<>();
    List<Path> dirs = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          if (!skipped.test(p)) {
            files.add(p);
          }
        } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          dirs.add(p);
        }
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    for (Path f : files) {
      force(f);
    }
    for (int i = dirs.size() - 1; i >= 0; i--) {
      force(dirs.get(i));
    }
  }

  /**
   * Flushes {@code dir} but {@code skipped} again and again on a daemon thread of its own, pausing
   * between passes, while {@code more} says so: a head start for a later {@link #sync}, which alone
   * guarantees anything (errors are ignored). After the first pass a pass writes back only what
   * changed since the last, so the last sync finds little left.
   */
  public static void syncInBackground(Path dir, Predicate<Path> skipped, BooleanSupplier more) {
    Thread t =
        new Thread(
            () -> {
              try (Trace.Span span = Trace.span("restore: flushes of the copy in the background")) {
                do {
                  sync(dir, skipped);
                  Thread.sleep(PAUSE_MILLIS);
                } while (more.getAsBoolean());
              } catch (IOException | RuntimeException e) {
                // the sync that must happen flushes what this did not
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "dbrecover-flush");
    t.setDaemon(true);
    t.start();
  }

  private static void force(Path p) throws IOException {
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (NoSuchFileException e) {
      // removed meanwhile (a recycled WAL segment, a temporary file): nothing left to flush
    }
  }
}
