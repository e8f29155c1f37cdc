package io.dbrecover.postgres;

import io.dbrecover.engine.api.ArchivingStatus;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.RestoreWindow;
import io.dbrecover.engine.spi.DatabaseInspector;
import io.dbrecover.postgres.internal.BaseBackupMetadata;
import io.dbrecover.postgres.internal.Jdbc;
import io.dbrecover.postgres.internal.Wal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Continuous WAL archiving of one environment's cluster into its archive directory: reading the
 * settings, {@code pg_stat_archiver} and the archive, and changing the settings.
 */
final class WalArchiving {
  private static final List<String> SETTINGS =
      List.of("wal_level", "archive_mode", "archive_command");
  private static final Set<String> RESTART_SETTINGS = Set.of("wal_level", "archive_mode");

  private final String environment;
  private final DbUrl live;
  private final Path archiveDir;
  private final BaseBackupStore bases;

  WalArchiving(String environment, DbUrl live, Path archiveDir, BaseBackupStore bases) {
    this.environment = environment;
    this.live = live;
    this.archiveDir = archiveDir.toAbsolutePath().normalize();
    this.bases = bases;
  }

  /**
   * The archive command: copies a segment into the archive unless a file of that name is there,
   * through a temp file and a rename, so a crash never leaves a partial segment under its final
   * name. A segment already archived with identical content counts as archived (the server retries
   * after a crash between the copy and its bookkeeping).
   */
  static String archiveCommand(Path dir) {
    String d = shellQuote(dir.toString()).replace("%", "%%");
    return "test -f "
        + d
        + "/%f && cmp -s %p "
        + d
        + "/%f || (test ! -f "
        + d
        + "/%f && cp %p "
        + d
        + "/%f.tmp && mv "
        + d
        + "/%f.tmp "
        + d
        + "/%f)";
  }

  /** The restore command reading segments back from the archive. */
  static String restoreCommand(Path dir) {
    return "cp " + shellQuote(dir.toString()).replace("%", "%%") + "/%f %p";
  }

  /** Reads settings, pg_stat_archiver and the archive; never mutates. */
  ArchivingStatus status() {
    return status(Set.of(), List.of(), false);
  }

  /**
   * Sets what archiving needs. {@code cluster} non-null: the embedded cluster dbrecover manages,
   * which is restarted when a postmaster setting changed. Otherwise {@code ALTER SYSTEM} when the
   * user may, and the status says a restart is pending; without the privilege, the problems say
   * what a superuser must set.
   */
  ArchivingStatus enable(boolean apply, EmbeddedCluster cluster) {
    Map<String, String> wanted = new LinkedHashMap<>();
    boolean superuser;
    try (Connection c = DatabaseInspector.connect(live)) {
      Map<String, Setting> now = settings(c);
      if ("minimal".equals(now.get("wal_level").value())) {
        wanted.put("wal_level", "replica");
      }
      if ("off".equals(now.get("archive_mode").value())) {
        wanted.put("archive_mode", "on");
      }
      if (!archiveCommand(archiveDir).equals(now.get("archive_command").value())) {
        wanted.put("archive_command", archiveCommand(archiveDir));
      }
      superuser = isSuperuser(c);
      if (!apply || wanted.isEmpty()) {
        return status();
      }
      if (!superuser) {
        return status(
            Set.of(),
            List.of(
                "the user "
                    + live.user().orElse("(default)")
                    + " may not change server settings; ask a superuser to set "
                    + wanted.entrySet().stream()
                        .map(e -> e.getKey() + " = " + Jdbc.literal(e.getValue()))
                        .collect(Collectors.joining(", "))
                    + (wanted.keySet().stream().anyMatch(RESTART_SETTINGS::contains)
                        ? " and restart the server"
                        : " and reload the configuration")),
            false);
      }
      prepareArchiveDir(c, cluster);
      for (Map.Entry<String, String> e : wanted.entrySet()) {
        Jdbc.execute(c, "alter system set " + e.getKey() + " = " + Jdbc.literal(e.getValue()));
      }
      Jdbc.execute(c, "select pg_reload_conf()");
    } catch (SQLException e) {
      throw new DbRecoverException(
          ErrorCode.PROVIDER_API,
          "could not configure WAL archiving on " + live.redacted() + ": " + Jdbc.safe(e, live));
    }
    Set<String> pending =
        wanted.keySet().stream().filter(RESTART_SETTINGS::contains).collect(Collectors.toSet());
    if (cluster != null && !pending.isEmpty()) {
      cluster.restart();
      pending = Set.of();
    }
    if (!pending.contains("archive_mode")) {
      awaitReload(); // until the restart, archive_command reads "(disabled)": nothing to wait for
    }
    return status(pending, List.of(), !pending.isEmpty());
  }

