package io.dbrecover.engine.internal;

import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.spi.StateStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;

/**
 * One recovery per environment at a time, for the CLI: an OS lock on {@code
 * <stateDir>/locks/<env>.lock}. The OS releases it when the holding process dies, so there are no
 * stale locks. The file holds who holds it (holder, pid, since), for the message others get.
 */
public final class EnvironmentLock implements StateStore.Lock {
  // FileChannel locks belong to the process: a second tryLock in this JVM would throw instead of
  // failing politely, so held lock files are tracked here.
  private static final Set<Path> HELD = new HashSet<>();

  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;

  private EnvironmentLock(Path file, FileChannel channel, FileLock lock) {
    this.file = file;
    this.channel = channel;
    this.lock = lock;
  }

  /** Acquires the lock with the system clock; see {@link #acquire(Path, String, String, Clock)}. */
  public static EnvironmentLock acquire(Path stateDir, String env, String holderDescription) {
    return acquire(stateDir, env, holderDescription, Clock.systemUTC());
  }

  /**
   * Acquires the environment's lock without waiting.
   *
   * @param holderDescription who holds it, e.g. {@code run 20250610-1a2b}; shown to others
   * @throws DbRecoverException {@link ErrorCode#LOCKED} naming the holder when it is held
   */
  public static EnvironmentLock acquire(
      Path stateDir, String env, String holderDescription, Clock clock) {
    if (!env.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
      throw new IllegalArgumentException("not an environment name: " + env);
    }
    Path file = stateDir.toAbsolutePath().normalize().resolve("locks").resolve(env + ".lock");
    synchronized (HELD) {
      if (HELD.contains(file)) {
        throw locked(env, file);
      }
      FileChannel channel = null;
      try {
        Files.createDirectories(file.getParent());
        channel =
            FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
          lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
          lock = null;
        }
        if (lock == null) {
          channel.close();
          throw locked(env, file);
        }
        writeHolder(channel, holderDescription, clock);
        HELD.add(file);
        return new EnvironmentLock(file, channel, lock);
      } catch (IOException e) {
        closeQuietly(channel);
        throw new DbRecoverException(
            ErrorCode.CONFIGURATION,
            "cannot lock environment '" + env + "' (" + file + "): " + e.getMessage(),
            e);
      }
    }
  }

  private static void writeHolder(FileChannel channel, String holder, Clock clock)
      throws IOException {
    String content =
        "holder="
            + holder.replace('\n', ' ')
            + "\npid="
            + ProcessHandle.current().pid()
            + "\nsince="
            + clock.instant()
            + "\n";
    channel.truncate(0);
    channel.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)), 0);
    channel.force(true);
  }

  private static DbRecoverException locked(String env, Path file) {
    Properties holder = new Properties();
    try (var in = Files.newInputStream(file)) {
      holder.load(in);
    } catch (IOException | UncheckedIOException e) {
      // The holder may be writing it right now; report what is known.
    }
    String who = holder.getProperty("holder", "another recovery");
    String pid = holder.getProperty("pid", "unknown");
    String since = holder.getProperty("since", "an unknown time");
    return new DbRecoverException(
        ErrorCode.LOCKED,
        "environment '"
            + env
            + "' is locked by "
            + who
            + " (pid "
            + pid
            + ", since "
            + since
            + "); wait for it to finish, or stop process "
            + pid
            + " if it is stuck: the lock is released when that process exits ("
            + file
            + ")");
  }

  /** The OS keeps the lock while this process lives, so there is no lease to extend. */
  @Override
  public void renew() {
    if (!lock.isValid()) {
      throw new DbRecoverException(
          ErrorCode.LOCKED, "the lock " + file + " was released; start the run again");
    }
  }

  /** The lock file. */
  public Path file() {
    return file;
  }

  /** Releases the lock; the file stays, so another process never locks a deleted file. */
  @Override
  public void close() {
    synchronized (HELD) {
      try {
        channel.truncate(0);
        lock.release();
      } catch (IOException e) {
        // Closing the channel below releases the lock as well.
      } finally {
        closeQuietly(channel);
        HELD.remove(file);
      }
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // Nothing more to release.
      }
    }
  }
}
