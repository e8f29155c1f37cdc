package io.dbrecover.aws.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.rds.model.DBInstance;
import software.amazon.awssdk.services.rds.model.DBParameterGroupStatus;
import software.amazon.awssdk.services.rds.model.OptionGroupMembership;
import software.amazon.awssdk.services.rds.model.RestoreDbInstanceFromDbSnapshotRequest;
import software.amazon.awssdk.services.rds.model.RestoreDbInstanceToPointInTimeRequest;
import software.amazon.awssdk.services.rds.model.Tag;
import software.amazon.awssdk.services.rds.model.VpcSecurityGroupMembership;

/**
 * Builds a point-in-time restore that keeps the source's setup. RDS restores into the default
 * security group, subnet group and parameter group, single-AZ, unless told otherwise; so every
 * setting that matters is read from the source and passed explicitly.
 */
public final class RestoreSettings {
  /** Tag naming the run that created a restored instance; adopted only when it matches. */
  public static final String RUN_TAG = "dbrecover:run";

  /** Tag naming the instance a restored one was restored from. */
  public static final String SOURCE_TAG = "dbrecover:source";

  private RestoreSettings() {}

  /**
   * The restore of {@code source} into {@code target}.
   *
   * @param restoreTime the time to restore to, or null for the latest restorable time
   */
  public static RestoreDbInstanceToPointInTimeRequest pointInTime(
      DBInstance source, String target, Instant restoreTime, String runId) {
    RestoreDbInstanceToPointInTimeRequest.Builder b =
        RestoreDbInstanceToPointInTimeRequest.builder()
            .sourceDBInstanceIdentifier(source.dbInstanceIdentifier())
            .targetDBInstanceIdentifier(target);
    if (restoreTime == null) {
      b.useLatestRestorableTime(true);
    } else {
      b.restoreTime(restoreTime);
    }
    Copied c = Copied.of(source);
    c.subnetGroup().ifPresent(b::dbSubnetGroupName);
    if (!c.securityGroups().isEmpty()) {
      b.vpcSecurityGroupIds(c.securityGroups());
    }
    c.parameterGroup().ifPresent(b::dbParameterGroupName);
    c.optionGroup().ifPresent(b::optionGroupName);
    b.dbInstanceClass(source.dbInstanceClass())
        .multiAZ(source.multiAZ())
        .storageType(source.storageType())
        .publiclyAccessible(source.publiclyAccessible())
        .deletionProtection(source.deletionProtection())
        .enableIAMDatabaseAuthentication(source.iamDatabaseAuthenticationEnabled())
        .copyTagsToSnapshot(source.copyTagsToSnapshot());
    c.iops().ifPresent(b::iops);
    c.port().ifPresent(b::port);
    return b.tags(tags(source, runId)).build();
  }

  /**
   * The restore of DB snapshot {@code snapshotId} into {@code target}, with the settings of the
   * instance the snapshot was taken from as it is now: a snapshot restore, like a point-in-time
   * one, falls back to the default security group, parameter group and single-AZ.
   */
  public static RestoreDbInstanceFromDbSnapshotRequest fromSnapshot(
      DBInstance source, String snapshotId, String target, String runId) {
    RestoreDbInstanceFromDbSnapshotRequest.Builder b =
        RestoreDbInstanceFromDbSnapshotRequest.builder()
            .dbSnapshotIdentifier(snapshotId)
            .dbInstanceIdentifier(target);
    Copied c = Copied.of(source);
    c.subnetGroup().ifPresent(b::dbSubnetGroupName);
    if (!c.securityGroups().isEmpty()) {
      b.vpcSecurityGroupIds(c.securityGroups());
    }
    c.parameterGroup().ifPresent(b::dbParameterGroupName);
    c.optionGroup().ifPresent(b::optionGroupName);
    b.dbInstanceClass(source.dbInstanceClass())
        .multiAZ(source.multiAZ())
        .storageType(source.storageType())
        .publiclyAccessible(source.publiclyAccessible())
        .deletionProtection(source.deletionProtection())
        .enableIAMDatabaseAuthentication(source.iamDatabaseAuthenticationEnabled())
        .copyTagsToSnapshot(source.copyTagsToSnapshot());
    c.iops().ifPresent(b::iops);
    c.port().ifPresent(b::port);
    return b.tags(tags(source, runId)).build();
  }

  /** The settings read from the source, where the two restore requests take the same values. */
  private record Copied(
      Optional<String> subnetGroup,
      List<String> securityGroups,
      Optional<String> parameterGroup,
      Optional<String> optionGroup,
      Optional<Integer> iops,
      Optional<Integer> port) {
    static Copied of(DBInstance source) {
      return new Copied(
          Optional.ofNullable(source.dbSubnetGroup()).map(g -> g.dbSubnetGroupName()),
          source.vpcSecurityGroups().stream()
              .map(VpcSecurityGroupMembership::vpcSecurityGroupId)
              .toList(),
          source.dbParameterGroups().stream()
              .map(DBParameterGroupStatus::dbParameterGroupName)
              .findFirst(),
          source.optionGroupMemberships().stream()
              .map(OptionGroupMembership::optionGroupName)
              .findFirst(),
          // Provisioned IOPS only for io1/io2: on gp3 below 400 GiB RDS rejects any IOPS value,
          // even the baseline it reports for the source.
          Optional.ofNullable(source.iops()).filter(i -> isProvisionedIops(source.storageType())),
          Optional.ofNullable(source.endpoint()).map(e -> e.port()));
    }
  }

  private static boolean isProvisionedIops(String storageType) {
    return storageType != null && storageType.startsWith("io");
  }

  private static List<Tag> tags(DBInstance source, String runId) {
    List<Tag> tags = new ArrayList<>();
    for (Tag t : source.tagList()) {
      // aws: tags are reserved; ours are replaced, so a restore of a restore names its own run.
      if (!t.key().startsWith("aws:") && !t.key().startsWith("dbrecover:")) {
        tags.add(t);
      }
    }
    tags.add(Tag.builder().key(RUN_TAG).value(runId).build());
    tags.add(Tag.builder().key(SOURCE_TAG).value(source.dbInstanceIdentifier()).build());
    return tags;
  }
}
