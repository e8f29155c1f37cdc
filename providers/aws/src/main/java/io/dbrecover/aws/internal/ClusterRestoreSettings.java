package io.dbrecover.aws.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.rds.model.CreateDbInstanceRequest;
import software.amazon.awssdk.services.rds.model.DBCluster;
import software.amazon.awssdk.services.rds.model.DBInstance;
import software.amazon.awssdk.services.rds.model.DBParameterGroupStatus;
import software.amazon.awssdk.services.rds.model.RestoreDbClusterFromSnapshotRequest;
import software.amazon.awssdk.services.rds.model.RestoreDbClusterToPointInTimeRequest;
import software.amazon.awssdk.services.rds.model.ServerlessV2ScalingConfiguration;
import software.amazon.awssdk.services.rds.model.Tag;
import software.amazon.awssdk.services.rds.model.VpcSecurityGroupMembership;

/**
 * Builds an Aurora point-in-time restore that keeps the source's setup. A restored cluster gets the
 * default security group and no instances; so the network, parameter group, port, protection,
 * Serverless v2 capacity and tags are read from the source cluster and passed, and the writer's
 * class and parameter group are used for the one instance created in the restored cluster.
 */
public final class ClusterRestoreSettings {
  /** The restore type that shares storage with the source (a clone). */
  public static final String CLONE = "copy-on-write";

  /** The restore type that copies the storage. */
  public static final String FULL_COPY = "full-copy";

  private ClusterRestoreSettings() {}

  /**
   * The restore of {@code source} into cluster {@code target}.
   *
   * @param restoreTime the time to restore to, or null for the latest restorable time
   * @param restoreType {@link #CLONE} or {@link #FULL_COPY}
   */
  public static RestoreDbClusterToPointInTimeRequest pointInTime(
      DBCluster source, String target, Instant restoreTime, String restoreType, String runId) {
    RestoreDbClusterToPointInTimeRequest.Builder b =
        RestoreDbClusterToPointInTimeRequest.builder()
            .sourceDBClusterIdentifier(source.dbClusterIdentifier())
            .dbClusterIdentifier(target)
            .restoreType(restoreType);
    if (restoreTime == null) {
      b.useLatestRestorableTime(true);
    } else {
      b.restoreToTime(restoreTime);
    }
    Copied c = Copied.of(source);
    if (source.dbSubnetGroup() != null) {
      b.dbSubnetGroupName(source.dbSubnetGroup());
    }
    if (!c.securityGroups().isEmpty()) {
      b.vpcSecurityGroupIds(c.securityGroups());
    }
    return b.dbClusterParameterGroupName(source.dbClusterParameterGroup())
        .port(source.port())
        .deletionProtection(source.deletionProtection())
        .enableIAMDatabaseAuthentication(source.iamDatabaseAuthenticationEnabled())
        .copyTagsToSnapshot(source.copyTagsToSnapshot())
        .serverlessV2ScalingConfiguration(c.capacity())
        .tags(tags(source.tagList(), source.dbClusterIdentifier(), runId))
        .build();
  }

  /**
   * The restore of cluster snapshot {@code snapshotId} into cluster {@code target}, with the
   * settings of the source cluster as it is now (the engine is required by this call).
   */
  public static RestoreDbClusterFromSnapshotRequest fromSnapshot(
      DBCluster source, String snapshotId, String target, String runId) {
    RestoreDbClusterFromSnapshotRequest.Builder b =
        RestoreDbClusterFromSnapshotRequest.builder()
            .snapshotIdentifier(snapshotId)
            .dbClusterIdentifier(target)
            .engine(source.engine());
    Copied c = Copied.of(source);
    if (source.dbSubnetGroup() != null) {
      b.dbSubnetGroupName(source.dbSubnetGroup());
    }
    if (!c.securityGroups().isEmpty()) {
      b.vpcSecurityGroupIds(c.securityGroups());
    }
    return b.dbClusterParameterGroupName(source.dbClusterParameterGroup())
        .port(source.port())
        .deletionProtection(source.deletionProtection())
        .enableIAMDatabaseAuthentication(source.iamDatabaseAuthenticationEnabled())
        .copyTagsToSnapshot(source.copyTagsToSnapshot())
        .serverlessV2ScalingConfiguration(c.capacity())
        .tags(tags(source.tagList(), source.dbClusterIdentifier(), runId))
        .build();
  }

  /** The values both cluster restores read from the source in the same way. */
  private record Copied(List<String> securityGroups, ServerlessV2ScalingConfiguration capacity) {
    static Copied of(DBCluster source) {
      ServerlessV2ScalingConfiguration capacity = null;
      if (source.serverlessV2ScalingConfiguration() != null) {
        capacity =
            ServerlessV2ScalingConfiguration.builder()
                .minCapacity(source.serverlessV2ScalingConfiguration().minCapacity())
                .maxCapacity(source.serverlessV2ScalingConfiguration().maxCapacity())
                .build();
      }
      return new Copied(
          source.vpcSecurityGroups().stream()
              .map(VpcSecurityGroupMembership::vpcSecurityGroupId)
              .toList(),
          capacity);
    }
  }

  /** The writer instance of the restored cluster, shaped like the source's writer. */
  public static CreateDbInstanceRequest writer(
      DBCluster source, DBInstance sourceWriter, String cluster, String instance, String runId) {
    CreateDbInstanceRequest.Builder b =
        CreateDbInstanceRequest.builder()
            .dbInstanceIdentifier(instance)
            .dbClusterIdentifier(cluster)
            .engine(source.engine())
            .dbInstanceClass(sourceWriter.dbInstanceClass())
            .publiclyAccessible(sourceWriter.publiclyAccessible());
    sourceWriter.dbParameterGroups().stream()
        .map(DBParameterGroupStatus::dbParameterGroupName)
        .findFirst()
        .ifPresent(b::dbParameterGroupName);
    return b.tags(tags(source.tagList(), source.dbClusterIdentifier(), runId)).build();
  }

  private static List<Tag> tags(List<Tag> sourceTags, String sourceId, String runId) {
    List<Tag> tags = new ArrayList<>();
    for (Tag t : sourceTags) {
      if (!t.key().startsWith("aws:") && !t.key().startsWith("dbrecover:")) {
        tags.add(t);
      }
    }
    tags.add(Tag.builder().key(RestoreSettings.RUN_TAG).value(runId).build());
    tags.add(Tag.builder().key(RestoreSettings.SOURCE_TAG).value(sourceId).build());
    return tags;
  }
}
