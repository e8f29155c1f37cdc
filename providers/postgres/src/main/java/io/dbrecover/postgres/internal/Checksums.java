package io.dbrecover.postgres.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** sha256 of every file under a directory, keyed by path relative to a base directory. */
public final class Checksums {
  private static final int BATCH = 256;
  private static final Optional<Path> OPENSSL = Exec.tool("openssl");
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
  private static final Duration TIMEOUT = Duration.ofHours(12);

  private Checksums() {}

  /** Every regular file under {@code dir}, keyed by its path relative to {@code base}, sorted. */
  public static Map<String, String> of(Path base, Path dir) throws IOException {
    Map<String, String> sums = new TreeMap<>();
    if (!Files.isDirectory(dir)) {
      return sums;
    }
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.walk(dir)) {
      s.filter(Files::isRegularFile).forEach(files::add);
    }
    List<String> hex = sha256(files);
    for (int i = 0; i < files.size(); i++) {
      sums.put(base.relativize(files.get(i)).toString().replace('\\', '/'), hex.get(i));
    }
    return sums;
  }

  /**
   * The sha256 of each of {@code files}, in their order. Through the system's {@code openssl} where
   * there is one: its SHA-256 uses the CPU's SHA instructions, about 1.3 GB/s here, where this
   * JVM's (client compiler only, see the launcher) runs at about 150 MB/s. In batches of {@value
   * #BATCH} files; a batch openssl does not hash completely and plainly (a file it could not read,
   * a name it escapes) is hashed here, so the result and the errors are the same.
   */
  static List<String> sha256(List<Path> files) throws IOException {
    List<String> hex = new ArrayList<>(files.size());
    for (int from = 0; from < files.size(); from += BATCH) {
      List<Path> batch = files.subList(from, Math.min(files.size(), from + BATCH));
      Optional<List<String>> fast = OPENSSL.flatMap(o -> openssl(o, batch));
      if (fast.isPresent()) {
        hex.addAll(fast.get());
      } else {
        for (Path f : batch) {
          hex.add(sha256(f));
        }
      }
    }
    return hex;
  }

  /** Whether {@link #sha256(List)} goes through the system's openssl. */
  public static boolean hashesWithOpenssl() {
    return OPENSSL.isPresent();
  }

  // `openssl dgst -sha256 -r` prints "<64 hex digits> *<file>" per file, in argument order.
  static Optional<List<String>> openssl(Path openssl, List<Path> files) {
    List<String> cmd = new ArrayList<>(List.of(openssl.toString(), "dgst", "-sha256", "-r"));
    files.forEach(f -> cmd.add(f.toString()));
    Exec.Result r;
    try {
      r = Exec.run(cmd, Map.of(), TIMEOUT);
    } catch (UncheckedIOException e) {
      return Optional.empty(); // it could not be started
    }
    if (!r.ok()) {
      return Optional.empty();
    }
    String[] lines = r.stdout().split("\n");
    if (lines.length != files.size()) {
      return Optional.empty();
    }
    List<String> hex = new ArrayList<>(files.size());
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.length() != 66 + files.get(i).toString().length()
          || !line.endsWith(" *" + files.get(i))
          || !HEX64.matcher(line.substring(0, 64)).matches()) {
        return Optional.empty();
      }
      hex.add(line.substring(0, 64));
    }
    return Optional.of(hex);
  }

  /** The first difference between expected and actual sums, in path order; empty when equal. */
  public static Optional<String> firstDifference(
      Map<String, String> expected, Map<String, String> actual) {
    TreeSet<String> all = new TreeSet<>(expected.keySet());
    all.addAll(actual.keySet());
    for (String f : all) {
      if (!actual.containsKey(f)) {
        return Optional.of(f + " is missing");
      }
      if (!expected.containsKey(f)) {
        return Optional.of(f + " is not part of the backup (unexpected file)");
      }
      if (!expected.get(f).equals(actual.get(f))) {
        return Optional.of(f + " has a different sha256 than recorded (corrupt or modified)");
      }
    }
    return Optional.empty();
  }

  static String sha256(Path f) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(f)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /** Total size in bytes of the regular files under {@code dir}. */
  public static long size(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
