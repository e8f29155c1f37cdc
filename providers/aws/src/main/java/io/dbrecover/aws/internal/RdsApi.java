package io.dbrecover.aws.internal;

import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.RestoreWindow;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.rds.RdsClient;
import software.amazon.awssdk.services.rds.model.CreateDbSnapshotRequest;
import software.amazon.awssdk.services.rds.model.DBInstance;
import software.amazon.awssdk.services.rds.model.DBInstanceAutomatedBackup;
import software.amazon.awssdk.services.rds.model.DBSnapshot;
import software.amazon.awssdk.services.rds.model.RestoreDbInstanceFromDbSnapshotRequest;
import software.amazon.awssdk.services.rds.model.RestoreDbInstanceToPointInTimeRequest;

/**
 * The RDS calls dbrecover makes, each mapped through {@link AwsErrors}; no SDK exception leaves
 * this class.
 */
public final class RdsApi {
  static final String DESCRIBE = "rds:DescribeDBInstances";
  static final String DESCRIBE_BACKUPS = "rds:DescribeDBInstanceAutomatedBackups";
  static final String RESTORE_PITR = "rds:RestoreDBInstanceToPointInTime";
  static final String CREATE_SNAPSHOT = "rds:CreateDBSnapshot";
  static final String DESCRIBE_SNAPSHOTS = "rds:DescribeDBSnapshots";
  static final String DELETE_SNAPSHOT = "rds:DeleteDBSnapshot";
  static final String RESTORE_SNAPSHOT = "rds:RestoreDBInstanceFromDBSnapshot";

  private final RdsClient rds;

  public RdsApi(RdsClient rds) {
    this.rds = Objects.requireNonNull(rds, "rds");
  }

  /** The instance, or empty when RDS does not know it. */
  public Optional<DBInstance> find(String id) {
    try {
      return rds.describeDBInstances(b -> b.dbInstanceIdentifier(id)).dbInstances().stream()
          .findFirst();
    } catch (SdkException e) {
      if ("DBInstanceNotFound".equals(AwsErrors.code(e))) {
        return Optional.empty();
      }
      throw AwsErrors.map(e, DESCRIBE, instance(id));
    }
  }

  /** The instance; a missing one is a configuration error (exit 1). */
  public DBInstance require(String id) {
    try {
      return rds.describeDBInstances(b -> b.dbInstanceIdentifier(id)).dbInstances().stream()
          .findFirst()
          .orElseThrow(() -> AwsErrors.notFound(DESCRIBE, instance(id)));
    } catch (SdkException e) {
      throw AwsErrors.map(e, DESCRIBE, instance(id));
    }
  }

  /**
   * The times {@code instance} can be restored to: from the earliest time of its automated backup
   * (DBInstance has no earliest restorable time) to its {@code LatestRestorableTime}. Empty when
   * automated backups are off or RDS has no restorable time yet.
   */
  public Optional<RestoreWindow> window(DBInstance instance) {
    Instant latest = instance.latestRestorableTime();
    Integer retention = instance.backupRetentionPeriod();
    if (latest == null || retention == null || retention == 0) {
      return Optional.empty();
    }
    Optional<Instant> earliest =
        automatedBackup(instance)
            .map(DBInstanceAutomatedBackup::restoreWindow)
            .map(w -> w.earliestTime());
    return earliest.filter(e -> !e.isAfter(latest)).map(e -> new RestoreWindow(e, latest));
  }

  private Optional<DBInstanceAutomatedBackup> automatedBackup(DBInstance instance) {
    String id = instance.dbInstanceIdentifier();
    try {
      // Backups retained from an earlier, deleted instance of the same name have another
      // DbiResourceId; only the live instance's own backup bounds its window.
      return rds
          .describeDBInstanceAutomatedBackups(b -> b.dbInstanceIdentifier(id))
          .dbInstanceAutomatedBackups()
          .stream()
          .filter(
              b ->
                  instance.dbiResourceId() == null
                      || instance.dbiResourceId().equals(b.dbiResourceId()))
          .filter(b -> b.restoreWindow() != null && b.restoreWindow().earliestTime() != null)
          .min(Comparator.comparing(b -> b.restoreWindow().earliestTime()));
    } catch (SdkException e) {
      if ("DBInstanceAutomatedBackupNotFound".equals(AwsErrors.code(e))) {
        return Optional.empty();
      }
      throw AwsErrors.map(e, DESCRIBE_BACKUPS, instance(id));
    }
  }

