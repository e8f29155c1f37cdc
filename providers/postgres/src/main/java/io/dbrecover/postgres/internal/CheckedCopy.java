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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Copies a directory tree the way {@code cp -a} does (modes, owners where the process may set them,
 * modification times, symbolic links as links) and checks every regular file against its expected
 * checksum as the copy holds it, right after copying it (from the page cache, see {@link
 * #transfer}): the bytes checked are the bytes the copy's user gets, and a base backup is not read
 * again for a separate check.
 *
 * <p>Files are copied by a few threads, largest first, a large file in parts. Nothing is flushed:
 * the caller decides when the copy must be on disk (see {@link Durable}).
 */
public final class CheckedCopy {
  // Files larger than this are copied in parts of this size, by all threads at once.
  private static final long PART = 64L << 20;
  private static final String CRC32C = "CRC32C";
  // The most one transfer or one mapping covers.
  private static final long CHUNK = 1L << 30;
  // Up to this size a copy is read back to be checked, larger ones are mapped.
  private static final int SMALL = 1 << 20;
  private static final ThreadLocal<ByteBuffer> SMALL_BUFFERS =
      ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(SMALL));

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
    return copy(source, target, expected, skipped, threads, PART);
  }

  /**
   * {@link #copy(Path, Path, Map, Set, int)} with files over {@code part} bytes copied in parts.
   */
  static int copy(
      Path source,
      Path target,
      Map<String, Expected> expected,
      Set<String> skipped,
      int threads,
      long part)
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
    try {
      List<Future<?>> copies = new ArrayList<>();
      for (Path f : files) {
        String rel = relative(source, f);
        Path to = target.resolve(rel);
        Expected want = expected.get(rel);
        long size = Files.size(f);
        if (size > part && want.algorithm().equalsIgnoreCase(CRC32C)) {
          // A large file is copied in parts by every thread at once (a base backup is mostly one
          // or two 1 GB files); their CRCs combine into the file's.
          Parts parts = new Parts(f, to, rel, want, (int) ((size + part - 1) / part), part);
          Files.createFile(to);
          for (int i = 0; i < parts.crcs.length; i++) {
            int n = i;
            copies.add(
                pool.submit(
                    () -> {
                      parts.copy(n);
                      return null;
                    }));
          }
        } else {
          copies.add(
              pool.submit(
                  () -> {
                    copyFile(f, to, rel, want);
                    return null;
                  }));
        }
      }
      awaitAll(copies);
    } finally {
      // After a failure the other copies are interrupted; nothing writes into target once this
      // returns, so the caller can remove it.
      pool.shutdownNow();
      awaitTermination(pool);
    }
    // Directories last: adding their entries changed their times.
    for (int i = dirs.size() - 1; i >= 0; i--) {
      attributes(dirs.get(i), target.resolve(relative(source, dirs.get(i))));
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
    long size;
    try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ);
        FileChannel out =
            FileChannel.open(
                to,
                StandardOpenOption.READ,
                StandardOpenOption.WRITE,
                StandardOpenOption.CREATE_NEW)) {
      size = transfer(in, out, 0, Long.MAX_VALUE, hasher::update);
    }
    check(rel, want, size, hasher.hex());
    attributes(from, to);
  }

  /**
   * Copies {@code in} from {@code start} to {@code end} (or its end) into {@code out} at the same
   * place, then hashes what {@code out} now holds there (mapped, not read through a buffer): the
   * bytes checked are the bytes the server gets. Returns the bytes copied.
   *
   * <p>The copy runs in the kernel (sendfile), as cp's does: one copy of the data instead of two
   * through this process, and page-cache folios of the sizes cp's copies get. Written from this
   * process 1 MB at a time, the copy got 1 MB folios, and the server's replay, writing 8 kB blocks
   * into them, took twice the system time (2 s more for 1 GB of WAL here).
   */
  private static long transfer(
      FileChannel in,
      FileChannel out,
      long start,
      long end,
      java.util.function.Consumer<ByteBuffer> hash)
      throws IOException {
    out.position(start);
    long at = start;
    while (at < end) {
      long n = in.transferTo(at, Math.min(end - at, CHUNK), out);
      if (n <= 0) {
        break;
      }
      at += n;
    }
    if (at - start <= SMALL) {
      // Read back: a mapping lasts until a garbage collection, and a data directory can hold more
      // small files than a process may have mappings.
      ByteBuffer buf = SMALL_BUFFERS.get().clear().limit((int) (at - start));
      while (buf.hasRemaining() && out.read(buf, start + buf.position()) >= 0) {
        // until the range is read
      }
      hash.accept(buf.flip());
      return at - start;
    }
    for (long p = start; p < at; p += CHUNK) {
      hash.accept(out.map(FileChannel.MapMode.READ_ONLY, p, Math.min(at - p, CHUNK)));
    }
    return at - start;
  }

  private static void check(String rel, Expected want, long size, String actual) throws Mismatch {
    if (size < 0 || (want.size() >= 0 && size != want.size())) {
      throw new Mismatch(
          rel
              + (size < 0 ? " changed size while it was copied" : " is " + size + " bytes")
              + " where "
              + want.size()
              + " were recorded (corrupt or cut)");
    }
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
  }

  /** One large file copied in parts; the thread that copies its last part checks it. */
  private static final class Parts {
    private final Path from;
    private final Path to;
    private final String rel;
    private final Expected want;
    private final long part;
    private final int[] crcs;
    private final long[] lengths;
    private final AtomicInteger left;

    Parts(Path from, Path to, String rel, Expected want, int count, long part) {
      this.from = from;
      this.to = to;
      this.rel = rel;
      this.want = want;
      this.part = part;
      this.crcs = new int[count];
      this.lengths = new long[count];
      this.left = new AtomicInteger(count);
    }

    void copy(int n) throws IOException {
      CRC32C crc = new CRC32C();
      long start = n * part;
      // The last part reads to the end, wherever that is now: a file that grew fails its size.
      long end = n == crcs.length - 1 ? Long.MAX_VALUE : start + part;
      long at;
      try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ);
          FileChannel out =
              FileChannel.open(to, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        at = start + transfer(in, out, start, end, crc::update);
      }
      synchronized (this) {
        crcs[n] = (int) crc.getValue();
        lengths[n] = at - start;
      }
      if (left.decrementAndGet() == 0) {
        finish();
      }
    }

    private void finish() throws IOException {
      int crc;
      long size;
      synchronized (this) {
        crc = crcs[0];
        size = lengths[0];
        for (int i = 1; i < crcs.length; i++) {
          crc = Crc32c.combine(crc, crcs[i], lengths[i]);
          size += lengths[i];
        }
        for (int i = 0; i < crcs.length - 1; i++) {
          if (lengths[i] != part) {
            size = -1; // cut short while it was copied: the parts do not join up
          }
        }
      }
      check(rel, want, size, Crc32c.hex(crc));
      attributes(from, to);
    }
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

  private static void awaitTermination(ExecutorService pool) throws IOException {
    try {
      while (!pool.awaitTermination(1, TimeUnit.MINUTES)) {
        // a copy under way
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while the copy ended", e);
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
      if (a.equals(CRC32C)) {
        CRC32C crc = new CRC32C();
        return new Hasher() {
          @Override
          void update(ByteBuffer b) {
            crc.update(b);
          }

          @Override
          String hex() {
            return Crc32c.hex((int) crc.getValue());
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
