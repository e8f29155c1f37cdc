package io.dbrecover.aws.internal;

import io.dbrecover.engine.api.BackupCheck;
import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.RecoveryPoint;
import io.dbrecover.engine.spi.BackupRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.rds.model.CreateDbClusterSnapshotRequest;
import software.amazon.awssdk.services.rds.model.CreateDbSnapshotRequest;
import software.amazon.awssdk.services.rds.model.DBClusterSnapshot;
import software.amazon.awssdk.services.rds.model.DBSnapshot;
import software.amazon.awssdk.services.rds.model.Tag;

/**
 * Manual DB snapshots as dbrecover backups: the tags that mark them, and how they read as recovery
 * points. A snapshot is dbrecover's when its {@value #BACKUP_TAG} tag names the snapshot itself;
 * tags copied from an instance to its snapshots ({@code CopyTagsToSnapshot}) never match another
 * snapshot's name, so snapshots taken by hand are neither listed nor pruned.
 */
public final class Snapshots {
  /** Names the snapshot itself; marks it as a dbrecover backup. */
  public static final String BACKUP_TAG = "dbrecover:backup";

  /** The operator's label (for a run's safety copy: the run id). */
  public static final String LABEL_TAG = "dbrecover:label";

  /** Present with value {@code true} on a run's safety copy. */
  public static final String SAFETY_TAG = "dbrecover:safety";

  /** The last applied migration of the live database when the snapshot was taken. */
  public static final String MIGRATION_TAG = "dbrecover:migration";

  /** The commit being deployed when the snapshot was taken, when the request names one. */
  public static final String GIT_SHA_TAG = "dbrecover:git-sha";

  private Snapshots() {}

  /** The snapshot request with dbrecover's tags. */
  public static CreateDbSnapshotRequest create(
      String instanceId, String snapshotId, BackupRequest request, Optional<String> migration) {
    return CreateDbSnapshotRequest.builder()
        .dbInstanceIdentifier(instanceId)
        .dbSnapshotIdentifier(snapshotId)
        .tags(tags(instanceId, snapshotId, request, migration))
        .build();
  }

  /** The cluster snapshot request with dbrecover's tags. */
  public static CreateDbClusterSnapshotRequest createCluster(
      String clusterId, String snapshotId, BackupRequest request, Optional<String> migration) {
    return CreateDbClusterSnapshotRequest.builder()
        .dbClusterIdentifier(clusterId)
        .dbClusterSnapshotIdentifier(snapshotId)
        .tags(tags(clusterId, snapshotId, request, migration))
        .build();
  }

  private static List<Tag> tags(
      String sourceId, String snapshotId, BackupRequest request, Optional<String> migration) {
    List<Tag> tags = new ArrayList<>();
    tags.add(tag(BACKUP_TAG, snapshotId));
    tags.add(tag(RestoreSettings.SOURCE_TAG, sourceId));
    if (request.label() != null) {
      tags.add(tag(LABEL_TAG, request.label()));
    }
    if (request.runId() != null) {
      tags.add(tag(RestoreSettings.RUN_TAG, request.runId()));
    }
    if (request.safety()) {
      tags.add(tag(SAFETY_TAG, "true"));
    }
    migration.ifPresent(m -> tags.add(tag(MIGRATION_TAG, m)));
    if (request.gitSha() != null) {
      tags.add(tag(GIT_SHA_TAG, request.gitSha()));
    }
    return tags;
  }

  /** Whether dbrecover took this cluster snapshot. */
  public static boolean ours(DBClusterSnapshot snapshot) {
    return tag(snapshot.tagList(), BACKUP_TAG)
        .filter(v -> v.equals(snapshot.dbClusterSnapshotIdentifier()))
        .isPresent();
  }

  /** An available cluster snapshot as a recovery point. */
  public static RecoveryPoint point(DBClusterSnapshot s) {
    return point(
        s.dbClusterSnapshotIdentifier(),
        s.snapshotCreateTime(),
        s.tagList(),
        "Aurora cluster snapshot "
            + s.dbClusterSnapshotIdentifier()
            + " of "
            + s.dbClusterIdentifier());
  }

  /** Whether dbrecover took this snapshot. */
  public static boolean ours(DBSnapshot snapshot) {
    return tag(snapshot.tagList(), BACKUP_TAG)
        .filter(v -> v.equals(snapshot.dbSnapshotIdentifier()))
        .isPresent();
  }

  /** An available snapshot as a recovery point. */
  public static RecoveryPoint point(DBSnapshot s) {
    return point(
        s.dbSnapshotIdentifier(),
        s.snapshotCreateTime(),
        s.tagList(),
        "RDS DB snapshot " + s.dbSnapshotIdentifier() + " of " + s.dbInstanceIdentifier());
  }

  private static RecoveryPoint point(String id, Instant at, List<Tag> tags, String location) {
    Optional<String> migration = tag(tags, MIGRATION_TAG);
    return new RecoveryPoint(
        id,
        RecoveryPoint.Kind.SNAPSHOT,
        at,
        tag(tags, LABEL_TAG).orElse(null),
        tag(tags, SAFETY_TAG).filter("true"::equals).isPresent(),
        0,
        null,
        null,
        null,
        location + migration.map(m -> " (last migration " + m + ")").orElse(""));
  }

  static Optional<String> tag(List<Tag> tags, String key) {
    return tags.stream().filter(t -> key.equals(t.key())).map(Tag::value).findFirst();
  }

  private static Tag tag(String key, String value) {
    return Tag.builder().key(key).value(value).build();
  }

  /**
   * {@code verify-backup} of a snapshot dbrecover took: it exists, is {@code available} and was
   * taken of {@code expectedSource}. RDS keeps the data itself, so there is nothing deeper to read
   * here: a deep check is refused with how to restore the snapshot side by side instead.
   *
   * @param kind what the snapshot is called in messages ("RDS DB snapshot")
   * @param status the snapshot's status, when it exists and is dbrecover's
   * @param source the instance or cluster it was taken of
   */
  public static BackupCheck check(
      String kind,
      String environment,
      String backupId,
      boolean deep,
      Optional<String> status,
      String source,
      String expectedSource) {
    if (deep) {
      throw new ConfigurationException(
          "a deep check restores into a scratch database; for an "
              + kind
              + ", restore it side by side instead: dbrecover restore "
              + environment
              + " --from "
              + backupId);
    }
    String state =
        status.orElseThrow(
            () ->
                new DbRecoverException(
                    ErrorCode.BACKUP_NOT_FOUND,
                    "no "
                        + kind
                        + " '"
                        + backupId
                        + "' taken by dbrecover; `dbrecover list-backups "
                        + environment
                        + "` lists them"));
    return new BackupCheck(
        backupId,
        List.of(
            new BackupCheck.Item("status", "available".equals(state), "RDS reports " + state),
            new BackupCheck.Item("source", expectedSource.equals(source), "taken of " + source)));
  }
}
