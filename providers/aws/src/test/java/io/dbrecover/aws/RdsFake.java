package io.dbrecover.aws;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A stateful RDS for end-to-end tests: answers the Query-protocol calls dbrecover makes with the
 * XML RDS sends, and backs every DB instance by a real PostgreSQL server. A source instance is a
 * database on a running server; its "history" is a list of captures ({@code CREATE DATABASE ...
 * TEMPLATE}) taken by the test at chosen times. A point-in-time restore to T starts a new embedded
 * server in the background and loads the newest capture at or before T into it with pg_dump and
 * pg_restore; the instance stays {@code creating} until the clock passes its ready time and the
 * load is done.
 */
public final class RdsFake implements AutoCloseable {
  static final Duration RESTORE_TAKES = Duration.ofMinutes(6);
  static final Duration SNAPSHOT_TAKES = Duration.ofMinutes(4);
  private static final String ACCOUNT = "123456789012";
  private static final String REGION = "eu-west-1";

  private final Clock clock;
  private final Map<String, Instance> instances = new ConcurrentHashMap<>();
  private final Map<String, Snapshot> snapshots = new ConcurrentHashMap<>();
  private final Map<String, Cluster> clusters = new ConcurrentHashMap<>();
  private final List<EmbeddedPostgres> servers = new ArrayList<>();

  RdsFake(Clock clock) {
    this.clock = clock;
  }

  /** The network, parameter and class settings of an instance, as DescribeDBInstances shows. */
  public record Settings(
      String subnetGroup,
      List<String> securityGroups,
      String parameterGroup,
      String optionGroup,
      String instanceClass,
      boolean multiAz,
      String storageType,
      boolean deletionProtection,
      boolean iamAuth) {
    /** What RDS gives a restored instance that is told nothing. */
    static final Settings RDS_DEFAULTS =
        new Settings(
            "default",
            List.of("sg-default0"),
            "default.postgres16",
            "default:postgres-16",
            "db.m5.large",
            false,
            "gp2",
            false,
            false);

    static final Settings PRODUCTION =
        new Settings(
            "orders-subnets",
            List.of("sg-0a1b2c3d", "sg-0e4f5a6b"),
            "orders-pg16",
            "default:postgres-16",
            "db.r6g.large",
            true,
            "gp3",
            true,
            true);
  }

  /** One DB instance. */
  public static final class Instance {
    public final String id;
    final String dbName;
    final String resourceId;
    final Instant createdAt;
    final Settings settings;
    public final Map<String, String> tags;
    final List<Capture> history = new ArrayList<>();
    volatile String status;
    volatile String host;
    public volatile int port;
    Instant readyAt;
    CompletableFuture<EmbeddedPostgres> load;

    Instance(
        String id,
        String dbName,
        Instant createdAt,
        Settings settings,
        Map<String, String> tags,
        String status) {
      this.id = id;
      this.dbName = dbName;
      this.resourceId = "db-" + Integer.toHexString(id.hashCode()).toUpperCase();
      this.createdAt = createdAt;
      this.settings = settings;
      this.tags = new LinkedHashMap<>(tags);
      this.status = status;
    }
  }

  record Capture(Instant at, String database) {}

  /**
   * An Aurora cluster: its storage is a PostgreSQL server (for a source, the one its database lives
   * on; for a restored cluster, a new embedded server loaded from a capture); its instances are
   * {@link Instance}s naming it.
   */
  static final class Cluster {
    final String id;
    final String dbName;
    final Instant createdAt;
    final Map<String, String> tags;
    final Map<String, String> restoreRequest;
    final List<String> members = new ArrayList<>();
    final List<Capture> history = new ArrayList<>();
    volatile String status;
    volatile String host;
    volatile int port;
    Instant readyAt;
    CompletableFuture<EmbeddedPostgres> load;

    Cluster(
        String id,
        String dbName,
        Instant createdAt,
        Map<String, String> tags,
        Map<String, String> restoreRequest,
        String status) {
      this.id = id;
      this.dbName = dbName;
      this.createdAt = createdAt;
      this.tags = new LinkedHashMap<>(tags);
      this.restoreRequest = restoreRequest;
      this.status = status;
    }
  }

