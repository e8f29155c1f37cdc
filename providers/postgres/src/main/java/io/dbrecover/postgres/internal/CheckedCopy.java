package io.dbrecover.postgres.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Copies a directory tree the way {@code cp -a} does (modes, owners where the process may set them,
 * modification times, symbolic links as links) and checks every regular file against its expected
 * checksum while reading it, so the bytes written are the bytes checked, and a base backup is
 * checked in the same pass that copies it instead of being read a second time.
 *
 * <p>Files are copied by a few threads, largest first; a file is flushed to disk by a thread of its
 * own as soon as it is complete, so the write back overlaps the rest of the copy (PostgreSQL fsyncs
 * every file of a data directory it starts recovery in).
 */
public final class CheckedCopy {
  private static final int BUFFER = 1 << 20;
  // PostgreSQL's block size.
  private static final int WRITE = 8192;
  // One buffer per copy thread: direct buffers are freed only by a garbage collection.
  private static final ThreadLocal<ByteBuffer> BUFFERS =
      ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(BUFFER));

  /**
   * What a file must hash to: {@code algorithm} as a backup manifest names it ({@code CRC32C},
   * {@code SHA224} ... {@code SHA512}), {@code checksum} in the manifest's hex form; {@code size}
   * in bytes, or -1 when not recorded.
   */
  public record Expected(String algorithm, String checksum, long size) {}

  /** A file that is not what was recorded: missing, unexpected, another size or checksum. */
  public static final class Mismatch extends IOException {
    private static final long serialVersionUID = 1L;

    public Mismatch(String message) {
      super(message);
    }
  }

  private CheckedCopy() {}

  /**
   * Copies {@code source} to {@code target} (which must not exist) except the {@code skipped}
   * paths, and checks each regular file against {@code expected} (paths relative to {@code source},
   * with {@code /}). Every file of {@code expected} must be there and every copied regular file
   * must be in it. Throws {@link Mismatch} for the first difference found, after the copy threads
   * stopped; what was copied is left for the caller to remove.
   *
   * @return the number of files checked
   */
  public static int copy(
      Path source, Path target, Map<String, Expected> expected, Set<String> skipped, int threads)
      throws IOException {
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new FileAlreadyExistsException(target.toString());
    }
    List<Path> dirs = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    List<Path> links = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(source)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        if (skipped.contains(relative(source, p))) {
          continue;
        }
        if (Files.isSymbolicLink(p)) {
          links.add(p);
        } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          dirs.add(p);
        } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          files.add(p);
        }
      }
    }
    TreeSet<String> missing = new TreeSet<>(expected.keySet());
    missing.removeAll(skipped);
    for (Path f : files) {
      String rel = relative(source, f);
      if (!missing.remove(rel)) {
        throw new Mismatch(rel + " is not part of the backup (unexpected file)");
      }
    }
    if (!missing.isEmpty()) {
      throw new Mismatch(missing.first() + " is missing");
    }
    for (Path d : dirs) {
      Files.createDirectories(target.resolve(relative(source, d)));
    }
    for (Path l : links) {
      Files.createSymbolicLink(target.resolve(relative(source, l)), Files.readSymbolicLink(l));
    }
    files.sort(Comparator.comparingLong((Path p) -> p.toFile().length()).reversed());
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads), daemon("copy"));
    ExecutorService flusher = Executors.newSingleThreadExecutor(daemon("copy-flush"));
    try {
      List<Future<?>> copies = new ArrayList<>();
      for (Path f : files) {
        String rel = relative(source, f);
        Path to = target.resolve(rel);
        copies.add(
            pool.submit(
                () -> {
                  copyFile(f, to, rel, expected.get(rel));
                  flusher.submit(() -> flush(to));
                  return null;
                }));
      }
      awaitAll(copies);
    } finally {
      pool.shutdownNow();
      flusher.shutdown();
    }
    try {
      while (!flusher.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES)) {
        // the flushes of large files that are still being written back
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while the copy was flushed", e);
    }
    // Directories last: adding their entries changed their times.
    for (int i = dirs.size() - 1; i >= 0; i--) {
      Path to = target.resolve(relative(source, dirs.get(i)));
      attributes(dirs.get(i), to);
      flush(to);
    }
    return files.size();
  }

  /** The hex form a backup manifest gives a checksum of {@code data} in {@code algorithm}. */
  public static String checksum(String algorithm, byte[] data) {
    Hasher h = Hasher.of(algorithm);
    h.update(ByteBuffer.wrap(data));
    return h.hex();
  }

  private static void copyFile(Path from, Path to, String rel, Expected want) throws IOException {
    Hasher hasher = Hasher.of(want.algorithm());
    ByteBuffer buf = BUFFERS.get();
    long size = 0;
    try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ);
        FileChannel out =
            FileChannel.open(to, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
      while (in.read(buf.clear()) >= 0) {
        buf.flip();
        size += buf.remaining();
        hasher.update(buf.duplicate());
        // Written a page at a time: the kernel sizes the page-cache folios of a file by the writes
        // that fill them, and a server that then writes 8 kB blocks into 1 MB folios spends twice
        // the system time on its replay (2 s more for 1 GB of WAL here); cp's copies are small
        // folios too.
        int end = buf.limit();
        for (int at = 0; at < end; at += WRITE) {
          buf.limit(Math.min(end, at + WRITE)).position(at);
          while (buf.hasRemaining()) {
            out.write(buf);
          }
        }
      }
    }
    if (want.size() >= 0 && size != want.size()) {
      throw new Mismatch(
          rel + " is " + size + " bytes where " + want.size() + " were recorded (corrupt or cut)");
    }
    String actual = hasher.hex();
    if (!actual.equalsIgnoreCase(want.checksum())) {
      throw new Mismatch(
          rel
              + " has a different "
              + want.algorithm()
              + " checksum than recorded ("
              + actual
              + ", recorded "
              + want.checksum()
              + "): corrupt or modified");
    }
    attributes(from, to);
  }

  /** The source's mode, owner (where this process may set it) and modification time. */
  private static void attributes(Path from, Path to) throws IOException {
    PosixFileAttributes a =
        Files.readAttributes(from, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    PosixFileAttributeView view = Files.getFileAttributeView(to, PosixFileAttributeView.class);
    view.setPermissions(a.permissions());
    try {
      if (!a.owner().equals(Files.getOwner(to))) {
        view.setOwner(a.owner());
      }
      view.setGroup(a.group());
    } catch (IOException e) {
      // not root: the copy belongs to this process's user, as with cp -a
    }
    view.setTimes(a.lastModifiedTime(), null, null);
  }

  private static void flush(Path p) {
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // a head start only: the server flushes its data directory when it starts
    }
  }

  private static void awaitAll(List<Future<?>> futures) throws IOException {
    IOException first = null;
    for (Future<?> f : futures) {
      try {
        if (first == null) {
          f.get();
        } else {
          f.cancel(true);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while copying", e);
      } catch (ExecutionException e) {
        Throwable c = e.getCause();
        first =
            c instanceof IOException io ? io : new IOException("copy failed: " + c.getMessage(), c);
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private static String relative(Path base, Path p) {
    return base.relativize(p).toString().replace('\\', '/');
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, "dbrecover-" + name);
      t.setDaemon(true);
      return t;
    };
  }

  /** A checksum in one of a backup manifest's algorithms, hex as the manifest writes it. */
  private abstract static class Hasher {
    abstract void update(ByteBuffer b);

    abstract String hex();

    static Hasher of(String algorithm) {
      String a = algorithm.toUpperCase(Locale.ROOT);
      if (a.equals("CRC32C")) {
        CRC32C crc = new CRC32C();
        return new Hasher() {
          @Override
          void update(ByteBuffer b) {
            crc.update(b);
          }

          @Override
          String hex() {
            // PostgreSQL writes the four bytes of the CRC as they lie in memory: little-endian.
            int v = (int) crc.getValue();
            return HexFormat.of()
                .formatHex(
                    new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)});
          }
        };
      }
      if (!a.matches("SHA(224|256|384|512)")) {
        throw new IllegalArgumentException("unknown checksum algorithm " + algorithm);
      }
      MessageDigest md;
      try {
        md = MessageDigest.getInstance("SHA-" + a.substring(3));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
      return new Hasher() {
        @Override
        void update(ByteBuffer b) {
          md.update(b);
        }

        @Override
        String hex() {
          return HexFormat.of().formatHex(md.digest());
        }
      };
    }
  }
}
