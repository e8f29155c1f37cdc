package io.dbrecover.gcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
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
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A stateful Cloud SQL Admin API v1 for end-to-end tests: answers the calls dbrecover makes for a
 * point-in-time restore with the JSON Google sends, and backs every instance by a real PostgreSQL
 * server. The source instance is a database on a running server; its point-in-time history is a
 * list of captures ({@code CREATE DATABASE ... TEMPLATE}) the test takes at chosen times. {@code
 * instances.clone} to T creates the instance ({@code PENDING_CREATE}) and an operation, starts a
 * new embedded server in the background and loads the newest capture at or before T into it with
 * pg_dump and pg_restore. The operation is {@code PENDING} for a minute, then {@code RUNNING} until
 * the clock passes its end and the load is done; then {@code DONE} (with {@code error} when the
 * load failed) and the instance {@code RUNNABLE} with a PRIMARY address of its own (127.0.0.N,
 * reached through a {@link TcpForwarder} at the port all instances share).
 */
final class CloudSqlFake implements AutoCloseable {
  static final Duration PENDING_FOR = Duration.ofMinutes(1);
  static final Duration CLONE_TAKES = Duration.ofMinutes(6);
  static final String PROJECT = GcpStub.PROJECT;
  private static final String REGION = "europe-west1";
  private static final String API = "https://sqladmin.googleapis.com/v1/projects/" + PROJECT;
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Clock clock;
  private final Map<String, Instance> instances = new ConcurrentHashMap<>();
  private final List<Operation> operations = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final int port;
  private ServerSocket firstListener;
  private int nextAddress = 10;
  private volatile String failClonesWith;

  CloudSqlFake(Clock clock) {
    this.clock = clock;
    // The port every clone listens on, each at its own loopback address.
    firstListener = TcpForwarder.bind("127.0.0." + nextAddress, 0);
    port = firstListener.getLocalPort();
  }

  /** The PostgreSQL port of every cloned instance (database.options.port). */
  int port() {
    return port;
  }

  /** One Cloud SQL instance and where its database really lives. */
  static final class Instance {
    final String name;
    final String dbName;
    final Instant createdAt;
    final boolean pitr;
    final Map<String, String> labels;
    final List<Capture> history = new ArrayList<>();
    volatile String state;
    volatile String ip;
    volatile String host;
    volatile int dbPort;
    CompletableFuture<EmbeddedPostgres> load;

    Instance(
        String name,
        String dbName,
        Instant createdAt,
        boolean pitr,
        Map<String, String> labels,
        String state) {
      this.name = name;
      this.dbName = dbName;
      this.createdAt = createdAt;
      this.pitr = pitr;
      this.labels = new LinkedHashMap<>(labels);
      this.state = state;
    }
  }

  record Capture(Instant at, String database) {}

  /** One operation; its status follows the clock and the load of its instance. */
  static final class Operation {
    final String name = UUID.randomUUID().toString();
    final String type;
    final Instance target;
    final Instant insertedAt;
    final Instant endsAt;
    volatile String status = "PENDING";
    volatile String errorMessage;

    Operation(String type, Instance target, Instant insertedAt, Instant endsAt) {
      this.type = type;
      this.target = target;
      this.insertedAt = insertedAt;
      this.endsAt = endsAt;
    }
  }

  /** A response: HTTP status and JSON body. */
  record Response(int status, String body) {}

  /**
   * Registers a RUNNABLE source instance with point-in-time recovery on, whose database {@code
   * dbName} lives on host:port.
   */
  Instance addInstance(String name, String host, int dbPort, String dbName) {
    Instance i =
        new Instance(name, dbName, clock.instant(), true, Map.of("team", "payments"), "RUNNABLE");
    i.host = host;
    i.dbPort = dbPort;
    i.ip = "127.0.0.1";
    instances.put(name, i);
    return i;
  }

  /** Records the instance's state now as its state at {@code at} (its point-in-time history). */
  void capture(String name, Instant at) {
    Instance i = instances.get(name);
    String copy = i.dbName + "_h" + i.history.size();
    sql(i.host, i.dbPort, "postgres", "create database " + copy + " template " + i.dbName);
    i.history.add(new Capture(at, copy));
  }