  private ArchivingStatus status(Set<String> pending, List<String> extra, boolean pendingRestart) {
    try (Connection c = DatabaseInspector.connect(live)) {
      Map<String, Setting> s = settings(c);
      long segmentSize = BaseBackupStore.segmentSize(c);
      List<String> problems = new ArrayList<>(extra);
      Set<String> pendingNow = new java.util.HashSet<>(pending);
      s.values().stream().filter(Setting::pendingRestart).forEach(x -> pendingNow.add(x.name()));
      if (!pendingNow.isEmpty()) {
        problems.add(
            "changed settings take effect only after a server restart: "
                + String.join(", ", new java.util.TreeSet<>(pendingNow))
                + "; restart the server");
      }
      if ("minimal".equals(s.get("wal_level").value()) && !pendingNow.contains("wal_level")) {
        problems.add(
            "wal_level is minimal: run dbrecover pitr enable "
                + environment
                + " (or set wal_level = replica and restart the server)");
      }
      if ("off".equals(s.get("archive_mode").value()) && !pendingNow.contains("archive_mode")) {
        problems.add(
            "WAL archiving is off (archive_mode = off): run dbrecover pitr enable " + environment);
      } else if (!pendingNow.contains("archive_mode")
          // with archive_mode off the server shows archive_command as "(disabled)"
          && !s.get("archive_command").value().contains(archiveDir.toString())) {
        problems.add(
            "archive_command does not copy into "
                + archiveDir
                + ": run dbrecover pitr enable "
                + environment);
      }
      Archiver a = archiver(c);
      List<Wal.Archived> archived = Wal.archived(archiveDir, segmentSize);
      if (a.failedCount() > 0
          && a.lastFailedAt() != null
          && (a.lastArchivedAt() == null || a.lastFailedAt().isAfter(a.lastArchivedAt()))) {
        problems.add(
            "archiving fails: segment "
                + a.lastFailedWal()
                + " could not be archived at "
                + a.lastFailedAt()
                + " ("
                + a.failedCount()
                + " failures); make "
                + archiveDir
                + " writable by the server's OS user and check the server log");
      }
      List<BaseBackupMetadata> backups = bases.metadata();
      List<Wal.Segment> missing = List.of();
      if (backups.isEmpty()) {
        problems.add(
            "no base backup yet: take one with: dbrecover backup " + environment + " --physical");
      } else {
        BaseBackupMetadata oldest = backups.get(0);
        missing = Wal.gaps(archived, oldest.startWalSegment(), oldest.walSegmentSize());
        if (!missing.isEmpty()) {
          problems.add(
              "the WAL archive "
                  + archiveDir
                  + " is missing segment "
                  + missing.get(0).name()
                  + (missing.size() > 1 ? " (and " + (missing.size() - 1) + " more)" : "")
                  + " after base backup "
                  + oldest.id()
                  + ": a restore to a time after it fails; take a new base backup with: dbrecover"
                  + " backup "
                  + environment
                  + " --physical");
        }
      }
      Instant newest = a.lastArchivedAt();
      if (!archived.isEmpty()) {
        Instant fileTime =
            archived.stream().map(Wal.Archived::modifiedAt).max(Instant::compareTo).get();
        newest = newest == null || fileTime.isAfter(newest) ? fileTime : newest;
      }
      RestoreWindow window = null;
      if (!backups.isEmpty() && newest != null) {
        Instant earliest = backups.get(0).stoppedAt();
        if (!newest.isBefore(earliest)) {
          window = new RestoreWindow(earliest, newest);
        } else {
          problems.add(
              "no WAL archived since base backup "
                  + backups.get(0).id()
                  + " ended yet; the window opens when the server archives its next segment");
        }
      }
      return new ArchivingStatus(
          s.get("wal_level").value(),
          s.get("archive_mode").value(),
          s.get("archive_command").value(),
          archiveDir.toString(),
          a.archivedCount(),
          a.lastArchivedWal(),
          a.lastArchivedAt(),
          a.failedCount(),
          a.lastFailedWal(),
          a.lastFailedAt(),
          backups.size(),
          window,
          problems,
          missing.stream().map(Wal.Segment::name).toList(),
          pendingRestart || !pendingNow.isEmpty());
    } catch (SQLException e) {
      throw new DbRecoverException(
          ErrorCode.PROVIDER_API,
          "could not read the archiving status of " + live.redacted() + ": " + Jdbc.safe(e, live));
    }
  }