  /** A manual DB snapshot: a capture of its instance's database. */
  static final class Snapshot {
    final String id;
    final Instance instance;
    final Capture capture;
    final Instant readyAt;
    final Map<String, String> tags;
    volatile String status = "creating";

    Snapshot(
        String id, Instance instance, Capture capture, Instant readyAt, Map<String, String> tags) {
      this.id = id;
      this.instance = instance;
      this.capture = capture;
      this.readyAt = readyAt;
      this.tags = tags;
    }
  }

  /** A response: HTTP status and XML body. */
  record Response(int status, String body) {}

  /** Registers an available instance whose database {@code dbName} lives on host:port. */
  public Instance addInstance(
      String id, String host, int port, String dbName, Map<String, String> tags) {
    Instance i = new Instance(id, dbName, clock.instant(), Settings.PRODUCTION, tags, "available");
    i.host = host;
    i.port = port;
    instances.put(id, i);
    return i;
  }

  /** Records the instance's state now as the state at {@code at} (its point-in-time history). */
  public void capture(String id, Instant at) {
    Instance i = instances.get(id);
    i.history.add(copyNow(i, at, "h" + i.history.size()));
  }

  private static Capture copyNow(Instance i, Instant at, String suffix) {
    String copy = i.dbName + "_" + suffix;
    sql(i.host, i.port, "postgres", "create database " + copy + " template " + i.dbName);
    return new Capture(at, copy);
  }

  Optional<Snapshot> snapshot(String id) {
    return Optional.ofNullable(snapshots.get(id));
  }

  /** Registers an available Aurora cluster with one writer, its data on host:port. */
  Cluster addCluster(String id, String writer, String host, int port, String dbName) {
    Cluster c =
        new Cluster(id, dbName, clock.instant(), Map.of("team", "payments"), Map.of(), "available");
    c.host = host;
    c.port = port;
    c.members.add(writer);
    clusters.put(id, c);
    Instance w =
        new Instance(writer, dbName, clock.instant(), Settings.PRODUCTION, Map.of(), "available");
    w.host = host;
    w.port = port;
    instances.put(writer, w);
    return c;
  }

  /** Records the cluster's state now as the state at {@code at}. */
  void captureCluster(String id, Instant at) {
    Cluster c = clusters.get(id);
    String copy = c.dbName + "_c" + c.history.size();
    sql(c.host, c.port, "postgres", "create database " + copy + " template " + c.dbName);
    c.history.add(new Capture(at, copy));
  }

  Optional<Cluster> cluster(String id) {
    return Optional.ofNullable(clusters.get(id));
  }

  public List<Instance> instances() {
    return List.copyOf(instances.values());
  }

  public Optional<Instance> instance(String id) {
    return Optional.ofNullable(instances.get(id));
  }

  // ---- the API ----

  Response handle(Map<String, String> form) {
    String action = form.getOrDefault("Action", "");
    switch (action) {
      case "DescribeDBInstances":
        return describe(form.get("DBInstanceIdentifier"));
      case "DescribeDBInstanceAutomatedBackups":
        return automatedBackups(form.get("DBInstanceIdentifier"));
      case "RestoreDBInstanceToPointInTime":
        return restoreToPointInTime(form);
      case "DescribeDBClusters":
        return describeCluster(form.get("DBClusterIdentifier"));
      case "RestoreDBClusterToPointInTime":
        return restoreClusterToPointInTime(form);
      case "CreateDBInstance":
        return createInstance(form);
      case "DescribeDBClusterSnapshots":
        // This fake takes no cluster snapshots: none to list, none to find.
        return form.containsKey("DBClusterSnapshotIdentifier")
            ? error(
                404,
                "DBClusterSnapshotNotFoundFault",
                "DBClusterSnapshot " + form.get("DBClusterSnapshotIdentifier") + " not found.")
            : ok("DescribeDBClusterSnapshots", "<DBClusterSnapshots></DBClusterSnapshots>");
      case "CreateDBSnapshot":
        return createSnapshot(form);
      case "DescribeDBSnapshots":
        return describeSnapshots(form);
      case "DeleteDBSnapshot":
        return deleteSnapshot(form.get("DBSnapshotIdentifier"));
      case "RestoreDBInstanceFromDBSnapshot":
        return restoreFromSnapshot(form);
      default:
        return error(400, "InvalidAction", "The action " + action + " is not valid");
    }
  }