  /**
   * Starts the restore; returns empty when the target already exists (a retried step), so the
   * caller describes and adopts it.
   */
  public Optional<DBInstance> restoreToPointInTime(
      RestoreDbInstanceToPointInTimeRequest request, RestoreWindow window) {
    try {
      return Optional.of(rds.restoreDBInstanceToPointInTime(request).dbInstance());
    } catch (SdkException e) {
      String code = AwsErrors.code(e);
      if ("DBInstanceAlreadyExists".equals(code)) {
        return Optional.empty();
      }
      if ("InvalidRestoreFault".equals(code)) {
        // The window moved between our check and the call (retention shortened, a backup gap).
        throw new DbRecoverException(
            ErrorCode.NO_RECOVERY_POINT,
            "RDS refused to restore "
                + instance(request.sourceDBInstanceIdentifier())
                + " to "
                + (request.restoreTime() == null
                    ? "its latest restorable time"
                    : request.restoreTime().toString())
                + " (InvalidRestoreFault, request "
                + AwsErrors.requestId(e)
                + "): "
                + AwsErrors.message(e)
                + "; the window was "
                + window
                + ". Pick a time inside the window (`dbrecover plan` shows it) or restore a"
                + " snapshot",
            e);
      }
      throw AwsErrors.map(
          e, RESTORE_PITR, instance(request.sourceDBInstanceIdentifier()) + " (point in time)");
    }
  }

  /**
   * Starts the snapshot; returns empty when a snapshot of that name exists already (a retried
   * backup), so the caller describes and adopts it.
   */
  public Optional<DBSnapshot> createSnapshot(CreateDbSnapshotRequest request) {
    try {
      return Optional.of(rds.createDBSnapshot(request).dbSnapshot());
    } catch (SdkException e) {
      if ("DBSnapshotAlreadyExists".equals(AwsErrors.code(e))) {
        return Optional.empty();
      }
      throw AwsErrors.map(e, CREATE_SNAPSHOT, instance(request.dbInstanceIdentifier()));
    }
  }

  /** The manual snapshot, or empty when RDS does not know it. */
  public Optional<DBSnapshot> findSnapshot(String id) {
    try {
      return rds.describeDBSnapshots(b -> b.dbSnapshotIdentifier(id)).dbSnapshots().stream()
          .findFirst();
    } catch (SdkException e) {
      if ("DBSnapshotNotFound".equals(AwsErrors.code(e))) {
        return Optional.empty();
      }
      throw AwsErrors.map(e, DESCRIBE_SNAPSHOTS, snapshot(id));
    }
  }

  /** The manual snapshots of an instance, every page. */
  public List<DBSnapshot> manualSnapshots(String instanceId) {
    try {
      return rds
          .describeDBSnapshotsPaginator(
              b -> b.dbInstanceIdentifier(instanceId).snapshotType("manual"))
          .dbSnapshots()
          .stream()
          .toList();
    } catch (SdkException e) {
      throw AwsErrors.map(e, DESCRIBE_SNAPSHOTS, instance(instanceId));
    }
  }

  /** Deletes a manual snapshot; false when it did not exist. */
  public boolean deleteSnapshot(String id) {
    try {
      rds.deleteDBSnapshot(b -> b.dbSnapshotIdentifier(id));
      return true;
    } catch (SdkException e) {
      if ("DBSnapshotNotFound".equals(AwsErrors.code(e))) {
        return false;
      }
      throw AwsErrors.map(e, DELETE_SNAPSHOT, snapshot(id));
    }
  }

  /**
   * Starts a restore from a snapshot; returns empty when the target already exists (a retried
   * step). A snapshot that does not exist is exit 3.
   */
  public Optional<DBInstance> restoreFromSnapshot(RestoreDbInstanceFromDbSnapshotRequest request) {
    try {
      return Optional.of(rds.restoreDBInstanceFromDBSnapshot(request).dbInstance());
    } catch (SdkException e) {
      String code = AwsErrors.code(e);
      if ("DBInstanceAlreadyExists".equals(code)) {
        return Optional.empty();
      }
      if ("DBSnapshotNotFound".equals(code)) {
        throw new DbRecoverException(
            ErrorCode.BACKUP_NOT_FOUND,
            snapshot(request.dbSnapshotIdentifier())
                + " does not exist; `dbrecover list-backups <env>` lists the snapshots",
            e);
      }
      throw AwsErrors.map(e, RESTORE_SNAPSHOT, snapshot(request.dbSnapshotIdentifier()));
    }
  }

  static String snapshot(String id) {
    return "RDS DB snapshot '" + id + "'";
  }

  static String instance(String id) {
    return "RDS instance '" + id + "'";
  }
}
