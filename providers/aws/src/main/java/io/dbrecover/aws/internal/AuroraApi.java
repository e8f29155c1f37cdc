package io.dbrecover.aws.internal;

import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.RestoreWindow;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.rds.RdsClient;
import software.amazon.awssdk.services.rds.model.CreateDbClusterSnapshotRequest;
import software.amazon.awssdk.services.rds.model.CreateDbInstanceRequest;
import software.amazon.awssdk.services.rds.model.DBCluster;
import software.amazon.awssdk.services.rds.model.DBClusterSnapshot;
import software.amazon.awssdk.services.rds.model.DBInstance;
import software.amazon.awssdk.services.rds.model.RestoreDbClusterFromSnapshotRequest;
import software.amazon.awssdk.services.rds.model.RestoreDbClusterToPointInTimeRequest;

/**
 * The Aurora cluster calls dbrecover makes, each mapped through {@link AwsErrors}; no SDK exception
 * leaves this class. Instance calls go through {@link RdsApi}.
 */
public final class AuroraApi {
  static final String DESCRIBE_CLUSTERS = "rds:DescribeDBClusters";
  static final String RESTORE_CLUSTER_PITR = "rds:RestoreDBClusterToPointInTime";
  static final String CREATE_INSTANCE = "rds:CreateDBInstance";
  static final String CREATE_SNAPSHOT = "rds:CreateDBClusterSnapshot";
  static final String DESCRIBE_SNAPSHOTS = "rds:DescribeDBClusterSnapshots";
  static final String DELETE_SNAPSHOT = "rds:DeleteDBClusterSnapshot";
  static final String RESTORE_SNAPSHOT = "rds:RestoreDBClusterFromSnapshot";

  private final RdsClient rds;

  public AuroraApi(RdsClient rds) {
    this.rds = Objects.requireNonNull(rds, "rds");
  }

  /** The cluster, or empty when RDS does not know it. */
  public Optional<DBCluster> find(String id) {
    try {
      return rds.describeDBClusters(b -> b.dbClusterIdentifier(id)).dbClusters().stream()
          .findFirst();
    } catch (SdkException e) {
      if ("DBClusterNotFoundFault".equals(AwsErrors.code(e))) {
        return Optional.empty();
      }
      throw AwsErrors.map(e, DESCRIBE_CLUSTERS, cluster(id));
    }
  }

  /** The cluster; a missing one is a configuration error (exit 1). */
  public DBCluster require(String id) {
    return find(id).orElseThrow(() -> AwsErrors.notFound(DESCRIBE_CLUSTERS, cluster(id)));
  }

  /**
   * The times the cluster can be restored to: its {@code EarliestRestorableTime} to its {@code
   * LatestRestorableTime}; empty when RDS reports either as missing.
   */
  public static Optional<RestoreWindow> window(DBCluster cluster) {
    if (cluster.earliestRestorableTime() == null
        || cluster.latestRestorableTime() == null
        || cluster.earliestRestorableTime().isAfter(cluster.latestRestorableTime())) {
      return Optional.empty();
    }
    return Optional.of(
        new RestoreWindow(cluster.earliestRestorableTime(), cluster.latestRestorableTime()));
  }

  /** Starts the cluster restore; empty when the target cluster exists already (a retried step). */
  public Optional<DBCluster> restoreToPointInTime(
      RestoreDbClusterToPointInTimeRequest request, RestoreWindow window) {
    try {
      return Optional.of(rds.restoreDBClusterToPointInTime(request).dbCluster());
    } catch (SdkException e) {
      String code = AwsErrors.code(e);
      if ("DBClusterAlreadyExistsFault".equals(code)) {
        return Optional.empty();
      }
      if ("InvalidRestoreFault".equals(code)) {
        throw new DbRecoverException(
            ErrorCode.NO_RECOVERY_POINT,
            "RDS refused to restore "
                + cluster(request.sourceDBClusterIdentifier())
                + " to "
                + (request.restoreToTime() == null
                    ? "its latest restorable time"
                    : request.restoreToTime().toString())
                + " (InvalidRestoreFault, request "
                + AwsErrors.requestId(e)
                + "): "
                + AwsErrors.message(e)
                + "; the window was "
                + window
                + ". Pick a time inside the window (`dbrecover plan` shows it)",
            e);
      }
      throw AwsErrors.map(
          e,
          RESTORE_CLUSTER_PITR,
          cluster(request.sourceDBClusterIdentifier()) + " (point in time)");
    }
  }