  private Response describe(String id) {
    List<Instance> found = new ArrayList<>();
    if (id == null) {
      found.addAll(new TreeMap<>(instances).values());
    } else if (instances.containsKey(id)) {
      found.add(instances.get(id));
    } else {
      return error(404, "DBInstanceNotFound", "DBInstance " + id + " not found.");
    }
    StringBuilder sb = new StringBuilder();
    for (Instance i : found) {
      settle(i);
      sb.append(instanceXml(i));
    }
    return ok("DescribeDBInstances", "<DBInstances>" + sb + "</DBInstances>");
  }

  private Response automatedBackups(String id) {
    Instance i = instances.get(id);
    if (i == null || i.history.isEmpty()) {
      return error(
          404,
          "DBInstanceAutomatedBackupNotFound",
          "No automated backup found for DB instance " + id + ".");
    }
    String body =
        "<DBInstanceAutomatedBackups><DBInstanceAutomatedBackup>"
            + el("DBInstanceArn", arn(i.id))
            + el("DbiResourceId", i.resourceId)
            + el("Region", REGION)
            + el("DBInstanceIdentifier", i.id)
            + "<RestoreWindow>"
            + el("EarliestTime", i.history.get(0).at().toString())
            + el("LatestTime", latest(i).toString())
            + "</RestoreWindow>"
            + el("Status", "active")
            + el("Port", String.valueOf(i.port))
            + el("Engine", "postgres")
            + el("EngineVersion", "16.3")
            + el("BackupRetentionPeriod", "7")
            + "</DBInstanceAutomatedBackup></DBInstanceAutomatedBackups>";
    return ok("DescribeDBInstanceAutomatedBackups", body);
  }

  private Response restoreToPointInTime(Map<String, String> form) {
    Instance source = instances.get(form.get("SourceDBInstanceIdentifier"));
    String targetId = form.get("TargetDBInstanceIdentifier");
    if (source == null) {
      return error(
          404,
          "DBInstanceNotFound",
          "DBInstance " + form.get("SourceDBInstanceIdentifier") + " not found.");
    }
    if (instances.containsKey(targetId)) {
      return error(400, "DBInstanceAlreadyExists", "DB instance already exists");
    }
    Instant at =
        "true".equals(form.get("UseLatestRestorableTime"))
            ? latest(source)
            : Instant.parse(form.get("RestoreTime"));
    Optional<Capture> capture =
        source.history.stream().filter(c -> !c.at().isAfter(at)).reduce((a, b) -> b);
    if (capture.isEmpty() || at.isAfter(latest(source))) {
      return error(
          400,
          "InvalidRestoreFault",
          "The restore time must be between "
              + (source.history.isEmpty() ? "-" : source.history.get(0).at())
              + " and "
              + latest(source)
              + ".");
    }
    Instance target =
        new Instance(
            targetId,
            source.dbName,
            clock.instant(),
            settingsFrom(form),
            tagsFrom(form),
            "creating");
    target.readyAt = clock.instant().plus(RESTORE_TAKES);
    Capture from = capture.get();
    target.load = CompletableFuture.supplyAsync(() -> load(source, from, target.dbName));
    instances.put(targetId, target);
    return ok("RestoreDBInstanceToPointInTime", instanceXml(target));
  }

