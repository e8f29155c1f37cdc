package io.dbrecover.postgres;

import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.Secret;
import io.dbrecover.postgres.internal.DirectoryLock;
import io.dbrecover.postgres.internal.EmbeddedBinaries;
import io.dbrecover.postgres.internal.Exec;
import io.dbrecover.postgres.internal.Jdbc;
import io.dbrecover.postgres.internal.RunAs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A persistent local PostgreSQL server kept in one directory, for the {@code embedded} default
 * environment: binaries from the classpath, a generated superuser password (scram-sha-256), and a
 * port chosen at init and remembered. It keeps running after dbrecover exits unless {@link
 * #stopOnExitIfStartedHere()} is called; a later process finds and reuses it.
 *
 * <p>Layout: {@code bin-<version>/}, {@code data/}, {@code superuser.password} (0600), {@code
 * port}, {@code socket/}, {@code server.log}. Init and start hold a file lock, so concurrent
 * processes never both run initdb.
 */
public final class EmbeddedCluster {
  /** The superuser name. */
  public static final String SUPERUSER = "postgres";

  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  // Unix socket paths are limited to ~107 bytes; longer directories get no socket (TCP only).
  private static final int MAX_SOCKET_DIR = 90;

  private final Path dir;
  private final RunAs runAs;
  private volatile boolean startedHere;

  private EmbeddedCluster(Path dir, RunAs runAs) {
    this.dir = dir.toAbsolutePath().normalize();
    this.runAs = runAs;
  }

  /** The cluster kept in {@code dir}; nothing is created until {@link #ensureRunning()}. */
  public static EmbeddedCluster at(Path dir) {
    return at(dir, System.getenv());
  }

  /** As {@link #at(Path)}, reading {@code DBRECOVER_EMBEDDED_USER} from {@code env}. */
  public static EmbeddedCluster at(Path dir, Map<String, String> env) {
    RunAs runAs = RunAs.detect(env);
    return new EmbeddedCluster(runAs.reachable(dir.toAbsolutePath().normalize()), runAs);
  }

  public Path directory() {
    return dir;
  }

  /** Who runs the server (and so must own its files). */
  public RunAs runAs() {
    return runAs;
  }

  /** The directory of the server binaries (postgres, pg_ctl), extracted on first use. */
  public Path binDir() {
    return EmbeddedBinaries.extract(dir.resolve("bin-" + EmbeddedBinaries.VERSION)).resolve("bin");
  }

  /** Stops the server if it runs and starts it again, so postmaster-level settings apply. */
  public void restart() {
    stop();
    ensureRunning();
  }

  /** Initialises the cluster on first use and starts it unless it already runs; idempotent. */
  public void ensureRunning() {
    DirectoryLock.withLock(
        dir,
        "embedded PostgreSQL in",
        () -> {
          Path bin = EmbeddedBinaries.extract(dir.resolve("bin-" + EmbeddedBinaries.VERSION));
          if (!Files.exists(dataDir().resolve("PG_VERSION"))) {
            init(bin);
          }
          if (!isRunning()) {
            start(bin);
          }
          return null;
        });
  }

  /** Whether the server runs ({@code pg_ctl status}). */
  public boolean isRunning() {
    if (!Files.exists(dataDir().resolve("PG_VERSION"))) {
      return false;
    }
    return pgCtl(List.of("status", "-D", dataDir().toString())).ok();
  }

  /** Stops the server (fast shutdown) if it runs. */
  public void stop() {
    DirectoryLock.withMonitor(
        dir,
        () -> {
          if (isRunning()) {
            Exec.Result r = pgCtl(List.of("stop", "-w", "-m", "fast", "-D", dataDir().toString()));
            if (!r.ok()) {
              throw failure("could not stop the embedded PostgreSQL", r);
            }
          }
          startedHere = false;
          return null;
        });
  }

  /**
   * Stops the server and deletes the cluster (its data and everything else in its directory) but
   * keeps the extracted binaries, so the next {@link #ensureRunning()} initialises a new cluster
   * without unpacking them again. For throwaway clusters (the drill); never the user's.
   */
  public void reset() {
    stop();
    if (!Files.isDirectory(dir)) {
      return;
    }
    DirectoryLock.withLock(
        dir,
        "embedded PostgreSQL in",
        () -> {
          try (java.util.stream.Stream<Path> children = Files.list(dir)) {
            for (Path p : children.toList()) {
              String name = p.getFileName().toString();
              if (!name.equals("bin-" + EmbeddedBinaries.VERSION) && !name.equals(".lock")) {
                EmbeddedBinaries.deleteTree(p);
              }
            }
          }
          return null;
        });
  }

  /** Stops the server when this JVM exits, if this JVM started it. */
  public void stopOnExitIfStartedHere() {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  if (startedHere) {
                    stop();
                  }
                },
                "dbrecover-embedded-stop"));
  }

  /** Whether this JVM started the server (rather than finding it running). */
  public boolean startedHere() {
    return startedHere;
  }

  /** The port chosen at init. */
  public int port() {
    try {
      return Integer.parseInt(Files.readString(dir.resolve("port")).strip());
    } catch (IOException e) {
      throw new UncheckedIOException("embedded PostgreSQL not initialised in " + dir, e);
    }
  }

  /** The URL of {@code database} on this server, as the superuser with the generated password. */
  public DbUrl url(String database) {
    try {
      String pw = Files.readString(dir.resolve("superuser.password")).strip();
      return DbUrl.of("localhost", port(), database, SUPERUSER, Secret.of(pw));
    } catch (IOException e) {
      throw new UncheckedIOException("embedded PostgreSQL not initialised in " + dir, e);
    }
  }

  /** Creates {@code database} unless it exists. */
  public void createDatabaseIfMissing(String database) {
    try (Connection c = Jdbc.connect(url("postgres"))) {
      Jdbc.createDatabaseIfMissing(c, database);
    } catch (SQLException e) {
      throw new DbRecoverException(
          ErrorCode.CONFIGURATION,
          "could not create database "
              + database
              + " on the embedded PostgreSQL: "
              + e.getMessage());
    }
  }

  private Path dataDir() {
    return dir.resolve("data");
  }

  private void init(Path bin) throws IOException {
    Path staging = dir.resolve("data.init");
    EmbeddedBinaries.deleteTree(staging);
    Files.createDirectories(staging);
    writePrivate(dir.resolve("superuser.password"), generatePassword());
    Files.writeString(dir.resolve("port"), Integer.toString(freePort()));
    Path pwfile = dir.resolve("initdb.pw");
    writePrivate(pwfile, Files.readString(dir.resolve("superuser.password")));
    runAs.own(dir);
    try {
      Exec.Result r =
          Exec.run(
              runAs.command(
                  List.of(
                      bin.resolve("bin/initdb").toString(),
                      "-D",
                      staging.toString(),
                      "-U",
                      SUPERUSER,
                      "--pwfile=" + pwfile,
                      "--auth-local=scram-sha-256",
                      "--auth-host=scram-sha-256",
                      "-E",
                      "UTF8",
                      "--locale=C")),
              Map.of(),
              START_TIMEOUT);
      if (!r.ok()) {
        throw failure("initdb failed", r);
      }
    } finally {
      Files.deleteIfExists(pwfile);
    }
    Files.move(staging, dataDir(), StandardCopyOption.ATOMIC_MOVE);
  }

  private void start(Path bin) throws IOException {
    Path socket = dir.resolve("socket");
    Files.createDirectories(socket);
    runAs.own(dir);
    Exec.Result r = startOnce(bin, socket);
    if (!r.ok() && logTail().contains("could not bind")) {
      // Another program took the remembered port while we were stopped: choose a new one.
      Files.writeString(dir.resolve("port"), Integer.toString(freePort()));
      r = startOnce(bin, socket);
    }
    if (!r.ok()) {
      throw failure("could not start the embedded PostgreSQL", r);
    }
    startedHere = true;
  }

  private Exec.Result startOnce(Path bin, Path socket) {
    String socketDir = socket.toString().length() <= MAX_SOCKET_DIR ? socket.toString() : "";
    String options = "-p " + port() + " -k '" + socketDir + "' -c listen_addresses=localhost";
    List<String> cmd = new ArrayList<>();
    cmd.add(bin.resolve("bin/pg_ctl").toString());
    cmd.addAll(
        List.of(
            "start",
            "-w",
            "-t",
            Long.toString(START_TIMEOUT.toSeconds()),
            "-D",
            dataDir().toString(),
            "-l",
            dir.resolve("server.log").toString(),
            "-o",
            options));
    return Exec.run(runAs.command(cmd), Map.of(), START_TIMEOUT.plusSeconds(10));
  }

  private Exec.Result pgCtl(List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(dir.resolve("bin-" + EmbeddedBinaries.VERSION).resolve("bin/pg_ctl").toString());
    cmd.addAll(args);
    return Exec.run(runAs.command(cmd), Map.of(), START_TIMEOUT);
  }

  private DbRecoverException failure(String what, Exec.Result r) {
    return new DbRecoverException(
        ErrorCode.CONFIGURATION,
        what
            + " in "
            + dir
            + ": "
            + r.stderr()
            + "\nserver.log: "
            + logTail()
            + "\nDelete "
            + dir
            + " to start from scratch (its databases are lost).");
  }

  private String logTail() {
    try {
      String log = Files.readString(dir.resolve("server.log"), StandardCharsets.UTF_8);
      return log.length() > 2000 ? log.substring(log.length() - 2000) : log;
    } catch (IOException e) {
      return "(no server.log)";
    }
  }

  private static void writePrivate(Path file, String content) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(
        tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(tmp, content);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static String generatePassword() {
    byte[] b = new byte[24];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