  /**
   * Makes the following clones fail as Cloud SQL reports it: the operation ends {@code DONE} with
   * {@code error}, the instance {@code FAILED}.
   */
  void failClones(String message) {
    failClonesWith = message;
  }

  Optional<Instance> instance(String name) {
    return Optional.ofNullable(instances.get(name));
  }

  // ---- the API ----

  /** Handles {@code method} on {@code path} (below /v1/projects/acme-prod-1/). */
  synchronized Response handle(String method, String path, Map<String, String> query, String body) {
    String[] p = path.split("/");
    if (p.length >= 2 && p[0].equals("instances")) {
      Instance i = instances.get(p[1]);
      if (i == null) {
        return error(
            404, "instanceDoesNotExist", "The Cloud SQL instance does not exist.", "NOT_FOUND");
      }
      if (p.length == 2 && method.equals("GET")) {
        settle(i);
        return ok(instanceJson(i));
      }
      if (p.length == 3 && p[2].equals("getLatestRecoveryTime") && method.equals("GET")) {
        return latestRecoveryTime(i);
      }
      if (p.length == 3 && p[2].equals("clone") && method.equals("POST")) {
        return cloneInstance(i, body);
      }
      if (p.length == 3 && p[2].equals("backupRuns") && method.equals("GET")) {
        // No backup runs: this fake offers point-in-time restores only.
        return ok(JSON.createObjectNode().put("kind", "sql#backupRunsList"));
      }
    }
    if (p.length == 1 && p[0].equals("operations") && method.equals("GET")) {
      return listOperations(query.get("instance"));
    }
    if (p.length == 2 && p[0].equals("operations") && method.equals("GET")) {
      return operations.stream()
          .filter(o -> o.name.equals(p[1]))
          .findFirst()
          .map(o -> ok(operationJson(o)))
          .orElseGet(
              () ->
                  error(
                      404, "operationDoesNotExist", "The operation does not exist.", "NOT_FOUND"));
    }
    return error(
        400,
        "invalid",
        "the Cloud SQL fake does not answer " + method + " " + path,
        "INVALID_ARGUMENT");
  }

  private Response latestRecoveryTime(Instance i) {
    if (!i.pitr || i.history.isEmpty()) {
      return error(
          400,
          "invalid",
          "Point-in-time recovery is not enabled for the instance.",
          "FAILED_PRECONDITION");
    }
    ObjectNode out = JSON.createObjectNode();
    out.put("kind", "sql#getLatestRecoveryTime");
    out.put("latestRecoveryTime", TIME.format(latest(i)));
    out.put("earliestRecoveryTime", TIME.format(i.history.get(0).at()));
    return ok(out);
  }

  private Response cloneInstance(Instance source, String body) {
    JsonNode context;
    try {
      context = JSON.readTree(body).path("cloneContext");
    } catch (IOException e) {
      return error(400, "parseError", "Invalid JSON payload received.", "INVALID_ARGUMENT");
    }
    String destination = context.path("destinationInstanceName").asText("");
    if (destination.isEmpty()) {
      return error(400, "required", "Destination instance name is required.", "INVALID_ARGUMENT");
    }
    if (instances.containsKey(destination)) {
      return error(
          409, "instanceAlreadyExists", "The Cloud SQL instance already exists.", "ALREADY_EXISTS");
    }
    Instant at;
    try {
      at =
          context.hasNonNull("pointInTime")
              ? Instant.parse(context.get("pointInTime").asText())
              : latest(source);
    } catch (DateTimeParseException e) {
      return error(400, "invalid", "Invalid value for pointInTime.", "INVALID_ARGUMENT");
    }
    Optional<Capture> capture =
        source.history.stream().filter(c -> !c.at().isAfter(at)).reduce((a, b) -> b);
    if (!source.pitr || capture.isEmpty() || at.isAfter(latest(source))) {
      return error(
          400,
          "invalid",
          "The requested point in time is outside the recovery window of the source instance.",
          "INVALID_ARGUMENT");
    }
    Instance target =
        new Instance(
            destination, source.dbName, clock.instant(), false, source.labels, "PENDING_CREATE");
    target.ip = "127.0.0." + nextAddress++;
    Capture from = capture.get();
    String failure = failClonesWith;
    target.load =
        failure == null
            ? CompletableFuture.supplyAsync(() -> load(source, from, target.dbName))
            : CompletableFuture.failedFuture(new IllegalStateException(failure));
    instances.put(destination, target);
    Operation op =
        new Operation("CLONE", target, clock.instant(), clock.instant().plus(CLONE_TAKES));
    operations.add(op);
    return ok(operationJson(op));
  }