  private Response describeCluster(String id) {
    Cluster c = clusters.get(id);
    if (c == null) {
      return error(404, "DBClusterNotFoundFault", "DBCluster " + id + " not found.");
    }
    if ("creating".equals(c.status) && !clock.instant().isBefore(c.readyAt)) {
      try {
        EmbeddedPostgres server = c.load.get(20, TimeUnit.SECONDS);
        c.host = "localhost";
        c.port = server.getPort();
        c.status = "available";
      } catch (TimeoutException e) {
        // still loading
      } catch (Exception e) {
        c.status = "failed";
      }
    }
    return ok("DescribeDBClusters", "<DBClusters>" + clusterXml(c) + "</DBClusters>");
  }

  private Response restoreClusterToPointInTime(Map<String, String> form) {
    Cluster source = clusters.get(form.get("SourceDBClusterIdentifier"));
    String targetId = form.get("DBClusterIdentifier");
    if (source == null) {
      return error(
          404,
          "DBClusterNotFoundFault",
          "DBCluster " + form.get("SourceDBClusterIdentifier") + " not found.");
    }
    if (clusters.containsKey(targetId)) {
      return error(400, "DBClusterAlreadyExistsFault", "DB Cluster already exists");
    }
    Instant latest = source.history.get(source.history.size() - 1).at();
    Instant at =
        "true".equals(form.get("UseLatestRestorableTime"))
            ? latest
            : Instant.parse(form.get("RestoreToTime"));
    Optional<Capture> capture =
        source.history.stream().filter(c -> !c.at().isAfter(at)).reduce((a, b) -> b);
    if (capture.isEmpty() || at.isAfter(latest)) {
      return error(400, "InvalidRestoreFault", "The restore time is outside the restore window.");
    }
    Cluster target =
        new Cluster(targetId, source.dbName, clock.instant(), tagsFrom(form), form, "creating");
    target.readyAt = clock.instant().plus(RESTORE_TAKES);
    Capture from = capture.get();
    Instance storage =
        new Instance(
            source.id, source.dbName, source.createdAt, Settings.PRODUCTION, Map.of(), "available");
    storage.host = source.host;
    storage.port = source.port;
    target.load = CompletableFuture.supplyAsync(() -> load(storage, from, target.dbName));
    clusters.put(targetId, target);
    return ok("RestoreDBClusterToPointInTime", clusterXml(target));
  }

  private Response createInstance(Map<String, String> form) {
    String id = form.get("DBInstanceIdentifier");
    Cluster c = clusters.get(form.get("DBClusterIdentifier"));
    if (instances.containsKey(id)) {
      return error(400, "DBInstanceAlreadyExists", "DB instance already exists");
    }
    if (c == null || !"available".equals(c.status)) {
      return error(400, "InvalidDBClusterStateFault", "DB cluster is not in available state");
    }
    Instance i =
        new Instance(id, c.dbName, clock.instant(), settingsFrom(form), tagsFrom(form), "creating");
    i.readyAt = clock.instant().plus(Duration.ofMinutes(5));
    i.load = CompletableFuture.completedFuture(null);
    i.host = c.host;
    i.port = c.port;
    c.members.add(id);
    instances.put(id, i);
    return ok("CreateDBInstance", instanceXml(i));
  }

