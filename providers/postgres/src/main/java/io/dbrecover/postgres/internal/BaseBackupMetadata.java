package io.dbrecover.postgres.internal;

import io.dbrecover.engine.api.RecoveryPoint;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * What {@code metadata.json} records about one physical base backup ({@code pg_basebackup -Fp} into
 * {@code <id>/data/}). Written last and atomically: a base backup without it is incomplete.
 *
 * @param startedAt the server's clock just before pg_basebackup started
 * @param stoppedAt the server's clock just after it finished: the earliest time a point-in-time
 *     restore from this backup can reach
 * @param startLsn where WAL replay from this backup starts (backup_label's START WAL LOCATION)
 * @param stopLsn where the backup is consistent (the manifest's WAL range end)
 * @param startSegment the WAL segment holding {@code startLsn}: the archive must hold every segment
 *     from it on
 * @param walSegmentSize the server's {@code wal_segment_size} in bytes
 * @param files sha256 of every file, keyed by path relative to the backup directory
 */
public record BaseBackupMetadata(
    String id,
    String label,
    boolean safety,
    String runId,
    Instant createdAt,
    Instant startedAt,
    Instant stoppedAt,
    String startLsn,
    String stopLsn,
    int timeline,
    String startSegment,
    long walSegmentSize,
    long sizeBytes,
    int serverVersion,
    String database,
    String pgBasebackupVersion,
    BackupMetadata.Migrations migrationState,
    Map<String, String> files) {

  public static final String FILE = BackupMetadata.FILE;

  /**
   * The backup as a recovery point at its consistent end. No row counts and no fingerprint: a
   * physical backup is restored to other moments than the one they would describe.
   */
  public RecoveryPoint toRecoveryPoint(Path backupDir) {
    return new RecoveryPoint(
        id,
        RecoveryPoint.Kind.BASE_BACKUP,
        stoppedAt,
        label,
        safety,
        sizeBytes,
        migrationState == null ? null : migrationState.toState(),
        null,
        null,
        backupDir.toString());
  }

  /** Writes {@code <backupDir>/metadata.json} atomically (temp file, then rename). */
  public void write(Path backupDir) throws IOException {
    MetadataFile.write(backupDir, this);
  }

  /** Reads {@code <backupDir>/metadata.json}. */
  public static BaseBackupMetadata read(Path backupDir) throws IOException {
    return MetadataFile.read(backupDir, BaseBackupMetadata.class);
  }

  /** The WAL segment replay starts from. */
  public Wal.Segment startWalSegment() {
    return Wal.segment(startSegment, walSegmentSize)
        .orElseThrow(() -> new IllegalStateException("bad start segment " + startSegment));
  }
}