  // The archive must be writable by the server's OS user: the embedded cluster's user, or for a
  // server on this machine whose data directory we can see, the owner of that directory.
  private void prepareArchiveDir(Connection c, EmbeddedCluster cluster) throws SQLException {
    try {
      Files.createDirectories(archiveDir);
      if (cluster != null) {
        cluster.runAs().own(archiveDir);
        return;
      }
      Path data = Path.of(setting(c, "data_directory"));
      if (Files.isDirectory(data)) {
        UserPrincipal owner = Files.getOwner(data);
        if (!owner.equals(Files.getOwner(archiveDir))) {
          try (Stream<Path> s = Files.walk(archiveDir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
              Files.setOwner(p, owner);
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not prepare the WAL archive directory " + archiveDir + ": " + e.getMessage(), e);
    }
  }

  private void awaitReload() {
    String cmd = archiveCommand(archiveDir);
    for (int i = 0; i < 50; i++) {
      try (Connection c = DatabaseInspector.connect(live)) {
        if (cmd.equals(setting(c, "archive_command"))) {
          return;
        }
        Thread.sleep(100);
      } catch (SQLException e) {
        return; // the status read next reports what is wrong
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private record Setting(String name, String value, boolean pendingRestart) {}

  private record Archiver(
      long archivedCount,
      String lastArchivedWal,
      Instant lastArchivedAt,
      long failedCount,
      String lastFailedWal,
      Instant lastFailedAt) {}

  private static Map<String, Setting> settings(Connection c) throws SQLException {
    Map<String, Setting> out = new LinkedHashMap<>();
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "select name, setting, pending_restart from pg_settings where name in ("
                    + SETTINGS.stream().map(Jdbc::literal).collect(Collectors.joining(","))
                    + ")")) {
      while (rs.next()) {
        out.put(rs.getString(1), new Setting(rs.getString(1), rs.getString(2), rs.getBoolean(3)));
      }
    }
    return out;
  }

  private static Archiver archiver(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "select archived_count, last_archived_wal, last_archived_time, failed_count,"
                    + " last_failed_wal, last_failed_time from pg_stat_archiver")) {
      rs.next();
      return new Archiver(
          rs.getLong(1),
          rs.getString(2),
          instant(rs.getTimestamp(3)),
          rs.getLong(4),
          rs.getString(5),
          instant(rs.getTimestamp(6)));
    }
  }

  private static Instant instant(Timestamp t) {
    return t == null ? null : t.toInstant();
  }

  private static boolean isSuperuser(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("select rolsuper from pg_roles where rolname = current_user")) {
      return rs.next() && rs.getBoolean(1);
    }
  }

  private static String setting(Connection c, String name) throws SQLException {
    try (java.sql.PreparedStatement ps = c.prepareStatement("select current_setting(?)")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  private static String shellQuote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
