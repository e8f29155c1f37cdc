package io.dbrecover.aws.internal;

import io.dbrecover.engine.api.RecoveryPoint;
import io.dbrecover.engine.spi.BackupRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.rds.model.CreateDbSnapshotRequest;
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

  private Snapshots() {}

  /** The snapshot request with dbrecover's tags. */
  public static CreateDbSnapshotRequest create(
      String instanceId, String snapshotId, BackupRequest request, Optional<String> migration) {
    List<Tag> tags = new ArrayList<>();
    tags.add(tag(BACKUP_TAG, snapshotId));
    tags.add(tag(RestoreSettings.SOURCE_TAG, instanceId));
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
    return CreateDbSnapshotRequest.builder()
        .dbInstanceIdentifier(instanceId)
        .dbSnapshotIdentifier(snapshotId)
        .tags(tags)
        .build();
  }

  /** Whether dbrecover took this snapshot. */
  public static boolean ours(DBSnapshot snapshot) {
    return tag(snapshot, BACKUP_TAG)
        .filter(v -> v.equals(snapshot.dbSnapshotIdentifier()))
        .isPresent();
  }

  /** An available snapshot as a recovery point. */
  public static RecoveryPoint point(DBSnapshot s) {
    Optional<String> migration = tag(s, MIGRATION_TAG);
    return new RecoveryPoint(
        s.dbSnapshotIdentifier(),
        RecoveryPoint.Kind.SNAPSHOT,
        s.snapshotCreateTime(),
        tag(s, LABEL_TAG).orElse(null),
        tag(s, SAFETY_TAG).filter("true"::equals).isPresent(),
        0,
        null,
        null,
        null,
        "RDS DB snapshot "
            + s.dbSnapshotIdentifier()
            + " of "
            + s.dbInstanceIdentifier()
            + migration.map(m -> " (last migration " + m + ")").orElse(""));
  }

  static Optional<String> tag(DBSnapshot s, String key) {
    return s.tagList().stream().filter(t -> key.equals(t.key())).map(Tag::value).findFirst();
  }

  private static Tag tag(String key, String value) {
    return Tag.builder().key(key).value(value).build();
  }
}
