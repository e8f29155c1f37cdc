package io.dbrecover.postgres.internal;

import io.dbrecover.engine.api.MigrationState;
import io.dbrecover.engine.api.RecoveryPoint;
import io.dbrecover.engine.spi.BackupSnapshot;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What {@code metadata.json} records about one logical backup. Written last and atomically: a
 * backup directory without it is incomplete.
 */
public record BackupMetadata(
    String id,
    String label,
    boolean safety,
    String runId,
    Instant createdAt,
    Instant completedAt,
    long sizeBytes,
    int serverVersion,
    String database,
    String pgDumpVersion,
    int jobs,
    Migrations migrationState,
    Map<String, Long> rowCounts,
    String schemaFingerprint,
    Map<String, String> files,
    Snapshot snapshot) {

  public static final String FILE = MetadataFile.NAME;

  /**
   * The snapshot pg_dump read (see {@link BackupSnapshot}); null when not recorded (a standby, a
   * server before 13, a backup taken before dbrecover recorded it).
   */
  public record Snapshot(String systemIdentifier, long databaseOid, int timeline, long xmin) {
    static Snapshot of(BackupSnapshot s) {
      return new Snapshot(s.systemIdentifier(), s.databaseOid(), s.timeline(), s.xmin());
    }

    public BackupSnapshot toSnapshot() {
      return new BackupSnapshot(systemIdentifier, databaseOid, timeline, xmin);
    }
  }

  /** {@code s} as recorded, or null. */
  public static Snapshot snapshot(java.util.Optional<BackupSnapshot> s) {
    return s.map(Snapshot::of).orElse(null);
  }

  /** The migration state as recorded: tool, count, last, and the applied list. */
  public record Migrations(String tool, int count, String last, List<Applied> applied) {
    static Migrations of(MigrationState s) {
      return new Migrations(
          s.tool(),
          s.count(),
          s.last().orElse(null),
          s.applied().stream().map(a -> new Applied(a.name(), a.startedAt())).toList());
    }

    MigrationState toState() {
      return new MigrationState(
          tool,
          applied == null
              ? List.of()
              : applied.stream()
                  .map(a -> new MigrationState.Applied(a.name(), a.startedAt()))
                  .toList());
    }
  }

  /** One applied migration. */
  public record Applied(String name, Instant startedAt) {}

  public static Migrations migrations(MigrationState s) {
    return Migrations.of(s);
  }

  /** The backup as a recovery point located at {@code backupDir}. */
  public RecoveryPoint toRecoveryPoint(Path backupDir) {
    return toRecoveryPoint(backupDir.toString());
  }

  /** The backup as a recovery point at {@code location} (a directory or a remote URL). */
  public RecoveryPoint toRecoveryPoint(String location) {
    return new RecoveryPoint(
        id,
        RecoveryPoint.Kind.LOGICAL_BACKUP,
        createdAt,
        label,
        safety,
        sizeBytes,
        migrationState == null ? MigrationState.NONE : migrationState.toState(),
        rowCounts,
        schemaFingerprint,
        location);
  }

  /** Writes {@code <backupDir>/metadata.json} atomically (temp file, then rename). */
  public void write(Path backupDir) throws IOException {
    MetadataFile.write(backupDir, this);
  }

  /** Reads {@code <backupDir>/metadata.json}. */
  public static BackupMetadata read(Path backupDir) throws IOException {
    return MetadataFile.read(backupDir, BackupMetadata.class);
  }
}
