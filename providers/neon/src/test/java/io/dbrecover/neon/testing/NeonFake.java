package io.dbrecover.neon.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.Secret;
import io.dbrecover.engine.testing.TestPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stateful stand-in for the Neon API v2 whose branches hold real data: every branch is a database
 * on the shared embedded PostgreSQL server ({@link TestPostgres}), and its computes' connection
 * URIs point there. Registered as a WireMock extension behind {@link NeonApiStub}, so every request
 * and answer is still checked against Neon's OpenAPI document.
 *
 * <p>History: Neon can branch at any moment of its window; the fake can branch at the moments the
 * test {@link #capture captured} (the newest capture at or before the asked time, as a {@code
 * CREATE DATABASE ... TEMPLATE} of it). Neon's storage is copy-on-write; the fake's copies need the
 * source database idle, so a restore in place closes the sessions of the branch it replaces (Neon
 * restarts that branch's computes too).
 *
 * <p>Operations start {@code running}; each look at one (list or get) counts down {@link
 * #operationPolls}, and at zero it has finished, so callers must poll. {@link #failNext} makes the
 * next operation of an action end {@code failed}.
 *
 * <p>Each branch has one database ({@value #DATABASE}) whose physical name on the server is the
 * branch's own, so URIs differ by database name where Neon's differ by host.
 */
public final class NeonFake implements ResponseDefinitionTransformerV2 {
  public static final String NAME = "neon-fake";
  public static final String DATABASE = "neondb";
  public static final String ROLE = "postgres";

  /** The password the fake puts into connection URIs (the embedded server ignores it). */
  public static final String PASSWORD = "npg_FakeSecret42";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private final Clock clock;
  private final String projectId;
  private final long historyRetentionSeconds;
  private final Instant projectCreatedAt;
  private final Map<String, FakeBranch> branches = new LinkedHashMap<>();
  private final Map<String, FakeEndpoint> endpoints = new LinkedHashMap<>();
  private final List<FakeOperation> operations = new ArrayList<>();
  private final Map<String, FakeSnapshot> snapshots = new LinkedHashMap<>();
  private final List<String> failNext = new ArrayList<>();
  private int ids;

  /** Looks at an operation before it has finished: 2 means the first look sees it running. */
  public volatile int operationPolls = 2;

  public NeonFake(Clock clock, String projectId, long historyRetentionSeconds) {
    this.clock = clock;
    this.projectId = projectId;
    this.historyRetentionSeconds = historyRetentionSeconds;
    this.projectCreatedAt = clock.instant().minusSeconds(30 * 86400);
  }

  @Override
  public String getName() {
    return NAME;
  }

  @Override
  public boolean applyGlobally() {
    return false;
  }

  // --- what tests set up and look at ---------------------------------------------------------

  /**
   * A ready branch with a read-write compute and an empty database, created now; returns its id.
   */
  public synchronized String addBranch(String name, boolean isDefault) {
    FakeBranch b = new FakeBranch(id("br"), name, null, newDatabase(null), clock.instant());
    b.isDefault = isDefault;
    branches.put(b.id, b);
    addEndpoint(b.id);
    capture(b.id);
    return b.id;
  }

  /** The URL of a branch's database (its read-write compute), by branch id or name. */
  public synchronized DbUrl url(String branch) {
    return url(find(branch).orElseThrow());
  }

  /** Records the branch's data as its state now, so a branch at a later time can start from it. */
  public synchronized void capture(String branch) {
    FakeBranch b = find(branch).orElseThrow();
    b.history.add(new Capture(clock.instant(), newDatabase(b.database)));
  }

  /** The branch with this id or name, if it exists. */
  public synchronized Optional<String> branchId(String idOrName) {
    return find(idOrName).map(b -> b.id);
  }

  /** The names of the branches, in creation order. */
  public synchronized List<String> branchNames() {
    return branches.values().stream().map(b -> b.name).toList();
  }

  /** The next operation of {@code action} (e.g. {@code create_timeline}) ends {@code failed}. */
  public synchronized void failNext(String action) {
    failNext.add(action);
  }

  // --- the API -------------------------------------------------------------------------------

  @Override
  public synchronized ResponseDefinition transform(ServeEvent event) {
    LoggedRequest req = event.getRequest();
    String path = URI.create(req.getUrl()).getPath();
    String prefix = NeonApiStub.BASE + "/projects/" + projectId;
    if (!path.startsWith(prefix)) {
      return error(404, "project not found");
    }
    String[] p = path.substring(prefix.length()).split("/");
    String method = req.getMethod().getName();
    try {
      return route(method, p, req);
    } catch (FakeRefusal e) {
      return error(400, e.getMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private ResponseDefinition route(String method, String[] p, LoggedRequest req)
      throws IOException {
    // p[0] is "" (the path after the project starts with '/'), or the whole path is the project.
    int n = p.length;
    if (n <= 1 && method.equals("GET")) {
      return ok(200, obj().set("project", project()));
    }
    String top = p[1];
    if (top.equals("branches")) {
      if (n == 2) {
        return method.equals("GET") ? listBranches(req) : createBranch(body(req));
      }
      Optional<FakeBranch> b = Optional.ofNullable(branches.get(p[2]));
      if (b.isEmpty()) {
        return error(404, "branch not found");
      }
      if (n == 3) {
        if (method.equals("GET")) {
          ObjectNode annotation = obj();
          annotation.set("object", obj().put("type", "console/branch").put("id", b.get().id));
          annotation.set("value", obj());
          return ok(
              200, obj().<ObjectNode>set("branch", branch(b.get())).set("annotation", annotation));
        }
        return deleteBranch(b.get());
      }
      switch (p[3]) {
        case "endpoints":
          ArrayNode eps = JSON.createArrayNode();
          endpoints.values().stream()
              .filter(e -> e.branchId.equals(b.get().id))
              .forEach(e -> eps.add(endpoint(e)));
          return ok(200, obj().set("endpoints", eps));
        case "restore":
          return restoreBranch(b.get(), body(req));
        case "snapshot":
          return createSnapshot(b.get(), req.queryParameter("name").firstValue());
        case "finalize_restore":
          return finalizeRestore(b.get(), body(req));
        default:
          return error(404, "no such call in the fake");
      }
    }
    if (top.equals("endpoints") && n == 3 && method.equals("DELETE")) {
      FakeEndpoint e = endpoints.remove(p[2]);
      if (e == null) {
        return error(404, "endpoint not found");
      }
      ObjectNode out = obj().set("endpoint", endpoint(e));
      out.set("operations", ops(List.of(operation(e.branchId, e.id, "suspend_compute"))));
      return ok(200, out);
    }
    if (top.equals("endpoints") && n == 2 && method.equals("POST")) {
      JsonNode body = body(req);
      String branchId = body.path("endpoint").path("branch_id").asText();
      if (!branches.containsKey(branchId)) {
        return error(404, "branch not found");
      }
      if (hasCompute(branchId)) {
        return error(400, "a branch can have only one read_write endpoint");
      }
      FakeEndpoint e = addEndpoint(branchId);
      ObjectNode out = obj().set("endpoint", endpoint(e));
      out.set("operations", ops(List.of(operation(branchId, e.id, "start_compute"))));
      return ok(201, out);
    }
    if (top.equals("connection_uri")) {
      FakeBranch b = branches.get(req.queryParameter("branch_id").firstValue());
      if (b == null || !DATABASE.equals(req.queryParameter("database_name").firstValue())) {
        return error(404, "database not found");
      }
      return ok(
          200,
          obj()
              .put(
                  "uri",
                  "postgresql://"
                      + req.queryParameter("role_name").firstValue()
                      + ":"
                      + PASSWORD
                      + "@localhost:"
                      + TestPostgres.server().getPort()
                      + "/"
                      + b.database));
    }
    if (top.equals("operations")) {
      if (n == 2) {
        operations.forEach(FakeOperation::seen);
        ArrayNode list = JSON.createArrayNode();
        for (int i = operations.size() - 1; i >= 0; i--) {
          list.add(operation(operations.get(i)));
        }
        ObjectNode out = obj().set("operations", list);
        out.set("pagination", obj().put("cursor", clock.instant().toString()));
        return ok(200, out);
      }
      Optional<FakeOperation> op = operations.stream().filter(o -> o.id.equals(p[2])).findFirst();
      if (op.isEmpty()) {
        return error(404, "operation not found");
      }
      op.get().seen();
      return ok(200, obj().set("operation", operation(op.get())));
    }
    if (top.equals("snapshots")) {
      if (n == 2) {
        ArrayNode list = JSON.createArrayNode();
        snapshots.values().forEach(s -> list.add(snapshot(s)));
        return ok(200, obj().set("snapshots", list));
      }
      FakeSnapshot s = snapshots.get(p[2]);
      if (s == null) {
        return error(404, "snapshot not found");
      }
      if (n == 3 && method.equals("DELETE")) {
        snapshots.remove(s.id);
        TestPostgres.sql(TestPostgres.url("postgres"), "drop database " + s.database);
        return ok(202, obj().set("operations", JSON.createArrayNode()));
      }
      return restoreSnapshot(s, body(req));
    }
    return error(404, "no such call in the fake");
  }

  private ResponseDefinition listBranches(LoggedRequest req) {
    String search =
        req.queryParameter("search").isPresent() ? req.queryParameter("search").firstValue() : "";
    ArrayNode list = JSON.createArrayNode();
    branches.values().stream()
        .filter(b -> b.name.contains(search) || b.id.contains(search))
        .forEach(b -> list.add(branch(b)));
    return ok(200, obj().<ObjectNode>set("branches", list).set("annotations", obj()));
  }

  private ResponseDefinition createBranch(JsonNode body) {
    JsonNode fields = body.path("branch");
    FakeBranch parent =
        fields.hasNonNull("parent_id")
            ? branches.get(fields.get("parent_id").asText())
            : branches.values().stream().filter(b -> b.isDefault).findFirst().orElse(null);
    if (parent == null) {
      return error(404, "parent branch not found");
    }
    String source;
    Instant at = null;
    if (fields.hasNonNull("parent_lsn")) {
      return error(400, "the fake branches at times only, not at an LSN");
    } else if (fields.hasNonNull("parent_timestamp")) {
      at = Instant.parse(fields.get("parent_timestamp").asText());
      Optional<Capture> state = parent.stateAt(at);
      if (state.isEmpty() || at.isBefore(clock.instant().minusSeconds(historyRetentionSeconds))) {
        return error(400, beforeWindow(at));
      }
      source = state.get().database;
    } else {
      source = parent.database;
    }
    FakeBranch b =
        new FakeBranch(
            id("br"),
            fields.path("name").asText(id("br")),
            parent.id,
            newDatabase(source),
            clock.instant());
    b.parentTimestamp = at;
    branches.put(b.id, b);
    List<FakeOperation> started = new ArrayList<>();
    started.add(operation(b.id, null, "create_timeline"));
    ArrayNode eps = JSON.createArrayNode();
    for (int i = 0; i < body.path("endpoints").size(); i++) {
      FakeEndpoint ep = addEndpoint(b.id);
      eps.add(endpoint(ep));
      started.add(operation(b.id, ep.id, "start_compute"));
    }
    ObjectNode out = obj().set("branch", branch(b));
    out.set("endpoints", eps);
    out.set("operations", ops(started));
    out.set("roles", JSON.createArrayNode());
    out.set("databases", JSON.createArrayNode());
    return ok(201, out);
  }

  private ResponseDefinition deleteBranch(FakeBranch b) {
    if (b.isDefault) {
      return error(400, "cannot delete the default branch");
    }
    if (branches.values().stream().anyMatch(c -> b.id.equals(c.parentId))) {
      return error(400, "branch has children; delete them first");
    }
    branches.remove(b.id);
    endpoints.values().removeIf(e -> e.branchId.equals(b.id));
    dropDatabase(b.database);
    b.history.forEach(c -> dropDatabase(c.database));
    ObjectNode out = obj().set("branch", branch(b));
    out.set("operations", ops(List.of(operation(b.id, null, "delete_timeline"))));
    return ok(200, out);
  }

  /**
   * Neon's branch restore: the branch takes the source's state (its head, or a time), keeping its
   * id, name and computes; with {@code preserve_under_name}, its previous state becomes a new
   * branch of that name.
   */
  private ResponseDefinition restoreBranch(FakeBranch target, JsonNode body) {
    FakeBranch source = branches.get(body.path("source_branch_id").asText());
    if (source == null) {
      return error(404, "source branch not found");
    }
    String from = source.database;
    if (body.hasNonNull("source_timestamp")) {
      Instant at = Instant.parse(body.get("source_timestamp").asText());
      Optional<Capture> state = source.stateAt(at);
      if (state.isEmpty() || at.isBefore(clock.instant().minusSeconds(historyRetentionSeconds))) {
        return error(400, beforeWindow(at));
      }
      from = state.get().database;
    }
    List<FakeOperation> started = new ArrayList<>();
    String keep = newDatabaseName();
    TestPostgres.sql(TestPostgres.url("postgres"), terminate(target.database));
    TestPostgres.sql(
        TestPostgres.url("postgres"), "alter database " + target.database + " rename to " + keep);
    copy(from, target.database);
    if (body.hasNonNull("preserve_under_name")) {
      FakeBranch preserved =
          new FakeBranch(
              id("br"), body.get("preserve_under_name").asText(), target.id, keep, clock.instant());
      preserved.history.addAll(target.history);
      target.history.clear();
      // Neon's document: the branch's children move to the preserved branch.
      branches.values().stream()
          .filter(c -> target.id.equals(c.parentId))
          .forEach(c -> c.parentId = preserved.id);
      branches.put(preserved.id, preserved);
      started.add(operation(preserved.id, null, "create_timeline"));
    } else {
      dropDatabase(keep);
    }
    target.history.add(new Capture(clock.instant(), newDatabase(target.database)));
    endpoints.values().stream()
        .filter(e -> e.branchId.equals(target.id))
        .forEach(e -> started.add(operation(target.id, e.id, "suspend_compute")));
    started.add(operation(target.id, null, "create_timeline"));
    ObjectNode out = obj().set("branch", branch(target));
    out.set("operations", ops(started));
    return ok(200, out);
  }

  private ResponseDefinition createSnapshot(FakeBranch b, String name) {
    FakeSnapshot s =
        new FakeSnapshot(id("snap"), name, b.id, clock.instant(), newDatabase(b.database));
    snapshots.put(s.id, s);
    ObjectNode out = obj().set("snapshot", snapshot(s));
    out.set("operations", ops(List.of(operation(b.id, null, "create_branch"))));
    return ok(200, out);
  }

  private ResponseDefinition restoreSnapshot(FakeSnapshot s, JsonNode body) {
    String targetId = body.path("target_branch_id").asText(s.sourceBranchId);
    FakeBranch target = branches.get(targetId);
    if (target == null) {
      return error(404, "target branch not found");
    }
    FakeBranch b =
        new FakeBranch(
            id("br"),
            body.path("name").asText(id("br")),
            target.id,
            newDatabase(s.database),
            clock.instant());
    b.restoredFrom = s.id;
    b.restoreTarget = target.id;
    branches.put(b.id, b);
    List<FakeOperation> started = new ArrayList<>();
    started.add(operation(b.id, null, "create_timeline"));
    if (body.path("finalize_restore").asBoolean(false)) {
      started.addAll(finalize(b, target, null));
    }
    ObjectNode out = obj().set("branch", branch(b));
    out.set("operations", ops(started));
    return ok(200, out);
  }

  private ResponseDefinition finalizeRestore(FakeBranch restored, JsonNode body) {
    FakeBranch original =
        restored.restoreTarget == null ? null : branches.get(restored.restoreTarget);
    if (original == null) {
      return error(400, "branch " + restored.id + " was not restored from a snapshot");
    }
    List<FakeOperation> started = finalize(restored, original, body.path("name").asText(null));
    return ok(200, obj().set("operations", ops(started)));
  }

  /**
   * The restored branch takes the original's computes (so its connection string: here, the database
   * name) and name; the original is renamed.
   */
  private List<FakeOperation> finalize(FakeBranch restored, FakeBranch original, String name) {
    if (hasCompute(restored.id) && hasCompute(original.id)) {
      throw new FakeRefusal("a branch can have only one read_write endpoint");
    }
    String originalDb = original.database;
    String keep = newDatabaseName();
    TestPostgres.sql(TestPostgres.url("postgres"), terminate(originalDb));
    TestPostgres.sql(TestPostgres.url("postgres"), terminate(restored.database));
    TestPostgres.sql(
        TestPostgres.url("postgres"), "alter database " + originalDb + " rename to " + keep);
    TestPostgres.sql(
        TestPostgres.url("postgres"),
        "alter database " + restored.database + " rename to " + originalDb);
    original.database = keep;
    restored.database = originalDb;
    String originalName = original.name;
    original.name = name != null ? name : originalName + "_old_" + clock.instant().getEpochSecond();
    restored.name = originalName;
    restored.isDefault = original.isDefault;
    original.isDefault = false;
    restored.restoreTarget = null;
    List<FakeOperation> started = new ArrayList<>();
    for (FakeEndpoint e : endpoints.values()) {
      if (e.branchId.equals(original.id)) {
        e.branchId = restored.id;
        started.add(operation(restored.id, e.id, "start_compute"));
      } else if (e.branchId.equals(restored.id)) {
        e.branchId = original.id;
      }
    }
    return started;
  }

  /** Neon's text for a time before the window (Go duration syntax for the window). */
  private String beforeWindow(Instant at) {
    return "timestamp is before retention window; timestamp:\""
        + at
        + "\", retention_window:\""
        + (historyRetentionSeconds / 3600)
        + "h0m0s\"";
  }

  // --- JSON in Neon's shapes -----------------------------------------------------------------

  private ObjectNode project() {
    ObjectNode p = obj();
    p.put("id", projectId);
    p.put("platform_id", "aws");
    p.put("region_id", "aws-us-east-2");
    p.put("name", "shop");
    p.put("provisioner", "k8s-neonvm");
    p.put("pg_version", 16);
    p.put("history_retention_seconds", historyRetentionSeconds);
    p.put("created_at", projectCreatedAt.toString());
    p.put("updated_at", projectCreatedAt.toString());
    p.put("proxy_host", "us-east-2.aws.neon.tech");
    p.put("branch_logical_size_limit", 0);
    p.put("branch_logical_size_limit_bytes", 10500);
    p.put("cpu_used_sec", 10);
    p.put("owner_id", "1232111");
    p.put("creation_source", "console");
    p.put("store_passwords", true);
    p.put("data_storage_bytes_hour", 1040);
    p.put("data_transfer_bytes", 1000000);
    p.put("written_data_bytes", 100800);
    p.put("compute_time_seconds", 100);
    p.put("active_time_seconds", 100);
    p.put("consumption_period_start", projectCreatedAt.toString());
    p.put("consumption_period_end", clock.instant().plusSeconds(86400).toString());
    return p;
  }

  private ObjectNode branch(FakeBranch b) {
    ObjectNode n = obj();
    n.put("id", b.id);
    n.put("project_id", projectId);
    if (b.parentId != null) {
      n.put("parent_id", b.parentId);
    }
    if (b.parentTimestamp != null) {
      n.put("parent_timestamp", b.parentTimestamp.toString());
    }
    n.put("name", b.name);
    n.put("current_state", busy(b.id) ? "init" : "ready");
    n.put("state_changed_at", b.createdAt.toString());
    n.put("creation_source", "console");
    n.put("created_at", b.createdAt.toString());
    n.put("updated_at", b.createdAt.toString());
    n.put("default", b.isDefault);
    n.put("protected", false);
    n.put("cpu_used_sec", 10);
    n.put("active_time_seconds", 100);
    n.put("compute_time_seconds", 100);
    n.put("written_data_bytes", 100800);
    n.put("data_transfer_bytes", 1000000);
    if (b.restoredFrom != null) {
      n.put("restore_status", b.restoreTarget != null ? "restored" : "finalized");
      n.put("restored_from", b.restoredFrom);
    }
    return n;
  }

  private ObjectNode endpoint(FakeEndpoint e) {
    ObjectNode n = obj();
    n.put("host", e.id + ".us-east-2.aws.neon.tech");
    n.put("id", e.id);
    n.put("project_id", projectId);
    n.put("branch_id", e.branchId);
    n.put("autoscaling_limit_min_cu", 0.25);
    n.put("autoscaling_limit_max_cu", 1);
    n.put("region_id", "aws-us-east-2");
    n.put("type", "read_write");
    n.put("current_state", busy(e.branchId) ? "init" : "active");
    n.set("settings", obj().set("pg_settings", obj()));
    n.put("pooler_enabled", false);
    n.put("pooler_mode", "transaction");
    n.put("disabled", false);
    n.put("passwordless_access", true);
    n.put("created_at", e.createdAt.toString());
    n.put("updated_at", e.createdAt.toString());
    n.put("proxy_host", "us-east-2.aws.neon.tech");
    n.put("creation_source", "console");
    n.put("provisioner", "k8s-neonvm");
    n.put("suspend_timeout_seconds", 0);
    return n;
  }

  private ObjectNode operation(FakeOperation o) {
    ObjectNode n = obj();
    n.put("id", o.id);
    n.put("project_id", projectId);
    n.put("branch_id", o.branchId);
    if (o.endpointId != null) {
      n.put("endpoint_id", o.endpointId);
    }
    n.put("action", o.action);
    n.put("status", o.status());
    if (o.failed && o.pollsLeft <= 0) {
      n.put("error", "the fake failed this " + o.action + " as the test asked");
    }
    n.put("failures_count", o.failed && o.pollsLeft <= 0 ? 1 : 0);
    n.put("created_at", o.createdAt.toString());
    n.put("updated_at", o.createdAt.toString());
    n.put("total_duration_ms", 100);
    return n;
  }

  private ObjectNode snapshot(FakeSnapshot s) {
    ObjectNode n = obj();
    n.put("id", s.id);
    if (s.name != null) {
      n.put("name", s.name);
    }
    n.put("timestamp", s.takenAt.toString());
    n.put("source_branch_id", s.sourceBranchId);
    n.put("created_at", s.takenAt.toString());
    n.put("manual", true);
    return n;
  }

  private ArrayNode ops(List<FakeOperation> list) {
    ArrayNode a = JSON.createArrayNode();
    list.forEach(o -> a.add(operation(o)));
    return a;
  }

  // --- state helpers -------------------------------------------------------------------------

  private FakeOperation operation(String branchId, String endpointId, String action) {
    FakeOperation o =
        new FakeOperation(
            java.util.UUID.randomUUID().toString(),
            branchId,
            endpointId,
            action,
            clock.instant(),
            operationPolls,
            failNext.remove(action));
    operations.add(o);
    return o;
  }

  private boolean hasCompute(String branchId) {
    return endpoints.values().stream().anyMatch(e -> e.branchId.equals(branchId));
  }

  /** Neon refuses the call (400), before changing anything. */
  private static final class FakeRefusal extends RuntimeException {
    FakeRefusal(String message) {
      super(message);
    }
  }

  private boolean busy(String branchId) {
    return operations.stream()
        .anyMatch(o -> o.branchId.equals(branchId) && o.pollsLeft > 0 && !o.failed);
  }

  private FakeEndpoint addEndpoint(String branchId) {
    FakeEndpoint e = new FakeEndpoint(id("ep"), branchId, clock.instant());
    endpoints.put(e.id, e);
    return e;
  }

  private Optional<FakeBranch> find(String idOrName) {
    return branches.values().stream()
        .filter(b -> b.id.equals(idOrName) || b.name.equals(idOrName))
        .findFirst();
  }

  private String id(String prefix) {
    return prefix + "-fake-" + (++ids) + "-" + Long.toString(System.nanoTime() % 100000, 36);
  }

  private static String newDatabaseName() {
    return "neonfake_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
  }

  /** A new database, empty or copied from {@code template}; returns its name. */
  private static String newDatabase(String template) {
    String name = newDatabaseName();
    if (template == null) {
      TestPostgres.sql(TestPostgres.url("postgres"), "create database " + name);
    } else {
      copy(template, name);
    }
    return name;
  }

  private static void copy(String template, String name) {
    TestPostgres.sql(TestPostgres.url("postgres"), terminate(template));
    TestPostgres.sql(
        TestPostgres.url("postgres"), "create database " + name + " template " + template);
  }

  private static void dropDatabase(String name) {
    TestPostgres.sql(TestPostgres.url("postgres"), terminate(name));
    TestPostgres.sql(TestPostgres.url("postgres"), "drop database if exists " + name);
  }

  private static String terminate(String database) {
    return "select pg_terminate_backend(pid) from pg_stat_activity where datname = '"
        + database
        + "' and pid <> pg_backend_pid()";
  }

  private static DbUrl url(FakeBranch b) {
    return DbUrl.of(
        "localhost", TestPostgres.server().getPort(), b.database, ROLE, Secret.of(PASSWORD));
  }

  private static ObjectNode obj() {
    return JSON.createObjectNode();
  }

  private static JsonNode body(LoggedRequest req) throws IOException {
    String text = req.getBodyAsString();
    return text == null || text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
  }

  private static ResponseDefinition ok(int status, JsonNode body) {
    return ResponseDefinitionBuilder.responseDefinition()
        .withStatus(status)
        .withHeader("Content-Type", "application/json")
        .withBody(body.toString())
        .build();
  }

  private static ResponseDefinition error(int status, String message) {
    return ok(status, obj().put("code", "").put("message", message).put("request_id", "req-fake"));
  }

  private static final class FakeBranch {
    final String id;
    final Instant createdAt;
    String parentId;
    final List<Capture> history = new ArrayList<>();
    String name;
    String database;
    boolean isDefault;
    Instant parentTimestamp;
    String restoredFrom;
    String restoreTarget;

    FakeBranch(String id, String name, String parentId, String database, Instant createdAt) {
      this.id = id;
      this.name = name;
      this.parentId = parentId;
      this.database = database;
      this.createdAt = createdAt;
    }

    Optional<Capture> stateAt(Instant at) {
      Capture found = null;
      for (Capture c : history) {
        if (!c.at.isAfter(at)) {
          found = c;
        }
      }
      return Optional.ofNullable(found);
    }
  }

  private static final class FakeEndpoint {
    final String id;
    final Instant createdAt;
    String branchId;

    FakeEndpoint(String id, String branchId, Instant createdAt) {
      this.id = id;
      this.branchId = branchId;
      this.createdAt = createdAt;
    }
  }

  private static final class FakeOperation {
    final String id;
    final String branchId;
    final String endpointId;
    final String action;
    final Instant createdAt;
    final boolean failed;
    int pollsLeft;

    FakeOperation(
        String id,
        String branchId,
        String endpointId,
        String action,
        Instant createdAt,
        int pollsLeft,
        boolean failed) {
      this.id = id;
      this.branchId = branchId;
      this.endpointId = endpointId;
      this.action = action;
      this.createdAt = createdAt;
      this.pollsLeft = pollsLeft;
      this.failed = failed;
    }

    void seen() {
      pollsLeft--;
    }

    String status() {
      return pollsLeft > 0 ? "running" : failed ? "failed" : "finished";
    }
  }

  private record Capture(Instant at, String database) {}

  private record FakeSnapshot(
      String id, String name, String sourceBranchId, Instant takenAt, String database) {}
}
