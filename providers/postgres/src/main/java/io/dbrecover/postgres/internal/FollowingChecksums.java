package io.dbrecover.postgres.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The sha256 of every file under a directory that another process is writing, hashed as the files
 * grow, so the sums are ready moments after the writer ends instead of after reading everything
 * again. Gives what {@link Checksums#of} would give for the finished files.
 *
 * <p>Relies on what pg_dump's directory format does: each file is written once, front to back, and
 * written bytes are not changed again. A file that does not end where its hashing ended (it shrank
 * or was rewritten shorter), or that could not be followed, is hashed anew from its start by {@link
 * #finish}; and every restore checks the sums again before it trusts the files.
 */
public final class FollowingChecksums {
  private static final int BUFFER = 1 << 16;

  private final Path base;
  private final Path dir;
  private final Duration interval;
  private final Map<Path, Followed> files = new HashMap<>(); // guarded by this
  private final Thread thread;
  private volatile boolean stop;
  private volatile boolean failed;

  private FollowingChecksums(Path base, Path dir, Duration interval) {
    this.base = base;
    this.dir = dir;
    this.interval = interval;
    this.thread = new Thread(this::follow, "dbrecover-checksums");
    this.thread.setDaemon(true);
  }

  /**
   * Starts following {@code dir} (it may not exist yet) on a background thread, looking for new
   * bytes every {@code interval}; keys are paths relative to {@code base}, as {@link Checksums#of}.
   */
  public static FollowingChecksums start(Path base, Path dir, Duration interval) {
    FollowingChecksums f = new FollowingChecksums(base, dir, interval);
    f.thread.start();
    return f;
  }

  /**
   * Call once the writer has ended: stops following, hashes what is left of every file and returns
   * the sums of all regular files under the directory, sorted by path.
   */
  public Map<String, String> finish() throws IOException {
    stop = true;
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while hashing " + dir, e);
    }
    synchronized (this) {
      try {
        Map<String, String> sums = new TreeMap<>();
        for (Path f : regularFiles()) {
          Followed followed = failed ? null : files.get(f);
          String sum = null;
          if (followed != null) {
            followed.readToEnd();
            // Where the hashing ended must be where the file ends; otherwise hash it anew.
            if (followed.position == Files.size(f)) {
              sum = followed.hex();
            }
          }
          sums.put(
              base.relativize(f).toString().replace('\\', '/'),
              sum != null ? sum : Checksums.sha256(f));
        }
        return sums;
      } finally {
        closeAll();
      }
    }
  }

  /** Stops following without a result (the writer failed); closes what it had open. */
  public void cancel() {
    stop = true;
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      closeAll();
    }
  }

  private void follow() {
    while (!stop) {
      try {
        poll();
      } catch (IOException | RuntimeException e) {
        failed = true; // finish() hashes every file from its start instead
        return;
      }
      try {
        Thread.sleep(interval.toMillis());
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private synchronized void poll() throws IOException {
    for (Path f : regularFiles()) {
      Followed followed = files.get(f);
      if (followed == null) {
        followed = new Followed(FileChannel.open(f, StandardOpenOption.READ));
        files.put(f, followed);
      }
      followed.readToEnd();
    }
  }

  private List<Path> regularFiles() throws IOException {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.filter(Files::isRegularFile).forEach(out::add);
    }
    return out;
  }

  private void closeAll() {
    for (Followed f : files.values()) {
      try {
        f.channel.close();
      } catch (IOException ignored) {
        // read-only: nothing is lost
      }
    }
    files.clear();
  }

  /** One file: the digest of its bytes up to {@code position}. */
  private static final class Followed {
    private final FileChannel channel;
    private final MessageDigest digest;
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
    private long position;

    Followed(FileChannel channel) {
      this.channel = channel;
      try {
        this.digest = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every JDK has SHA-256", e);
      }
    }

    /** Hashes the bytes written since the last call, up to the file's current end. */
    void readToEnd() throws IOException {
      int n;
      while ((n = channel.read(buffer, position)) > 0) {
        buffer.flip();
        digest.update(buffer);
        buffer.clear();
        position += n;
      }
    }

    String hex() {
      return HexFormat.of().formatHex(digest.digest());
    }
  }
}