  private String clusterXml(Cluster c) {
    StringBuilder sb = new StringBuilder("<DBCluster>");
    sb.append(el("AllocatedStorage", "1"))
        .append(el("BackupRetentionPeriod", "7"))
        .append(el("DatabaseName", c.dbName))
        .append(el("DBClusterIdentifier", c.id))
        .append(
            el(
                "DBClusterParameterGroup",
                c.restoreRequest.getOrDefault(
                    "DBClusterParameterGroupName",
                    c.restoreRequest.isEmpty() ? "orders-apg16" : "default.aurora-postgresql16")))
        .append(
            el(
                "DBSubnetGroup",
                c.restoreRequest.getOrDefault(
                    "DBSubnetGroupName",
                    c.restoreRequest.isEmpty() ? "orders-subnets" : "default")))
        .append(el("Status", c.status));
    if (!c.history.isEmpty()) {
      sb.append(el("EarliestRestorableTime", c.history.get(0).at().toString()))
          .append(el("LatestRestorableTime", c.history.get(c.history.size() - 1).at().toString()));
    }
    sb.append(
            el(
                "Endpoint",
                c.host == null ? c.id + ".cluster-fake.eu-west-1.rds.amazonaws.com" : c.host))
        .append(el("MultiAZ", "false"))
        .append(el("Engine", "aurora-postgresql"))
        .append(el("EngineVersion", "16.4"))
        .append(el("Port", String.valueOf(c.port)))
        .append(el("MasterUsername", "postgres"))
        .append("<DBClusterMembers>");
    for (String m : c.members) {
      sb.append("<DBClusterMember>")
          .append(el("DBInstanceIdentifier", m))
          .append(el("IsClusterWriter", String.valueOf(m.equals(c.members.get(0)))))
          .append(el("DBClusterParameterGroupStatus", "in-sync"))
          .append(el("PromotionTier", "1"))
          .append("</DBClusterMember>");
    }
    sb.append("</DBClusterMembers><VpcSecurityGroups><VpcSecurityGroupMembership>")
        .append(
            el(
                "VpcSecurityGroupId",
                c.restoreRequest.getOrDefault(
                    "VpcSecurityGroupIds.VpcSecurityGroupId.1",
                    c.restoreRequest.isEmpty() ? "sg-0a1b2c3d" : "sg-default0")))
        .append(el("Status", "active"))
        .append("</VpcSecurityGroupMembership></VpcSecurityGroups>")
        .append(el("StorageEncrypted", "true"))
        .append(el("DBClusterArn", "arn:aws:rds:" + REGION + ":" + ACCOUNT + ":cluster:" + c.id))
        .append(el("IAMDatabaseAuthenticationEnabled", "true"))
        .append(el("ClusterCreateTime", c.createdAt.toString()))
        .append(el("EngineMode", "provisioned"))
        .append(el("DeletionProtection", "true"))
        .append(el("CopyTagsToSnapshot", "true"))
        .append("<TagList>");
    c.tags.forEach(
        (k, v) -> sb.append("<Tag>").append(el("Key", k)).append(el("Value", v)).append("</Tag>"));
    return sb.append("</TagList></DBCluster>").toString();
  }

  private Response createSnapshot(Map<String, String> form) {
    String id = form.get("DBSnapshotIdentifier");
    Instance i = instances.get(form.get("DBInstanceIdentifier"));
    if (i == null) {
      return error(
          404,
          "DBInstanceNotFound",
          "DBInstance " + form.get("DBInstanceIdentifier") + " not found.");
    }
    if (snapshots.containsKey(id)) {
      return error(
          400,
          "DBSnapshotAlreadyExists",
          "Cannot create the snapshot because a snapshot with the identifier "
              + id
              + " already exists.");
    }
    Snapshot snap =
        new Snapshot(
            id,
            i,
            copyNow(i, clock.instant(), "s" + snapshots.size()),
            clock.instant().plus(SNAPSHOT_TAKES),
            tagsFrom(form));
    snapshots.put(id, snap);
    return ok("CreateDBSnapshot", snapshotXml(snap));
  }

  private Response describeSnapshots(Map<String, String> form) {
    String id = form.get("DBSnapshotIdentifier");
    List<Snapshot> found = new ArrayList<>();
    if (id != null) {
      if (!snapshots.containsKey(id)) {
        return error(404, "DBSnapshotNotFound", "DBSnapshot not found: " + id);
      }
      found.add(snapshots.get(id));
    } else {
      new TreeMap<>(snapshots)
          .values().stream()
              .filter(
                  sn ->
                      form.get("DBInstanceIdentifier") == null
                          || sn.instance.id.equals(form.get("DBInstanceIdentifier")))
              .forEach(found::add);
    }
    StringBuilder sb = new StringBuilder("<DBSnapshots>");
    for (Snapshot sn : found) {
      if ("creating".equals(sn.status) && !clock.instant().isBefore(sn.readyAt)) {
        sn.status = "available";
      }
      sb.append(snapshotXml(sn));
    }
    return ok("DescribeDBSnapshots", sb.append("</DBSnapshots>").toString());
  }

