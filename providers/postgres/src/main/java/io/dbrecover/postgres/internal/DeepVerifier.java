package io.dbrecover.postgres.internal;

import io.dbrecover.engine.api.BackupCheck;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.spi.DatabaseInspector;
import io.dbrecover.engine.spi.Progress;
import io.dbrecover.postgres.PgTools;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Deep verification: restores a backup into a scratch database {@code dbrecover_verify_<random>},
 * compares row counts and schema fingerprint with the metadata, and drops the scratch database.
 */
public final class DeepVerifier {
  private final PgTools.Installation tools;
  private final int jobs;

  public DeepVerifier(PgTools.Installation tools, int jobs) {
    this.tools = tools;
    this.jobs = jobs;
  }

  /** The checks "restore", "row counts" and "schema fingerprint". */
  public List<BackupCheck.Item> verify(BackupMetadata meta, Path dump, DbUrl server) {
    byte[] r = new byte[6];
    new SecureRandom().nextBytes(r);
    String scratch = "dbrecover_verify_" + HexFormat.of().formatHex(r);
    try {
      DbUrl url;
      try {
        url =
            new DatabaseRestore(tools, jobs)
                .recreateAndRestore(server, scratch, dump, Progress.NONE);
      } catch (DbRecoverException e) {
        return List.of(new BackupCheck.Item("restore", false, e.getMessage()));
      }
      try (Connection c = Jdbc.connect(url)) {
        Map<String, Long> counts = DatabaseInspector.rowCounts(c);
        String fingerprint = DatabaseInspector.schemaFingerprint(c);
        return List.of(
            new BackupCheck.Item("restore", true, "restored into scratch database " + scratch),
            rowCounts(meta.rowCounts(), counts),
            new BackupCheck.Item(
                "schema fingerprint",
                Objects.equals(meta.schemaFingerprint(), fingerprint),
                Objects.equals(meta.schemaFingerprint(), fingerprint)
                    ? "matches " + fingerprint
                    : "expected " + meta.schemaFingerprint() + ", restored " + fingerprint));
      } catch (SQLException e) {
        return List.of(new BackupCheck.Item("restore", false, Jdbc.safe(e, server)));
      }
    } finally {
      DatabaseRestore.drop(server, scratch);
    }
  }

  static BackupCheck.Item rowCounts(Map<String, Long> expected, Map<String, Long> actual) {
    TreeSet<String> tables = new TreeSet<>(expected.keySet());
    tables.addAll(actual.keySet());
    for (String t : tables) {
      if (!Objects.equals(expected.get(t), actual.get(t))) {
        return new BackupCheck.Item(
            "row counts",
            false,
            t
                + ": expected "
                + describe(expected.get(t))
                + ", restored "
                + describe(actual.get(t)));
      }
    }
    return new BackupCheck.Item("row counts", true, tables.size() + " tables match");
  }

  private static String describe(Long n) {
    return n == null ? "no such table" : n + " rows";
  }
}