  private Response listOperations(String instance) {
    ObjectNode out = JSON.createObjectNode();
    out.put("kind", "sql#operationsList");
    ArrayNode items = JSON.createArrayNode();
    operations.stream()
        .filter(o -> o.target.name.equals(instance))
        .sorted(Comparator.comparing((Operation o) -> o.insertedAt).reversed())
        .forEach(o -> items.add(operationJson(o)));
    if (!items.isEmpty()) {
      out.set("items", items);
    }
    return ok(out);
  }

  /** Moves the operations of a PENDING_CREATE instance along the clock; done once loaded. */
  private void settle(Instance i) {
    for (Operation o : operations) {
      if (o.target == i) {
        settle(o);
      }
    }
  }

  private void settle(Operation o) {
    if (o.status.equals("DONE")) {
      return;
    }
    Instant now = clock.instant();
    if (now.isBefore(o.insertedAt.plus(PENDING_FOR))) {
      return;
    }
    o.status = "RUNNING";
    if (now.isBefore(o.endsAt)) {
      return;
    }
    Instance i = o.target;
    try {
      EmbeddedPostgres server = i.load.get(30, TimeUnit.SECONDS);
      ServerSocket listener;
      if (firstListener != null && i.ip.equals(firstListener.getInetAddress().getHostAddress())) {
        listener = firstListener;
        firstListener = null;
      } else {
        listener = TcpForwarder.bind(i.ip, port);
      }
      TcpForwarder forwarder = new TcpForwarder(listener, server.getPort());
      synchronized (resources) {
        resources.add(forwarder);
      }
      i.host = "localhost";
      i.dbPort = server.getPort();
      i.state = "RUNNABLE";
    } catch (TimeoutException e) {
      return; // still loading: Cloud SQL keeps saying RUNNING
    } catch (Exception e) {
      i.state = "FAILED";
      o.errorMessage = (e.getCause() == null ? e : e.getCause()).getMessage();
    }
    o.status = "DONE";
  }