  private Response deleteSnapshot(String id) {
    Snapshot sn = snapshots.remove(id);
    if (sn == null) {
      return error(404, "DBSnapshotNotFound", "DBSnapshot not found: " + id);
    }
    sn.status = "deleted";
    return ok("DeleteDBSnapshot", snapshotXml(sn));
  }

  private Response restoreFromSnapshot(Map<String, String> form) {
    String targetId = form.get("DBInstanceIdentifier");
    Snapshot sn = snapshots.get(form.get("DBSnapshotIdentifier"));
    if (sn == null) {
      return error(
          404, "DBSnapshotNotFound", "DBSnapshot not found: " + form.get("DBSnapshotIdentifier"));
    }
    if (instances.containsKey(targetId)) {
      return error(400, "DBInstanceAlreadyExists", "DB instance already exists");
    }
    if (!"available".equals(sn.status)) {
      return error(
          400, "InvalidDBSnapshotState", "DBSnapshot " + sn.id + " is not in available state.");
    }
    Instance target =
        new Instance(
            targetId,
            sn.instance.dbName,
            clock.instant(),
            settingsFrom(form),
            tagsFrom(form),
            "creating");
    target.readyAt = clock.instant().plus(RESTORE_TAKES);
    target.load = CompletableFuture.supplyAsync(() -> load(sn.instance, sn.capture, target.dbName));
    instances.put(targetId, target);
    return ok("RestoreDBInstanceFromDBSnapshot", instanceXml(target));
  }

  private String snapshotXml(Snapshot sn) {
    StringBuilder sb = new StringBuilder("<DBSnapshot>");
    sb.append(el("DBSnapshotIdentifier", sn.id)).append(el("DBInstanceIdentifier", sn.instance.id));
    if (!"creating".equals(sn.status)) {
      sb.append(el("SnapshotCreateTime", sn.capture.at().toString()));
    }
    sb.append(el("Engine", "postgres"))
        .append(el("AllocatedStorage", "100"))
        .append(el("Status", sn.status))
        .append(el("Port", "5432"))
        .append(el("AvailabilityZone", "eu-west-1a"))
        .append(el("VpcId", "vpc-0123abcd"))
        .append(el("InstanceCreateTime", sn.instance.createdAt.toString()))
        .append(el("MasterUsername", "postgres"))
        .append(el("EngineVersion", "16.3"))
        .append(el("LicenseModel", "postgresql-license"))
        .append(el("SnapshotType", "manual"))
        .append(el("PercentProgress", "creating".equals(sn.status) ? "35" : "100"))
        .append(el("StorageType", sn.instance.settings.storageType()))
        .append(el("Encrypted", "true"))
        .append(el("DBSnapshotArn", "arn:aws:rds:" + REGION + ":" + ACCOUNT + ":snapshot:" + sn.id))
        .append(el("IAMDatabaseAuthenticationEnabled", "true"))
        .append(el("DbiResourceId", sn.instance.resourceId))
        .append("<TagList>");
    sn.tags.forEach(
        (k, v) -> sb.append("<Tag>").append(el("Key", k)).append(el("Value", v)).append("</Tag>"));
    return sb.append("</TagList>")
        .append(el("SnapshotTarget", "region"))
        .append("</DBSnapshot>")
        .toString();
  }

  /** Moves a creating instance to available once its time has come and its data is loaded. */
  private void settle(Instance i) {
    if (!"creating".equals(i.status) || clock.instant().isBefore(i.readyAt)) {
      return;
    }
    try {
      EmbeddedPostgres server = i.load.get(20, TimeUnit.SECONDS);
      if (server != null) { // an Aurora instance has no storage of its own
        i.host = "localhost";
        i.port = server.getPort();
      }
      i.status = "available";
    } catch (TimeoutException e) {
      // Still loading: RDS keeps saying creating.
    } catch (Exception e) {
      i.status = "failed";
    }
  }

