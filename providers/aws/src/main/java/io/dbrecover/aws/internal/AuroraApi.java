package io.dbrecover.aws.internal;

import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.RestoreWindow;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.rds.RdsClient;
import software.amazon.awssdk.services.rds.model.CreateDbInstanceRequest;
import software.amazon.awssdk.services.rds.model.DBCluster;
import software.amazon.awssdk.services.rds.model.DBInstance;
import software.amazon.awssdk.services.rds.model.RestoreDbClusterToPointInTimeRequest;

/**
 * The Aurora cluster calls dbrecover makes, each mapped through {@link AwsErrors}; no SDK exception
 * leaves this class. Instance calls go through {@link RdsApi}.
 */
public final class AuroraApi {
  static final String DESCRIBE_CLUSTERS = "rds:DescribeDBClusters";
  static final String RESTORE_CLUSTER_PITR = "rds:RestoreDBClusterToPointInTime";
  static final String CREATE_INSTANCE = "rds:CreateDBInstance";

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

  static String cluster(String id) {
    return "Aurora cluster '" + id + "'";
  }
}