  private EmbeddedPostgres load(Instance source, Capture capture, String dbName) {
    try {
      EmbeddedPostgres server = EmbeddedPostgres.builder().start();
      synchronized (resources) {
        resources.add(server);
      }
      sql("localhost", server.getPort(), "postgres", "create database " + dbName);
      Path dump = Files.createTempFile("cloudsql-fake-", ".dump");
      try {
        exec(
            "pg_dump",
            "-w",
            "-Fc",
            "-h",
            source.host,
            "-p",
            String.valueOf(source.dbPort),
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

  private static Instant latest(Instance i) {
    return i.history.isEmpty() ? i.createdAt : i.history.get(i.history.size() - 1).at();
  }

  // ---- JSON as Cloud SQL writes it ----

  private ObjectNode instanceJson(Instance i) {
    ObjectNode out = JSON.createObjectNode();
    out.put("kind", "sql#instance");
    out.put("state", i.state);
    out.put("databaseVersion", "POSTGRES_16");
    ObjectNode settings = out.putObject("settings");
    settings.put("tier", "db-custom-2-7680");
    settings.put("kind", "sql#settings");
    settings.put("availabilityType", "REGIONAL");
    settings.put("pricingPlan", "PER_USE");
    settings.put("activationPolicy", "ALWAYS");
    ObjectNode ip = settings.putObject("ipConfiguration");
    ip.put("ipv4Enabled", true);
    ip.putArray("authorizedNetworks");
    ObjectNode location = settings.putObject("locationPreference");
    location.put("zone", REGION + "-b");
    location.put("kind", "sql#locationPreference");
    settings.put("dataDiskType", "PD_SSD");
    ObjectNode backups = settings.putObject("backupConfiguration");
    backups.put("startTime", "03:00");
    backups.put("kind", "sql#backupConfiguration");
    ObjectNode retention = backups.putObject("backupRetentionSettings");
    retention.put("retentionUnit", "COUNT");
    retention.put("retainedBackups", 7);
    // A clone does not inherit point-in-time recovery.
    backups.put("enabled", i.pitr);
    backups.put("transactionLogRetentionDays", 7);
    backups.put("pointInTimeRecoveryEnabled", i.pitr);
    settings.put("settingsVersion", "1");
    settings.put("dataDiskSizeGb", "100");
    settings.put("edition", "ENTERPRISE");
    ObjectNode labels = settings.putObject("userLabels");
    i.labels.forEach(labels::put);
    out.put("etag", Integer.toHexString((i.name + i.state).hashCode()));
    if (i.state.equals("RUNNABLE")) {
      ArrayNode ips = out.putArray("ipAddresses");
      ips.addObject().put("type", "PRIMARY").put("ipAddress", i.ip);
      ips.addObject().put("type", "OUTGOING").put("ipAddress", "34.77.10.99");
    }
    out.put("instanceType", "CLOUD_SQL_INSTANCE");
    out.put("project", PROJECT);
    out.put("backendType", "SECOND_GEN");
    out.put("selfLink", API + "/instances/" + i.name);
    out.put("connectionName", PROJECT + ":" + REGION + ":" + i.name);
    out.put("name", i.name);
    out.put("region", REGION);
    out.put("gceZone", REGION + "-b");
    out.put("createTime", TIME.format(i.createdAt));
    return out;
  }

  private ObjectNode operationJson(Operation o) {
    settle(o);
    ObjectNode out = JSON.createObjectNode();
    out.put("kind", "sql#operation");
    out.put("targetLink", API + "/instances/" + o.target.name);
    out.put("status", o.status);
    out.put("user", "dbrecover@" + PROJECT + ".iam.gserviceaccount.com");
    out.put("insertTime", TIME.format(o.insertedAt));
    if (!o.status.equals("PENDING")) {
      out.put("startTime", TIME.format(o.insertedAt.plus(PENDING_FOR)));
    }
    if (o.status.equals("DONE")) {
      out.put("endTime", TIME.format(o.endsAt));
    }
    if (o.errorMessage != null) {
      ObjectNode error = out.putObject("error");
      error.put("kind", "sql#operationErrors");
      ObjectNode e = error.putArray("errors").addObject();
      e.put("kind", "sql#operationError");
      e.put("code", "INTERNAL_ERROR");
      e.put("message", o.errorMessage);
    }
    out.put("operationType", o.type);
    out.put("name", o.name);
    out.put("targetId", o.target.name);
    out.put("selfLink", API + "/operations/" + o.name);
    out.put("targetProject", PROJECT);
    return out;
  }

  private static Response ok(JsonNode body) {
    return new Response(200, body.toPrettyString());
  }

  static Response error(int code, String reason, String message, String status) {
    return new Response(code, GcpStub.error(code, reason, message, status));
  }

  // ---- PostgreSQL ----

  static void sql(String host, int port, String database, String statements) {
    String url = "jdbc:postgresql://" + host + ":" + port + "/" + database;
    try (Connection c = DriverManager.getConnection(url, "postgres", "");
        Statement st = c.createStatement()) {
      st.execute(statements);
    } catch (SQLException e) {
      throw new IllegalStateException("fake Cloud SQL SQL failed: " + e.getMessage(), e);
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
    List<AutoCloseable> all;
    synchronized (resources) {
      all = new ArrayList<>(resources);
      resources.clear();
    }
    // Forwarders were added after their servers: close in reverse.
    for (int n = all.size() - 1; n >= 0; n--) {
      try {
        all.get(n).close();
      } catch (Exception e) {
        // temp directories and sockets; the JVM exits soon
      }
    }
    if (firstListener != null) {
      try {
        firstListener.close();
      } catch (IOException e) {
        // not used
      }
    }
  }
}