  private EmbeddedPostgres load(Instance source, Capture capture, String dbName) {
    try {
      EmbeddedPostgres server = EmbeddedPostgres.builder().start();
      synchronized (servers) {
        servers.add(server);
      }
      sql("localhost", server.getPort(), "postgres", "create database " + dbName);
      Path dump = Files.createTempFile("rds-fake-", ".dump");
      try {
        exec(
            "pg_dump",
            "-w",
            "-Fc",
            "-h",
            source.host,
            "-p",
            String.valueOf(source.port),
            "-U",
            "postgres",
            "-d",
            capture.database(),
            "-f",
            dump.toString());
        exec(
            "pg_restore",
            "-w",
            "--no-owner",
            "-h",
            "localhost",
            "-p",
            String.valueOf(server.getPort()),
            "-U",
            "postgres",
            "-d",
            dbName,
            dump.toString());
      } finally {
        Files.deleteIfExists(dump);
      }
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Settings settingsFrom(Map<String, String> form) {
    Settings d = Settings.RDS_DEFAULTS;
    List<String> sgs = new ArrayList<>();
    for (int n = 1; form.containsKey("VpcSecurityGroupIds.VpcSecurityGroupId." + n); n++) {
      sgs.add(form.get("VpcSecurityGroupIds.VpcSecurityGroupId." + n));
    }
    return new Settings(
        form.getOrDefault("DBSubnetGroupName", d.subnetGroup()),
        sgs.isEmpty() ? d.securityGroups() : sgs,
        form.getOrDefault("DBParameterGroupName", d.parameterGroup()),
        form.getOrDefault("OptionGroupName", d.optionGroup()),
        form.getOrDefault("DBInstanceClass", d.instanceClass()),
        Boolean.parseBoolean(form.getOrDefault("MultiAZ", String.valueOf(d.multiAz()))),
        form.getOrDefault("StorageType", d.storageType()),
        Boolean.parseBoolean(
            form.getOrDefault("DeletionProtection", String.valueOf(d.deletionProtection()))),
        Boolean.parseBoolean(
            form.getOrDefault("EnableIAMDatabaseAuthentication", String.valueOf(d.iamAuth()))));
  }

  private static Map<String, String> tagsFrom(Map<String, String> form) {
    Map<String, String> tags = new LinkedHashMap<>();
    for (int n = 1; form.containsKey("Tags.Tag." + n + ".Key"); n++) {
      tags.put(form.get("Tags.Tag." + n + ".Key"), form.get("Tags.Tag." + n + ".Value"));
    }
    return tags;
  }

  private static Instant latest(Instance i) {
    return i.history.isEmpty() ? null : i.history.get(i.history.size() - 1).at();
  }

  // ---- XML as RDS writes it ----

  private String instanceXml(Instance i) {
    Settings s = i.settings;
    StringBuilder sb = new StringBuilder("<DBInstance>");
    sb.append(el("DBInstanceIdentifier", i.id))
        .append(el("DBInstanceClass", s.instanceClass()))
        .append(el("Engine", "postgres"))
        .append(el("DBInstanceStatus", i.status))
        .append(el("MasterUsername", "postgres"))
        .append(el("DBName", i.dbName));
    if ("available".equals(i.status)) {
      sb.append("<Endpoint>")
          .append(el("Address", i.host))
          .append(el("Port", String.valueOf(i.port)))
          .append(el("HostedZoneId", "Z29XKXDKYMONMX"))
          .append("</Endpoint>");
    }
    sb.append(el("AllocatedStorage", "100"))
        .append(el("InstanceCreateTime", i.createdAt.toString()))
        .append(el("PreferredBackupWindow", "03:00-03:30"))
        .append(el("BackupRetentionPeriod", "7"))
        .append("<DBSecurityGroups/><VpcSecurityGroups>");
    for (String sg : s.securityGroups()) {
      sb.append("<VpcSecurityGroupMembership>")
          .append(el("VpcSecurityGroupId", sg))
          .append(el("Status", "active"))
          .append("</VpcSecurityGroupMembership>");
    }
    sb.append("</VpcSecurityGroups><DBParameterGroups><DBParameterGroup>")
        .append(el("DBParameterGroupName", s.parameterGroup()))
        .append(el("ParameterApplyStatus", "in-sync"))
        .append("</DBParameterGroup></DBParameterGroups>")
        .append("<DBSubnetGroup>")
        .append(el("DBSubnetGroupName", s.subnetGroup()))
        .append(el("VpcId", "vpc-0123abcd"))
        .append(el("SubnetGroupStatus", "Complete"))
        .append("</DBSubnetGroup>")
        .append("<PendingModifiedValues/>");
    if (!i.history.isEmpty()) {
      sb.append(el("LatestRestorableTime", latest(i).toString()));
    }
    sb.append(el("MultiAZ", String.valueOf(s.multiAz())))
        .append(el("EngineVersion", "16.3"))
        .append(el("AutoMinorVersionUpgrade", "true"))
        .append("<ReadReplicaDBInstanceIdentifiers/>")
        .append(el("LicenseModel", "postgresql-license"))
        .append("<OptionGroupMemberships><OptionGroupMembership>")
        .append(el("OptionGroupName", s.optionGroup()))
        .append(el("Status", "in-sync"))
        .append("</OptionGroupMembership></OptionGroupMemberships>")
        .append(el("PubliclyAccessible", "false"))
        .append(el("StorageType", s.storageType()))
        .append(el("DbInstancePort", "0"))
        .append(el("StorageEncrypted", "true"))
        .append(el("DbiResourceId", i.resourceId))
        .append(el("CopyTagsToSnapshot", "true"))
        .append(el("DBInstanceArn", arn(i.id)))
        .append(el("IAMDatabaseAuthenticationEnabled", String.valueOf(s.iamAuth())))
        .append(el("DeletionProtection", String.valueOf(s.deletionProtection())))
        .append("<TagList>");
    i.tags.forEach(
        (k, v) -> sb.append("<Tag>").append(el("Key", k)).append(el("Value", v)).append("</Tag>"));
    return sb.append("</TagList></DBInstance>").toString();
  }

  private static String arn(String id) {
    return "arn:aws:rds:" + REGION + ":" + ACCOUNT + ":db:" + id;
  }

  static Response ok(String action, String result) {
    return new Response(
        200,
        "<"
            + action
            + "Response xmlns=\""
            + AwsStub.RDS_XMLNS
            + "\">\n  <"
            + action
            + "Result>\n"
            + result
            + "\n  </"
            + action
            + "Result>\n  <ResponseMetadata>\n    <RequestId>"
            + java.util.UUID.randomUUID()
            + "</RequestId>\n  </ResponseMetadata>\n</"
            + action
            + "Response>\n");
  }

  static Response error(int status, String code, String message) {
    return new Response(status, AwsStub.rdsError(code, escape(message)));
  }

  static String el(String name, String value) {
    return "<" + name + ">" + escape(value) + "</" + name + ">";
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  // ---- PostgreSQL ----

  static void sql(String host, int port, String database, String statements) {
    String url = "jdbc:postgresql://" + host + ":" + port + "/" + database;
    try (Connection c = DriverManager.getConnection(url, "postgres", "");
        Statement st = c.createStatement()) {
      st.execute(statements);
    } catch (SQLException e) {
      throw new IllegalStateException("fake RDS SQL failed: " + e.getMessage(), e);
    }
  }

  private static void exec(String... command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (p.waitFor() != 0) {
        throw new IOException(command[0] + " failed: " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(command[0] + " interrupted", e);
    }
  }

  @Override
  public void close() {
    synchronized (servers) {
      for (EmbeddedPostgres s : servers) {
        try {
          s.close();
        } catch (IOException e) {
          // a temp directory; the JVM exits soon
        }
      }
      servers.clear();
    }
  }
}