  /** Creates an instance; empty when it exists already (a retried step). */
  public Optional<DBInstance> createInstance(CreateDbInstanceRequest request) {
    try {
      return Optional.of(rds.createDBInstance(request).dbInstance());
    } catch (SdkException e) {
      if ("DBInstanceAlreadyExists".equals(AwsErrors.code(e))) {
        return Optional.empty();
      }
      throw AwsErrors.map(
          e,
          CREATE_INSTANCE,
          "instance '"
              + request.dbInstanceIdentifier()
              + "' in "
              + cluster(request.dbClusterIdentifier()));
    }
  }

  /** Starts a cluster snapshot; empty when one of that name exists already (a retried backup). */
  public Optional<DBClusterSnapshot> createSnapshot(CreateDbClusterSnapshotRequest request) {
    try {
      return Optional.of(rds.createDBClusterSnapshot(request).dbClusterSnapshot());
    } catch (SdkException e) {
      if ("DBClusterSnapshotAlreadyExistsFault".equals(AwsErrors.code(e))) {
        return Optional.empty();
      }
      throw AwsErrors.map(e, CREATE_SNAPSHOT, cluster(request.dbClusterIdentifier()));
    }
  }

  /** The cluster snapshot, or empty when RDS does not know it. */
  public Optional<DBClusterSnapshot> findSnapshot(String id) {
    try {
      return rds
          .describeDBClusterSnapshots(b -> b.dbClusterSnapshotIdentifier(id))
          .dbClusterSnapshots()
          .stream()
          .findFirst();
    } catch (SdkException e) {
      if ("DBClusterSnapshotNotFoundFault".equals(AwsErrors.code(e))) {
        return Optional.empty();
      }
      throw AwsErrors.map(e, DESCRIBE_SNAPSHOTS, snapshot(id));
    }
  }

  /** The manual snapshots of a cluster, every page. */
  public List<DBClusterSnapshot> manualSnapshots(String clusterId) {
    try {
      return rds
          .describeDBClusterSnapshotsPaginator(
              b -> b.dbClusterIdentifier(clusterId).snapshotType("manual"))
          .dbClusterSnapshots()
          .stream()
          .toList();
    } catch (SdkException e) {
      throw AwsErrors.map(e, DESCRIBE_SNAPSHOTS, cluster(clusterId));
    }
  }

  /** Deletes a manual cluster snapshot; false when it did not exist. */
  public boolean deleteSnapshot(String id) {
    try {
      rds.deleteDBClusterSnapshot(b -> b.dbClusterSnapshotIdentifier(id));
      return true;
    } catch (SdkException e) {
      if ("DBClusterSnapshotNotFoundFault".equals(AwsErrors.code(e))) {
        return false;
      }
      throw AwsErrors.map(e, DELETE_SNAPSHOT, snapshot(id));
    }
  }

  /**
   * Starts a cluster restore from a snapshot; empty when the target cluster exists already. A
   * snapshot that does not exist is exit 3.
   */
  public Optional<DBCluster> restoreFromSnapshot(RestoreDbClusterFromSnapshotRequest request) {
    try {
      return Optional.of(rds.restoreDBClusterFromSnapshot(request).dbCluster());
    } catch (SdkException e) {
      String code = AwsErrors.code(e);
      if ("DBClusterAlreadyExistsFault".equals(code)) {
        return Optional.empty();
      }
      if ("DBClusterSnapshotNotFoundFault".equals(code) || "DBSnapshotNotFound".equals(code)) {
        throw new DbRecoverException(
            ErrorCode.BACKUP_NOT_FOUND,
            snapshot(request.snapshotIdentifier())
                + " does not exist; `dbrecover list-backups <env>` lists the snapshots",
            e);
      }
      throw AwsErrors.map(e, RESTORE_SNAPSHOT, snapshot(request.snapshotIdentifier()));
    }
  }

  static String snapshot(String id) {
    return "Aurora cluster snapshot '" + id + "'";
  }

  static String cluster(String id) {
    return "Aurora cluster '" + id + "'";
  }
}
