package io.dbrecover.postgres;

import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.Trace;
import io.dbrecover.postgres.internal.Exec;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The PostgreSQL client tools (pg_dump, pg_restore, psql) installed on this machine, found in
 * {@code PG_BINDIR}, on {@code PATH} and in {@code /usr/lib/postgresql/<major>/bin}, and picked by
 * the server version they must handle.
 */
public final class PgTools {
  private static final Pattern VERSION =
      Pattern.compile("\\(PostgreSQL\\)\\s+(\\d+)(?:\\.(\\d+))?");
  private static final Duration VERSION_TIMEOUT = Duration.ofSeconds(20);

  private final List<Installation> installations;
  private final List<String> searched;
  // Set while a discovery started by discoverSoon runs; the methods then answer from its result.
  private final CompletableFuture<PgTools> pending;

  private PgTools(List<Installation> installations, List<String> searched) {
    this.installations = List.copyOf(installations);
    this.searched = List.copyOf(searched);
    this.pending = null;
  }

  private PgTools(CompletableFuture<PgTools> pending) {
    this.installations = List.of();
    this.searched = List.of();
    this.pending = pending;
  }

  /**
   * {@link #discover(Map)} on a background thread: returns at once, and the first question asked of
   * the result waits for the discovery (each probe starts a process), which meanwhile overlaps the
   * caller's own work such as connecting to the server.
   */
  public static PgTools discoverSoon(Map<String, String> env) {
    CompletableFuture<PgTools> found = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try (Trace.Span s = Trace.span("discover pg_dump / pg_restore")) {
                found.complete(discover(env));
              } catch (RuntimeException | Error e) {
                found.completeExceptionally(e);
              }
            },
            "dbrecover-pg-tools");
    t.setDaemon(true);
    t.start();
    return new PgTools(found);
  }

  private PgTools found() {
    if (pending == null) {
      return this;
    }
    try {
      return pending.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException
          ? (RuntimeException) e.getCause()
          : new IllegalStateException(e.getCause());
    }
  }

  /**
   * One directory holding pg_dump and pg_restore of one version.
   *
   * @param binDir the directory
   * @param version the version pg_dump reports, e.g. {@code 15.18}
   * @param major the major version, e.g. 15 (9.6 and older: 906)
   * @param psql psql in the same directory, if present
   */
  public record Installation(Path binDir, String version, int major, Optional<Path> psql) {
    public Path pgDump() {
      return binDir.resolve("pg_dump");
    }

    public Path pgRestore() {
      return binDir.resolve("pg_restore");
    }

    /** Another program of this installation (pg_basebackup, pg_ctl, postgres), if present. */
    public Optional<Path> tool(String name) {
      Path p = binDir.resolve(name);
      return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }

    /** Whether this pg_dump can dump a server of {@code serverVersionNum} (e.g. 150018). */
    public boolean canHandle(int serverVersionNum) {
      return majorKey(major) >= majorKey(majorOf(serverVersionNum));
    }

    @Override
    public String toString() {
      return "pg_dump " + version + " (" + binDir + ")";
    }
  }

  /** Searches {@code PG_BINDIR}, {@code PATH} and {@code /usr/lib/postgresql/*}{@code /bin}. */
  public static PgTools discover(Map<String, String> env) {
    return discover(env, Path.of("/usr/lib/postgresql"));
  }

  /** As {@link #discover(Map)}, with the versioned install root given (for tests). */
  public static PgTools discover(Map<String, String> env, Path versionedRoot) {
    Set<Path> dirs = new LinkedHashSet<>();
    List<String> searched = new ArrayList<>();
    String bindir = env.get("PG_BINDIR");
    if (bindir != null && !bindir.isBlank()) {
      dirs.add(Path.of(bindir));
      searched.add("PG_BINDIR=" + bindir);
    }
    String path = env.getOrDefault("PATH", "");
    for (String p : path.split(File.pathSeparator)) {
      if (!p.isBlank()) {
        dirs.add(Path.of(p));
      }
    }
    searched.add("PATH");
    dirs.addAll(versionedDirs(versionedRoot));
    searched.add(versionedRoot + "/*/bin");

    Map<String, Installation> found = new LinkedHashMap<>();
    // Each real directory is asked for its version once (/bin is often /usr/bin): every probe
    // starts a process, pg_wrapper's a Perl interpreter.
    Set<Path> probed = new HashSet<>();
    for (Path dir : dirs) {
      Path real = realPath(dir);
      if (probed.add(real)) {
        probe(dir).ifPresent(i -> found.putIfAbsent(real + "|" + i.version(), i));
      }
    }
    List<Installation> list = new ArrayList<>(found.values());
    list.sort(Comparator.comparingInt((Installation i) -> majorKey(i.major())).reversed());
    return new PgTools(list, searched);
  }

  /** Every installation found, newest major first. */
  public List<Installation> installations() {
    if (pending != null) {
      return found().installations();
    }
    return installations;
  }

  /**
   * The newest tools able to dump and restore a server of {@code serverVersionNum} (e.g. 150018).
   *
   * @throws ConfigurationException naming what was found and what to install when none can
   */
  public Installation forServer(int serverVersionNum) {
    if (pending != null) {
      return found().forServer(serverVersionNum);
    }
    Optional<Installation> best =
        installations.stream().filter(i -> i.canHandle(serverVersionNum)).findFirst();
    if (best.isPresent()) {
      return best.get();
    }
    String server = majorName(majorOf(serverVersionNum));
    String found =
        installations.isEmpty()
            ? "no pg_dump/pg_restore found (searched " + String.join(", ", searched) + ")"
            : "found only "
                + installations.stream()
                    .map(Installation::toString)
                    .collect(Collectors.joining(", "));
    throw new ConfigurationException(
        "the database runs PostgreSQL "
            + server
            + ", which needs pg_dump "
            + server
            + " or newer; "
            + found
            + ". Install postgresql-client-"
            + server
            + " (apt) or set PG_BINDIR to the bin directory of PostgreSQL "
            + server
            + " or newer");
  }

  /**
   * The installation of exactly the server's major version that has {@code tool} (physical backups
   * and server binaries must match the server's major version).
   *
   * @throws ConfigurationException naming what was found and what to install when none has
   */
  public Installation sameMajorWith(int serverVersionNum, String tool) {
    if (pending != null) {
      return found().sameMajorWith(serverVersionNum, tool);
    }
    int major = majorOf(serverVersionNum);
    Optional<Installation> match =
        installations.stream()
            .filter(i -> i.major() == major && i.tool(tool).isPresent())
            .findFirst();
    if (match.isPresent()) {
      return match.get();
    }
    String server = majorName(major);
    throw new ConfigurationException(
        "the database runs PostgreSQL "
            + server
            + ", which needs "
            + tool
            + " of the same major version; found "
            + (installations.isEmpty()
                ? "no PostgreSQL tools (searched " + String.join(", ", searched) + ")"
                : installations.stream()
                    .map(i -> i.version() + " (" + i.binDir() + ")")
                    .collect(Collectors.joining(", ")))
            + ". Install postgresql-"
            + server
            + " (apt) or set PG_BINDIR to the bin directory of PostgreSQL "
            + server);
  }

  /** A version string as a version number: {@code 15.18} -> 150018, {@code 9.6.24} -> 90624. */
  public static int versionNum(String version) {
    if (version == null || version.isBlank()) {
      return 0;
    }
    String[] p = version.split("\\.");
    int a = Integer.parseInt(p[0]);
    int b = p.length > 1 ? Integer.parseInt(p[1]) : 0;
    int c = p.length > 2 ? Integer.parseInt(p[2]) : 0;
    return a >= 10 ? a * 10000 + b : a * 10000 + b * 100 + c;
  }

  static int majorOf(int versionNum) {
    return versionNum >= 100000 ? versionNum / 10000 : versionNum / 100;
  }

  /** Orders majors across the 10.0 numbering change: 9.6 (906) before 10 (1000). */
  private static int majorKey(int major) {
    return major >= 100 ? major : major * 100;
  }

  private static String majorName(int major) {
    return major >= 100 ? major / 100 + "." + major % 100 : Integer.toString(major);
  }

  static Optional<Installation> probe(Path dir) {
    Path pgDump = dir.resolve("pg_dump");
    Path pgRestore = dir.resolve("pg_restore");
    if (!Files.isExecutable(pgDump) || !Files.isExecutable(pgRestore)) {
      return Optional.empty();
    }
    Exec.Result r;
    try {
      r = Exec.run(List.of(pgDump.toString(), "--version"), Map.of(), VERSION_TIMEOUT);
    } catch (RuntimeException e) {
      return Optional.empty();
    }
    Matcher m = VERSION.matcher(r.stdout());
    if (!r.ok() || !m.find()) {
      return Optional.empty();
    }
    int first = Integer.parseInt(m.group(1));
    int second = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
    int major = first >= 10 ? first : first * 100 + second;
    String version = m.group(2) == null ? m.group(1) : m.group(1) + "." + m.group(2);
    Path psql = dir.resolve("psql");
    return Optional.of(
        new Installation(
            dir, version, major, Files.isExecutable(psql) ? Optional.of(psql) : Optional.empty()));
  }

  private static List<Path> versionedDirs(Path root) {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(root)) {
      return s.map(p -> p.resolve("bin")).filter(Files::isDirectory).sorted().toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  private static Path realPath(Path dir) {
    try {
      return dir.toRealPath();
    } catch (IOException e) {
      return dir.toAbsolutePath();
    }
  }
}
