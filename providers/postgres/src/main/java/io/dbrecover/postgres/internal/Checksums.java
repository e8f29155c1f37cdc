package io.dbrecover.postgres.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/** sha256 of every file under a directory, keyed by path relative to a base directory. */
public final class Checksums {
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
    for (Path f : files) {
      sums.put(base.relativize(f).toString().replace('\\', '/'), sha256(f));
    }
    return sums;
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
