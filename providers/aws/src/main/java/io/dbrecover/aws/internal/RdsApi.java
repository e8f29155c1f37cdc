package io.dbrecover.aws.internal;

import io.dbrecover.engine.api.RestoreWindow;
import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.rds.RdsClient;
import software.amazon.awssdk.services.rds.model.DBInstance;
import software.amazon.awssdk.services.rds.model.DBInstanceAutomatedBackup;
import software.amazon.awssdk.services.rds.model.RestoreDbInstanceToPointInTimeRequest;

/**
 * The RDS calls dbrecover makes, each mapped through {@link AwsErrors}; no SDK exception leaves
 * this class.
 */
public final class RdsApi {
  static final String DESCRIBE = "rds:DescribeDBInstances";
  static final String DESCRIBE_BACKUPS = "rds:DescribeDBInstanceAutomatedBackups";
  static final String RESTORE_PITR = "rds:RestoreDBInstanceToPointInTime";

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
  public Optional<DBInstance> restoreToPointInTime(RestoreDbInstanceToPointInTimeRequest request) {
    try {
      return Optional.of(rds.restoreDBInstanceToPointInTime(request).dbInstance());
    } catch (SdkException e) {
      if ("DBInstanceAlreadyExists".equals(AwsErrors.code(e))) {
        return Optional.empty();
      }
      throw AwsErrors.map(
          e, RESTORE_PITR, instance(request.sourceDBInstanceIdentifier()) + " (point in time)");
    }
  }

  static String instance(String id) {
    return "RDS instance '" + id + "'";
  }
}
