package io.dbrecover.postgres.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Flushes to disk, on a thread of its own, the files another process copies from {@code source}
 * into {@code target}, each as soon as it is complete (as long as its source), so that their write
 * back overlaps the rest of the copy instead of following it. PostgreSQL fsyncs every file of a
 * data directory it starts recovery in; after this they are already on disk and that takes a
 * moment.
 *
 * <p>Only a head start: a file it could not flush is flushed by whoever needs it durable (the
 * server, for a data directory), so errors are ignored.
 */
public final class FollowingSync {
  private static final long PAUSE_MILLIS = 50;

  private final Path source;
  private final Path target;
  private final Set<Path> flushed = ConcurrentHashMap.newKeySet();
  private final Thread thread;
  private volatile boolean copied;

  private FollowingSync(Path source, Path target) {
    this.source = source;
    this.target = target;
    this.thread = new Thread(this::follow, "dbrecover-sync");
    thread.setDaemon(true);
  }

  /** Starts following the copy of {@code source} into {@code target} (which may not exist yet). */
  public static FollowingSync start(Path source, Path target) {
    FollowingSync s = new FollowingSync(source, target);
    s.thread.start();
    return s;
  }

  /** The copy has ended: flushes what is left, then the directories. */
  public void finish() {
    copied = true;
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    flushComplete(true);
    if (Files.isDirectory(target)) {
      try (Stream<Path> dirs = Files.walk(target)) {
        for (Path d : dirs.filter(Files::isDirectory).collect(Collectors.toList())) {
          force(d);
        }
      } catch (IOException | UncheckedIOException e) {
        // the server flushes them at its start
      }
    }
  }

  /** How many files were flushed (for tests). */
  int flushed() {
    return flushed.size();
  }

  private void follow() {
    while (!copied) {
      flushComplete(false);
      try {
        Thread.sleep(PAUSE_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Flushes each regular file not flushed yet that is complete; {@code all}: every one. */
  private void flushComplete(boolean all) {
    if (!Files.isDirectory(target)) {
      return;
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(target)) {
      files = walk.filter(Files::isRegularFile).collect(Collectors.toList());
    } catch (IOException | UncheckedIOException e) {
      return; // a directory the copy is still making: the next pass sees it
    }
    for (Path f : files) {
      Path rel = target.relativize(f);
      if (flushed.contains(rel)) {
        continue;
      }
      try {
        if (all || Files.size(f) == Files.size(source.resolve(rel))) {
          force(f);
          flushed.add(rel);
        }
      } catch (IOException e) {
        // not in the source, or gone: nothing to flush ahead
      }
    }
  }

  private static void force(Path p) {
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // a head start only
    }
  }
}
