package io.dbrecover.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbrecover.engine.api.BackupCheck;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.RecoveryPoint;
import io.dbrecover.engine.api.Secret;
import io.dbrecover.engine.spi.BackupRequest;
import io.dbrecover.engine.spi.DatabaseInspector;
import io.dbrecover.engine.spi.Progress;
import io.dbrecover.postgres.internal.BackupIds;
import io.dbrecover.postgres.internal.BackupMetadata;
import io.dbrecover.postgres.internal.BaseBackupMetadata;
import io.dbrecover.postgres.internal.CheckedCopy;
import io.dbrecover.postgres.internal.Checksums;
import io.dbrecover.postgres.internal.DirectoryLock;
import io.dbrecover.postgres.internal.EmbeddedBinaries;
import io.dbrecover.postgres.internal.Exec;
import io.dbrecover.postgres.internal.Jdbc;
import io.dbrecover.postgres.internal.NewBackupDir;
import io.dbrecover.postgres.internal.Wal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Physical base backups ({@code pg_basebackup -Fp -X stream}, with its backup manifest) kept in the
 * backup store beside the logical ones: {@code base-<stamp>[-label]/data/} and {@code
 * metadata.json}, the latter written last. Plain format, so a restore is a directory copy.
 *
 * <p>Errors: connection, authentication and replication-permission failures and missing tools are
 * {@link ErrorCode#CONFIGURATION}; other pg_basebackup failures {@link ErrorCode#PROVIDER_API}; an
 * unknown id {@link ErrorCode#BACKUP_NOT_FOUND}.
 */
public final class BaseBackupStore {
  private static final Duration TIMEOUT = Duration.ofHours(12);
  private static final int ARCHIVE_WAIT_SECONDS = 10;
  private static final String SKIPPED = "skipped: ";
  private static final Pattern START =
      Pattern.compile("START WAL LOCATION: (\\S+) \\(file ([0-9A-F]{24})\\)");
  private static final Pattern TIMELINE = Pattern.compile("START TIMELINE: (\\d+)");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final String environment;
  private final PgTools tools;
  private final Clock clock;

  /**
   * @param dir the backup store directory (shared with {@link LogicalBackupStore})
   * @param environment the environment name, for messages
   * @param tools the client tools on this machine
   * @param clock the clock for backup ids
   */
  public BaseBackupStore(Path dir, String environment, PgTools tools, Clock clock) {
    this.dir = dir.toAbsolutePath().normalize();
    this.environment = Objects.requireNonNull(environment, "environment");
    this.tools = Objects.requireNonNull(tools, "tools");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Takes a base backup of the cluster serving {@code source}. A request with a run id returns that
   * run's earlier base backup if it completed.
   */
  public RecoveryPoint backup(DbUrl source, BackupRequest request, Progress progress) {
    return DirectoryLock.withLock(
        dir,
        "backup store",
        () -> {
          if (request.runId() != null) {
            for (BaseBackupMetadata m : metadata()) {
              if (request.runId().equals(m.runId()) && m.safety() == request.safety()) {
                progress.update("base backup " + m.id() + " of this run already exists");
                return m.toRecoveryPoint(dir.resolve(m.id()));
              }
            }
          }
          for (Path d : backupDirs()) {
            if (!Files.exists(d.resolve(BaseBackupMetadata.FILE))) {
              progress.update("removing incomplete base backup " + d.getFileName());
              EmbeddedBinaries.deleteTree(d);
            }
          }
          return take(source, request, progress);
        });
  }

  /** Complete base backups, newest first. */
  public List<RecoveryPoint> list() {
    List<RecoveryPoint> points = new ArrayList<>();
    for (BaseBackupMetadata m : metadata()) {
      points.add(m.toRecoveryPoint(dir.resolve(m.id())));
    }
    points.sort(
        Comparator.comparing(RecoveryPoint::takenAt).thenComparing(RecoveryPoint::id).reversed());
    return points;
  }

  /** The metadata of every complete base backup, oldest first. */
  public List<BaseBackupMetadata> metadata() {
    List<BaseBackupMetadata> all = new ArrayList<>();
    for (Path d : backupDirs()) {
      if (Files.exists(d.resolve(BaseBackupMetadata.FILE))) {
        try {
          all.add(BaseBackupMetadata.read(d));
        } catch (IOException e) {
          // unreadable metadata: not usable; verify reports it
        }
      }
    }
    all.sort(Comparator.comparing(BaseBackupMetadata::stoppedAt));
    return all;
  }

  /** The metadata of the named complete base backup, or {@link ErrorCode#BACKUP_NOT_FOUND}. */
  public BaseBackupMetadata find(String id) {
    return metadata().stream()
        .filter(m -> m.id().equals(id))
        .findFirst()
        .orElseThrow(() -> notFound(id));
  }

  /** The data directory of a base backup. */
  public Path dataDir(String id) {
    return backupDir(id).resolve("data");
  }

  /**
   * Checks metadata, the sha256 of every file and, where the tools have it, {@code pg_verifybackup}
   * against the backup manifest.
   */
  public BackupCheck verify(String id) {
    Path bdir = backupDir(id);
    if (!Files.isDirectory(bdir)) {
      throw notFound(id);
    }
    List<BackupCheck.Item> items = new ArrayList<>();
    BaseBackupMetadata meta;
    try {
      meta = BaseBackupMetadata.read(bdir);
      items.add(new BackupCheck.Item("metadata", true, BaseBackupMetadata.FILE + " readable"));
    } catch (IOException e) {
      items.add(
          new BackupCheck.Item(
              "metadata",
              false,
              Files.exists(bdir.resolve(BaseBackupMetadata.FILE))
                  ? BaseBackupMetadata.FILE + " unreadable: " + e.getMessage()
                  : BaseBackupMetadata.FILE + " missing: the base backup never completed"));
      return new BackupCheck(id, items);
    }
    items.add(checksums(id, meta));
    items.add(verifyBackup(meta, dataDir(id)));
    return new BackupCheck(id, items);
  }

  /** Compares the files of a base backup with the checksums in its metadata. */
  public BackupCheck.Item checksums(String id) {
    return checksums(id, find(id));
  }

  /**
   * What every file of base backup {@code id}'s data directory must hash to when a restore copies
   * it (paths relative to {@code data/}): the checksum of its backup manifest (CRC-32C by default,
   * several times faster than sha256) where the manifest has one, else the sha256 recorded when the
   * backup was taken. The manifest is trusted only when it matches its own recorded sha256; the
   * recorded files are the full list (see {@link CheckedCopy#copy}).
   *
   * @throws CheckedCopy.Mismatch when the manifest is not what was recorded
   */
  public Map<String, CheckedCopy.Expected> copyChecks(String id) throws CheckedCopy.Mismatch {
    BaseBackupMetadata meta = find(id);
    String prefix = "data/";
    Map<String, CheckedCopy.Expected> checks = new HashMap<>();
    meta.files()
        .forEach(
            (path, sha256) -> {
              if (path.startsWith(prefix)) {
                checks.put(
                    path.substring(prefix.length()),
                    new CheckedCopy.Expected("SHA256", sha256, -1));
              }
            });
    if (checks.isEmpty()) {
      throw new CheckedCopy.Mismatch("no checksums were recorded for its files");
    }
    String recorded = meta.files().get(prefix + MANIFEST);
    if (recorded == null) {
      return checks;
    }
    byte[] manifest;
    try {
      manifest = Files.readAllBytes(dataDir(id).resolve(MANIFEST));
    } catch (IOException e) {
      throw new CheckedCopy.Mismatch(MANIFEST + " cannot be read: " + e.getMessage());
    }
    if (!CheckedCopy.checksum("SHA256", manifest).equals(recorded)) {
      throw new CheckedCopy.Mismatch(
          MANIFEST + " has a different sha256 than recorded (corrupt or modified)");
    }
    JsonNode files;
    try {
      files = JSON.readTree(manifest).path("Files");
    } catch (IOException e) {
      throw new CheckedCopy.Mismatch(MANIFEST + " is not valid JSON: " + e.getMessage());
    }
    for (JsonNode f : files) {
      String path = manifestPath(f);
      String algorithm = f.path("Checksum-Algorithm").asText("NONE");
      if (!checks.containsKey(path)) {
        throw new CheckedCopy.Mismatch(
            MANIFEST + " lists " + path + ", for which no checksum was recorded");
      }
      if (MANIFEST_CHECKSUMS.contains(algorithm)) {
        checks.put(
            path,
            new CheckedCopy.Expected(
                algorithm, f.path("Checksum").asText(), f.path("Size").asLong(-1)));
      }
    }
    return checks;
  }

  // The algorithms pg_basebackup --manifest-checksums writes, other than NONE.
  private static final java.util.Set<String> MANIFEST_CHECKSUMS =
      java.util.Set.of("CRC32C", "SHA224", "SHA256", "SHA384", "SHA512");
  private static final String MANIFEST = "backup_manifest";

  // A manifest names a file by "Path", or by "Encoded-Path" (hex) when the name is not UTF-8.
  private static String manifestPath(JsonNode f) {
    if (f.has("Path")) {
      return f.get("Path").asText();
    }
    return new String(
        java.util.HexFormat.of().parseHex(f.path("Encoded-Path").asText()),
        java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Deletes a base backup; false if it did not exist. */
  public boolean delete(String id) {
    if (!BackupIds.validBase(id) || !Files.isDirectory(dir.resolve(id))) {
      return false;
    }
    try {
      Files.deleteIfExists(dir.resolve(id).resolve(BaseBackupMetadata.FILE));
      EmbeddedBinaries.deleteTree(dir.resolve(id));
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not delete base backup " + id + ": " + e.getMessage(), e);
    }
  }

  private BackupCheck.Item checksums(String id, BaseBackupMetadata meta) {
    try {
      Map<String, String> actual = Checksums.of(backupDir(id), dataDir(id));
      Optional<String> diff = Checksums.firstDifference(meta.files(), actual);
      return new BackupCheck.Item(
          "checksums",
          diff.isEmpty(),
          diff.orElse(actual.size() + " files match their recorded sha256"));
    } catch (IOException e) {
      return new BackupCheck.Item(
          "checksums", false, "could not read the base backup: " + e.getMessage());
    }
  }

  private BackupCheck.Item verifyBackup(BaseBackupMetadata meta, Path data) {
    Optional<Path> tool =
        tools.installations().stream()
            .filter(i -> i.major() == PgTools.majorOf(meta.serverVersion()))
            .map(i -> i.tool("pg_verifybackup"))
            .flatMap(Optional::stream)
            .findFirst();
    if (tool.isEmpty() || !Files.exists(data.resolve("backup_manifest"))) {
      return new BackupCheck.Item(
          "pg_verifybackup",
          true,
          SKIPPED
              + (tool.isEmpty()
                  ? "no pg_verifybackup of PostgreSQL " + PgTools.majorOf(meta.serverVersion())
                  : "the backup has no manifest"));
    }
    List<String> command = List.of(tool.get().toString(), data.toString());
    Exec.Result r = Exec.run(command, Map.of(), Duration.ofHours(2));
    return new BackupCheck.Item(
        "pg_verifybackup",
        r.ok(),
        r.ok() ? "manifest and WAL verified" : (r.stderr() + "\n" + r.stdout()).strip());
  }

  private RecoveryPoint take(DbUrl source, BackupRequest request, Progress progress)
      throws IOException {
    try (Connection c = DatabaseInspector.connect(source)) {
      int server = DatabaseInspector.serverVersionNum(c);
      PgTools.Installation pg = tools.sameMajorWith(server, "pg_basebackup");
      long segmentSize = segmentSize(c);
      Instant createdAt = clock.instant();
      List<String> existing = backupDirs().stream().map(p -> p.getFileName().toString()).toList();
      String id = BackupIds.nextBase(createdAt, request.label(), existing);
      Path bdir = dir.resolve(id);
      return NewBackupDir.fill(
          bdir,
          source,
          "base backup",
          d -> {
            Instant startedAt = serverNow(c);
            progress.update(
                "pg_basebackup " + pg.version() + " of " + source.redacted() + " into " + id);
            Exec.Result r = run(pg, source, bdir.resolve("data"), id, progress);
            if (!r.ok()) {
              throw failure(source, r);
            }
            Instant stoppedAt = serverNow(c);
            Path data = bdir.resolve("data");
            String label = Files.readString(data.resolve("backup_label"));
            Matcher start = START.matcher(label);
            Matcher tli = TIMELINE.matcher(label);
            if (!start.find() || !tli.find()) {
              throw new IOException("backup_label of " + id + " has no start WAL location");
            }
            String stopLsn = stopLsn(data).orElse(start.group(1));
            progress.update("computing checksums of " + id);
            Map<String, String> files = Checksums.of(bdir, data);
            BaseBackupMetadata meta =
                new BaseBackupMetadata(
                    id,
                    request.label(),
                    request.safety(),
                    request.runId(),
                    createdAt,
                    startedAt,
                    stoppedAt,
                    start.group(1),
                    stopLsn,
                    Integer.parseInt(tli.group(1)),
                    start.group(2),
                    segmentSize,
                    Checksums.size(data),
                    server,
                    source.database(),
                    pg.version(),
                    BackupMetadata.migrations(DatabaseInspector.migrationState(c)),
                    files);
            meta.write(bdir);
            progress.update("base backup " + id + " complete (" + meta.sizeBytes() + " bytes)");
            openWindow(c, progress);
            return meta.toRecoveryPoint(bdir);
          });
    } catch (SQLException e) {
      throw new DbRecoverException(
          ErrorCode.PROVIDER_API,
          "base backup of " + source.redacted() + " failed: " + Jdbc.safe(e, source));
    }
  }

  private static Exec.Result run(
      PgTools.Installation pg, DbUrl source, Path out, String id, Progress progress) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                pg.tool("pg_basebackup").orElseThrow().toString(),
                "-D",
                out.toString(),
                "-Fp",
                "-X",
                "stream",
                "-c",
                "fast",
                "-l",
                "dbrecover " + id,
                "--no-password",
                "-h",
                source.host(),
                "-p",
                Integer.toString(source.port())));
    source.user().ifPresent(u -> cmd.addAll(List.of("-U", u)));
    Map<String, String> env = new HashMap<>();
    source.password().map(Secret::reveal).ifPresent(p -> env.put("PGPASSWORD", p));
    String sslmode = source.params().get("sslmode");
    if (sslmode != null) {
      env.put("PGSSLMODE", sslmode);
    }
    env.put("PGAPPNAME", "dbrecover");
    env.put("PGCONNECT_TIMEOUT", "30");
    Exec.Result r = Exec.run(cmd, env, TIMEOUT, progress);
    return new Exec.Result(r.exitCode(), r.stdout(), source.scrub(r.stderr()));
  }

  private DbRecoverException failure(DbUrl source, Exec.Result r) {
    String lower = r.stderr().toLowerCase(java.util.Locale.ROOT);
    boolean config =
        lower.contains("connection to server")
            || lower.contains("authentication failed")
            || lower.contains("could not connect")
            || lower.contains("pg_hba.conf")
            || lower.contains("replication")
            || lower.contains("permission denied");
    return new DbRecoverException(
        config ? ErrorCode.CONFIGURATION : ErrorCode.PROVIDER_API,
        "pg_basebackup of "
            + source.redacted()
            + " failed (exit "
            + r.exitCode()
            + "): "
            + r.stderr()
            + (config
                ? "\nthe user needs the REPLICATION privilege (or superuser) and pg_hba.conf"
                    + " must allow it a replication connection from this machine"
                : "\nthe incomplete base backup was removed; retry with: dbrecover backup "
                    + environment
                    + " --physical"));
  }

  // The manifest's WAL range ends where the backup became consistent.
  private static Optional<String> stopLsn(Path data) throws IOException {
    Path manifest = data.resolve("backup_manifest");
    if (!Files.exists(manifest)) {
      return Optional.empty();
    }
    JsonNode ranges = JSON.readTree(manifest.toFile()).path("WAL-Ranges");
    String end = null;
    for (JsonNode r : ranges) {
      end = r.path("End-LSN").asText(null);
    }
    return Optional.ofNullable(end);
  }

  static long segmentSize(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("select pg_size_bytes(current_setting('wal_segment_size'))")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * Switches to a new WAL segment so that the one holding the backup's end is archived now and the
   * restore window opens at once instead of when the server next fills a segment; waits up to
   * {@value #ARCHIVE_WAIT_SECONDS} s for the archiver. Best effort: without the right to switch
   * (pg_switch_wal needs a superuser or a grant) the window opens later by itself.
   */
  private static void openWindow(Connection c, Progress progress) {
    try (Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("select current_setting('archive_mode') <> 'off'")) {
        if (!rs.next() || !rs.getBoolean(1)) {
          return;
        }
      }
      // A WAL record first: the switch does nothing when no WAL was written since the last one,
      // and the segment archived then would end before the backup's recorded stop time.
      st.execute("select pg_logical_emit_message(false, 'dbrecover', 'base backup end')");
      String segment;
      try (ResultSet rs = st.executeQuery("select pg_walfile_name(pg_switch_wal())")) {
        rs.next();
        segment = rs.getString(1);
      }
      progress.update("waiting for the archiver to store WAL segment " + segment);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ARCHIVE_WAIT_SECONDS);
      try (PreparedStatement ps =
          c.prepareStatement("select coalesce(last_archived_wal, '') >= ? from pg_stat_archiver")) {
        ps.setString(1, segment);
        while (System.nanoTime() < deadline) {
          try (ResultSet rs = ps.executeQuery()) {
            if (rs.next() && rs.getBoolean(1)) {
              return;
            }
          }
          Thread.sleep(100);
        }
      }
    } catch (SQLException e) {
      // no right to switch segments: the window opens when the server archives its next one
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Instant serverNow(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select clock_timestamp()")) {
      rs.next();
      return rs.getObject(1, java.time.OffsetDateTime.class).toInstant();
    }
  }

  private List<Path> backupDirs() {
    return BackupIds.directories(dir, BackupIds::validBase);
  }

  private Path backupDir(String id) {
    if (!BackupIds.validBase(id)) {
      throw notFound(id);
    }
    return dir.resolve(id);
  }

  private DbRecoverException notFound(String id) {
    List<String> ids = list().stream().map(RecoveryPoint::id).toList();
    return new DbRecoverException(
        ErrorCode.BACKUP_NOT_FOUND,
        ids.isEmpty()
            ? "base backup '"
                + id
                + "' not found: there are no base backups in "
                + dir
                + " yet; take one with: dbrecover backup "
                + environment
                + " --physical"
            : "base backup '"
                + id
                + "' not found in "
                + dir
                + "; available: "
                + String.join(", ", ids));
  }

  /** The stop LSN of a base backup as a position. */
  static long stopPosition(BaseBackupMetadata m) {
    return Wal.lsn(m.stopLsn());
  }
}
