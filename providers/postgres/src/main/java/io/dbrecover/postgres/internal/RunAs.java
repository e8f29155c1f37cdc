package io.dbrecover.postgres.internal;

import io.dbrecover.engine.api.ConfigurationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Who runs the embedded server. PostgreSQL refuses to run as root, so under root (containers, CI)
 * initdb, pg_ctl and the server run as an unprivileged user via {@code runuser}: {@code
 * DBRECOVER_EMBEDDED_USER}, else {@code postgres}, else {@code nobody}.
 */
public final class RunAs {
  private final String user;

  private RunAs(String user) {
    this.user = user;
  }

  /** Decides from the current user and the environment. */
  public static RunAs detect(Map<String, String> env) {
    if (!"root".equals(System.getProperty("user.name"))) {
      return new RunAs(null);
    }
    String wanted = env.get("DBRECOVER_EMBEDDED_USER");
    if (wanted != null && !wanted.isBlank()) {
      return new RunAs(wanted);
    }
    return new RunAs(userExists("postgres") ? "postgres" : "nobody");
  }

  /**
   * Who runs a server that must read the files in {@code dir} (a WAL archive another server
   * writes): as root, the directory's owner unless that is root itself or {@code
   * DBRECOVER_EMBEDDED_USER} names a user; otherwise as {@link #detect}.
   */
  public static RunAs ownerOf(Path dir, Map<String, String> env) {
    RunAs detected = detect(env);
    String wanted = env.get("DBRECOVER_EMBEDDED_USER");
    if (detected.user == null || (wanted != null && !wanted.isBlank())) {
      return detected;
    }
    if (!dir.getFileSystem().supportedFileAttributeViews().contains("owner")) {
      return detected;
    }
    try {
      String owner = Files.getOwner(dir).getName();
      if (!"root".equals(owner) && userExists(owner)) {
        return new RunAs(owner);
      }
    } catch (IOException e) {
      // not there yet: the usual user
    }
    return detected;
  }

  /**
   * Where a cluster meant for {@code dir} can live: {@code dir} itself when the server user can
   * traverse every parent directory; otherwise (root's home is 0700, say) a directory under the
   * system temp directory derived from {@code dir}, so the same {@code dir} always maps to it.
   */
  public Path reachable(Path dir) {
    if (user == null || traversable(dir.getParent())) {
      return dir;
    }
    String key =
        java.util.HexFormat.of()
            .formatHex(
                sha256(dir.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)), 0, 8);
    return Path.of(System.getProperty("java.io.tmpdir"), "dbrecover-embedded-" + key);
  }

  private static boolean traversable(Path dir) {
    if (!dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return true; // no POSIX permissions, nothing to check (and no runuser either)
    }
    for (Path p = dir; p != null; p = p.getParent()) {
      try {
        if (Files.exists(p)
            && !Files.getPosixFilePermissions(p)
                .contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
          return false;
        }
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }

  private static byte[] sha256(byte[] data) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(data);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The command, prefixed with {@code runuser -u <user> --} when needed. */
  public List<String> command(List<String> command) {
    if (user == null) {
      return command;
    }
    List<String> c = new ArrayList<>(List.of("runuser", "-u", user, "--"));
    c.addAll(command);
    return c;
  }

  /** Makes {@code path} (recursively) owned by the server user, and checks it can reach it. */
  public void own(Path path) {
    if (user == null) {
      return;
    }
    try {
      UserPrincipal owner =
          path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(user);
      try (Stream<Path> s = Files.walk(path)) {
        for (Path p : (Iterable<Path>) s::iterator) {
          Files.setOwner(p, owner);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not hand " + path + " to user " + user, e);
    }
    Exec.Result r = Exec.run(command(List.of("test", "-w", path.toString())), Map.of(), timeout());
    if (!r.ok()) {
      throw new ConfigurationException(
          "the embedded PostgreSQL runs as user '"
              + user
              + "' (PostgreSQL refuses root), which cannot reach "
              + path
              + "; make its parent directories traversable (chmod o+x) or set"
              + " DBRECOVER_EMBEDDED_USER");
    }
  }

  private static java.time.Duration timeout() {
    return java.time.Duration.ofSeconds(30);
  }

  private static boolean userExists(String name) {
    try {
      Path passwd = Path.of("/etc/passwd");
      return Files.exists(passwd, LinkOption.NOFOLLOW_LINKS)
          && Files.readAllLines(passwd).stream().anyMatch(l -> l.startsWith(name + ":"));
    } catch (IOException e) {
      return false;
    }
  }
}
