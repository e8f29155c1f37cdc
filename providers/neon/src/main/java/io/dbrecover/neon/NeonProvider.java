package io.dbrecover.neon;

import io.dbrecover.engine.api.BackupCheck;
import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.Method;
import io.dbrecover.engine.api.RecoveryPoint;
import io.dbrecover.engine.api.RestoreWindow;
import io.dbrecover.engine.spi.BackupRequest;
import io.dbrecover.engine.spi.Capabilities;
import io.dbrecover.engine.spi.Provider;
import io.dbrecover.engine.spi.ProviderContext;
import io.dbrecover.engine.spi.RestoreRequest;
import io.dbrecover.engine.spi.RestoreStatus;
import io.dbrecover.neon.internal.NeonClient;
import io.dbrecover.neon.internal.NeonHttp;
import io.dbrecover.neon.internal.NeonModel.Branch;
import io.dbrecover.neon.internal.NeonModel.BranchCreate;
import io.dbrecover.neon.internal.NeonModel.BranchRestore;
import io.dbrecover.neon.internal.NeonModel.Endpoint;
import io.dbrecover.neon.internal.NeonModel.Operation;
import io.dbrecover.neon.internal.NeonModel.OperationState;
import io.dbrecover.neon.internal.NeonModel.Project;
import io.dbrecover.neon.internal.NeonModel.Snapshot;
import io.dbrecover.neon.internal.NeonModel.SnapshotOperations;
import io.dbrecover.neon.internal.RetryPolicy;
import io.dbrecover.neon.internal.Sleeper;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.function.Function;

/**
 * The {@code neon} provider: recovers a Neon branch by branching it at a moment of its history.
 *
 * <p>Side by side (the default): a new branch named after the run ({@link
 * RestoreRequest#targetName()}) is created from the live branch at the target time or LSN, with a
 * read-write compute; the restore is done when Neon's operations on it have finished and it is
 * ready, and its URL is the connection URI of the configured database and role on it. The live
 * branch is not touched. A retried start finds the branch by its name and creates nothing twice.
 *
 * <p>In place: the same branch is made and verified first; {@link #replaceOriginal} then restores
 * the live branch from it (or finalizes a snapshot's preview), keeping the live branch's previous
 * state as the branch {@code <live>_before_<run-id>}, which is the run's safety copy ({@link
 * #originalKeptByReplace}) and what {@link #putBackKeptOriginal} restores on swap-back.
 *
 * <p>Times outside the history window ({@code history_retention_seconds} back from now, not before
 * the live branch was created) are refused with {@link ErrorCode#NO_RECOVERY_POINT} before any call
 * that changes something.
 */
public final class NeonProvider implements Provider {
  public static final String NAME = "neon";
  private static final Duration POLL = Duration.ofSeconds(3);
  private static final Duration MAX_POLL = Duration.ofSeconds(30);
  private static final int OPERATIONS_PAGE = 100;
  private static final Duration REPLACE_TIMEOUT = Duration.ofMinutes(10);
  private static final String BRANCH_ID_PREFIX = "br-";

  /** Between the live branch's name and the run id in the name of a preserved branch. */
  private static final String PRESERVED = "_before_";

  private final Map<String, String> env;
  private final Function<NeonSettings, NeonClient> clients;
  private final Sleeper sleeper;
  private final DoubleSupplier random;
  private final Map<NeonSettings, NeonClient> cache = new ConcurrentHashMap<>();

  /** The provider as the CLI builds it: real HTTP, real sleeping, random jitter. */
  public NeonProvider(Map<String, String> env) {
    this(env, defaultClients(), Sleeper.SYSTEM, () -> ThreadLocalRandom.current().nextDouble());
  }

  /**
   * A provider whose clients the caller builds (tests: a client pointed at a stub server), with no
   * jitter.
   */
  NeonProvider(
      Map<String, String> env, Function<NeonSettings, NeonClient> clients, Sleeper sleeper) {
    this(env, clients, sleeper, () -> 0.5);
  }

  NeonProvider(
      Map<String, String> env,
      Function<NeonSettings, NeonClient> clients,
      Sleeper sleeper,
      DoubleSupplier random) {
    this.env = Map.copyOf(env);
    this.clients = clients;
    this.sleeper = sleeper;
    this.random = random;
  }

  /**
   * How long to wait before looking at Neon's operations again, after {@code waited} so far: 3 s
   * for the first half minute, then a tenth of the time waited, at most 30 s; {@code random} in [0,
   * 1) spreads it by ±20 % so that runs started together do not poll in step.
   */
  static Duration pollInterval(Duration waited, double random) {
    long base = Math.max(POLL.toMillis(), Math.min(MAX_POLL.toMillis(), waited.toMillis() / 10));
    return Duration.ofMillis(Math.round(base * (0.8 + 0.4 * random)));
  }

  private Instant nextPoll(ProviderContext ctx, Instant since) {
    Instant now = ctx.clock().instant();
    Duration waited =
        since == null || since.isAfter(now) ? Duration.ZERO : Duration.between(since, now);
    return now.plus(pollInterval(waited, random.getAsDouble()));
  }

  private static Function<NeonSettings, NeonClient> defaultClients() {
    // Built on first use: every CLI start creates the providers, most never call Neon.
    java.util.function.Supplier<HttpClient> http =
        new java.util.function.Supplier<>() {
          private HttpClient client;

          @Override
          public synchronized HttpClient get() {
            if (client == null) {
              client = NeonHttp.Timeouts.DEFAULT.newClient();
            }
            return client;
          }
        };
    return s ->
        new NeonClient(
            new NeonHttp(
                http.get(),
                s.apiUrl(),
                s.apiKey(),
                NeonHttp.Timeouts.DEFAULT,
                RetryPolicy.DEFAULT,
                Sleeper.SYSTEM,
                Clock.systemUTC(),
                () -> ThreadLocalRandom.current().nextDouble()));
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public DbUrl configuredUrl(EnvironmentConfig environment, Path stateDir) {
    EnvironmentConfig.Database db = environment.database();
    if (db.url() != null && !db.url().isBlank()) {
      return DbUrl.parse(db.url());
    }
    NeonSettings s = settings(environment);
    if (s.database() == null || s.role() == null) {
      throw new ConfigurationException(
          "environment '"
              + environment.name()
              + "': set database.url, or database.options.database and database.options.role so"
              + " dbrecover can ask Neon for the connection URI");
    }
    NeonClient client = client(s);
    Branch live = liveBranch(client, s);
    return DbUrl.parse(
        client.connectionUri(s.projectId(), live.id(), s.database(), s.role()).reveal());
  }

  @Override
  public Capabilities capabilities(ProviderContext ctx) {
    NeonSettings s = settings(ctx.environment());
    NeonClient client = client(s);
    Project project = client.getProject(s.projectId());
    Branch live = liveBranch(client, s);
    Optional<RestoreWindow> window = window(project, live, ctx.clock().instant());
    if (window.isEmpty()) {
      return new Capabilities(
          Set.of(Method.SNAPSHOT_RESTORE),
          null,
          Set.of(
              "Neon project "
                  + s.projectId()
                  + " keeps no history (history_retention_seconds is 0): raise the restore window"
                  + " in the project settings"));
    }
    return new Capabilities(
        Set.of(Method.BRANCH_RESTORE, Method.POINT_IN_TIME, Method.SNAPSHOT_RESTORE),
        window.get(),
        Set.of(
            "Neon keeps "
                + Duration.ofSeconds(project.historyRetentionSeconds())
                + " of history for branch "
                + live.name()
                + " ("
                + live.id()
                + ")"));
  }

  /**
   * The moments Neon can branch {@code live} at: from {@code history_retention_seconds} ago (not
   * before the branch existed) to now; empty when the project keeps no history.
   */
  static Optional<RestoreWindow> window(Project project, Branch live, Instant now) {
    if (project.historyRetentionSeconds() <= 0) {
      return Optional.empty();
    }
    Instant earliest = now.minusSeconds(project.historyRetentionSeconds());
    if (live.createdAt() != null && live.createdAt().isAfter(earliest)) {
      earliest = live.createdAt();
    }
    return Optional.of(new RestoreWindow(earliest.isAfter(now) ? now : earliest, now));
  }

  /**
   * The project's Neon snapshots of the live branch and the branches in-place recoveries preserved
   * the live branch's earlier states under ({@code <live>_before_<run-id>}, safety copies), newest
   * first.
   */
  @Override
  public List<RecoveryPoint> recoveryPoints(ProviderContext ctx) {
    NeonSettings s = settings(ctx.environment());
    NeonClient client = client(s);
    Branch live = liveBranch(client, s);
    List<RecoveryPoint> points = new ArrayList<>();
    client.listSnapshots(s.projectId()).stream()
        .filter(snap -> snap.sourceBranchId() == null || live.id().equals(snap.sourceBranchId()))
        .map(NeonProvider::point)
        .forEach(points::add);
    String prefix = live.name() + PRESERVED;
    client.listBranches(s.projectId(), prefix).stream()
        .filter(b -> b.name().startsWith(prefix) && b.createdAt() != null)
        .map(b -> preservedPoint(b, b.name().substring(prefix.length())))
        .forEach(points::add);
    points.sort(Comparator.comparing(RecoveryPoint::takenAt).reversed());
    return List.copyOf(points);
  }

  /**
   * A branch that holds the live branch's state from before an in-place recovery: a safety copy
   * labelled with the run id, restored like a snapshot (a new branch from its head).
   */
  private static RecoveryPoint preservedPoint(Branch b, String runId) {
    return new RecoveryPoint(
        b.id(),
        RecoveryPoint.Kind.SNAPSHOT,
        b.createdAt(),
        runId,
        true,
        0,
        null,
        null,
        null,
        "neon branch " + b.name() + " (state before in-place run " + runId + ")");
  }

  /**
   * Takes a Neon snapshot of the live branch now, named {@code dbrecover-<run-id or time>[-label]}
   * ({@code dbrecover-safety-…} for a run's safety copy), and waits for its operations. A retried
   * safety backup of the same run finds the first snapshot by its name.
   */
  @Override
  public RecoveryPoint backup(ProviderContext ctx, BackupRequest request) {
    NeonSettings s = settings(ctx.environment());
    NeonClient client = client(s);
    Branch live = liveBranch(client, s);
    String name = snapshotName(request, ctx.clock().instant());
    Optional<Snapshot> existing =
        request.runId() == null
            ? Optional.empty()
            : client.listSnapshots(s.projectId()).stream()
                .filter(snap -> name.equals(snap.name()))
                .findFirst();
    if (existing.isPresent()) {
      return point(existing.get());
    }
    ctx.progress().update("taking Neon snapshot " + name + " of branch " + live.name());
    SnapshotOperations taken = client.createSnapshot(s.projectId(), live.id(), name, null, null);
    awaitOperations(ctx, s, client, taken.operations(), "snapshot " + name);
    return point(taken.snapshot());
  }

  static String snapshotName(BackupRequest request, Instant now) {
    String base =
        request.runId() != null
            ? request.runId()
            : java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                .withZone(java.time.ZoneOffset.UTC)
                .format(now);
    return "dbrecover-"
        + (request.safety() ? "safety-" : "")
        + base
        + (request.label() == null ? "" : "-" + request.label());
  }

  private static RecoveryPoint point(Snapshot snap) {
    String name = snap.name() == null ? snap.id() : snap.name();
    return new RecoveryPoint(
        snap.id(),
        RecoveryPoint.Kind.SNAPSHOT,
        time(snap.timestamp() != null ? snap.timestamp() : snap.createdAt()),
        name,
        name.startsWith("dbrecover-safety-"),
        0,
        null,
        null,
        null,
        "neon snapshot " + name);
  }

  /** Neon's snapshot times are documented as plain strings; they are RFC 3339 in practice. */
  private static Instant time(String text) {
    if (text == null) {
      return Instant.EPOCH;
    }
    try {
      return java.time.OffsetDateTime.parse(text).toInstant();
    } catch (java.time.format.DateTimeParseException e) {
      throw new DbRecoverException(
          ErrorCode.PROVIDER_API, "Neon gave a snapshot time dbrecover cannot read: " + text, e);
    }
  }

  @Override
  public BackupCheck verifyBackup(ProviderContext ctx, String backupId, boolean deep) {
    throw new ConfigurationException(
        "verify-backup checks pg_dump and base backups; Neon keeps its snapshots itself. To look"
            + " at snapshot "
            + backupId
            + ", restore it side by side: dbrecover restore "
            + ctx.environment().name()
            + " --from "
            + backupId);
  }

  @Override
  public RestoreStatus startRestore(ProviderContext ctx, RestoreRequest request) {
    if (request.inPlace()) {
      throw new ConfigurationException(
          "Neon restores into a new branch first, never straight into the live one: an in-place"
              + " run (--in-place) puts the verified branch in the live branch's place at the swap"
              + " step");
    }
    NeonSettings s = settings(ctx.environment());
    NeonClient client = client(s);
    Optional<Branch> existing = findBranch(client, s.projectId(), request.targetName());
    if (existing.isEmpty()
        && request.point().kind() == RecoveryPoint.Kind.SNAPSHOT
        && request.point().id().startsWith(BRANCH_ID_PREFIX)) {
      // A preserved branch: a new branch from its head, beside it and the live one.
      Branch source =
          client
              .getBranch(s.projectId(), request.point().id())
              .orElseThrow(
                  () ->
                      new DbRecoverException(
                          ErrorCode.BACKUP_NOT_FOUND,
                          "Neon branch "
                              + request.point().id()
                              + " no longer exists; `dbrecover list-backups "
                              + ctx.environment().name()
                              + "` shows what there is"));
      ctx.progress()
          .update("creating Neon branch " + request.targetName() + " from " + source.name());
      client.createBranch(
          s.projectId(), new BranchCreate(source.id(), request.targetName(), null, null, true));
      return new RestoreStatus.Running(
          ctx.clock().instant().plus(POLL),
          "Neon is creating branch " + request.targetName() + " from " + source.name());
    }
    if (existing.isEmpty() && request.point().kind() == RecoveryPoint.Kind.SNAPSHOT) {
      // A preview branch with the snapshot's data beside the live one; it is not finalized, so
      // the live branch keeps its name and computes.
      Branch live = liveBranch(client, s);
      ctx.progress()
          .update(
              "restoring Neon snapshot "
                  + request.point().id()
                  + " as branch "
                  + request.targetName());
      Branch restored =
          client
              .restoreSnapshot(
                  s.projectId(), request.point().id(), request.targetName(), live.id(), false)
              .branch();
      ensureCompute(client, s.projectId(), restored);
      return new RestoreStatus.Running(
          ctx.clock().instant().plus(POLL),
          "Neon is restoring snapshot " + request.point().id() + " as " + request.targetName());
    }
    Target target = Target.of(request.point());
    if (existing.isPresent()) {
      // A retried start: the first try created the branch; make sure it has its compute.
      ensureCompute(client, s.projectId(), existing.get());
      return poll(ctx, s, client, request);
    }
    Project project = client.getProject(s.projectId());
    Branch live = liveBranch(client, s);
    if (target.at() != null) {
      Instant now = ctx.clock().instant();
      Optional<RestoreWindow> window = window(project, live, now);
      if (window.isEmpty() || !window.get().contains(target.at())) {
        throw new DbRecoverException(
            ErrorCode.NO_RECOVERY_POINT,
            "cannot branch Neon branch "
                + live.name()
                + " at "
                + target.at()
                + ": outside its history window "
                + window.map(RestoreWindow::toString).orElse("(none: the project keeps no history)")
                + " (history_retention_seconds "
                + project.historyRetentionSeconds()
                + "); pick a time inside the window or raise the project's restore window");
      }
    }
    ctx.progress()
        .update(
            "creating Neon branch "
                + request.targetName()
                + " from "
                + live.name()
                + " at "
                + target.describe());
    client.createBranch(
        s.projectId(),
        new BranchCreate(live.id(), request.targetName(), target.at(), target.lsn(), true));
    return new RestoreStatus.Running(
        ctx.clock().instant().plus(POLL),
        "Neon is creating branch " + request.targetName() + " at " + target.describe());
  }

  @Override
  public RestoreStatus pollRestore(ProviderContext ctx, RestoreRequest request) {
    NeonSettings s = settings(ctx.environment());
    return poll(ctx, s, client(s), request);
  }

  private RestoreStatus poll(
      ProviderContext ctx, NeonSettings s, NeonClient client, RestoreRequest request) {
    Optional<Branch> found = findBranch(client, s.projectId(), request.targetName());
    if (found.isEmpty()) {
      return new RestoreStatus.Failed(
          "Neon branch "
              + request.targetName()
              + " does not exist (never created, or deleted since); the live branch is untouched");
    }
    Branch branch = found.get();
    Instant next = nextPoll(ctx, branch.createdAt());
    for (Operation op : client.listOperations(s.projectId(), OPERATIONS_PAGE)) {
      if (!branch.id().equals(op.branchId())) {
        continue;
      }
      if (op.state() == OperationState.FAILED) {
        return new RestoreStatus.Failed(
            "Neon operation "
                + op.action()
                + " ("
                + op.id()
                + ") on branch "
                + branch.name()
                + " ended "
                + op.status()
                + (op.error() == null ? "" : ": " + op.error())
                + "; the live branch is untouched; delete branch "
                + branch.name()
                + " before retrying");
      }
      if (op.state() == OperationState.RUNNING) {
        return new RestoreStatus.Running(
            next, "Neon operation " + op.action() + " is " + op.status());
      }
    }
    if (!branch.ready()) {
      return new RestoreStatus.Running(
          next, "Neon branch " + branch.name() + " is " + branch.currentState());
    }
    if (client.listBranchEndpoints(s.projectId(), branch.id()).stream()
        .noneMatch(Endpoint::readWrite)) {
      return new RestoreStatus.Running(
          next, "Neon branch " + branch.name() + " has no compute yet");
    }
    String database = s.database() != null ? s.database() : ctx.liveUrl().database();
    String role = s.role() != null ? s.role() : ctx.liveUrl().user().orElse(null);
    if (role == null) {
      throw new ConfigurationException(
          "environment '"
              + ctx.environment().name()
              + "': the live URL names no user; set database.options.role");
    }
    DbUrl url =
        DbUrl.parse(client.connectionUri(s.projectId(), branch.id(), database, role).reveal());
    return new RestoreStatus.Done(
        url,
        "Neon branch "
            + branch.name()
            + " ("
            + branch.id()
            + ") with "
            + describe(request.point()));
  }

  private static String describe(RecoveryPoint point) {
    if (point.kind() == RecoveryPoint.Kind.SNAPSHOT) {
      return point.id().startsWith(BRANCH_ID_PREFIX)
          ? "the head of preserved branch " + point.id()
          : "snapshot " + point.labelOpt().orElse(point.id());
    }
    return "the state at " + Target.of(point).describe();
  }

  private static void ensureCompute(NeonClient client, String projectId, Branch branch) {
    if (client.listBranchEndpoints(projectId, branch.id()).stream()
        .noneMatch(Endpoint::readWrite)) {
      client.createEndpoint(projectId, branch.id());
    }
  }

  /** The branch named exactly {@code name}; Neon's search matches substrings of names and ids. */
  private static Optional<Branch> findBranch(NeonClient client, String projectId, String name) {
    return client.listBranches(projectId, name).stream()
        .filter(b -> name.equals(b.name()))
        .findFirst();
  }

  /** The configured branch (by id or name), else the project's default branch. */
  private static Branch liveBranch(NeonClient client, NeonSettings s) {
    String wanted = s.branch();
    if (wanted != null && wanted.startsWith("br-")) {
      return client
          .getBranch(s.projectId(), wanted)
          .orElseThrow(
              () ->
                  new ConfigurationException(
                      "Neon project "
                          + s.projectId()
                          + " has no branch "
                          + wanted
                          + ": check database.options.branch"));
    }
    List<Branch> branches = client.listBranches(s.projectId(), wanted);
    return branches.stream()
        .filter(b -> wanted == null ? b.isDefault() : wanted.equals(b.name()))
        .findFirst()
        .orElseThrow(
            () ->
                new ConfigurationException(
                    wanted == null
                        ? "Neon project " + s.projectId() + " reports no default branch"
                        : "Neon project "
                            + s.projectId()
                            + " has no branch named '"
                            + wanted
                            + "': check database.options.branch"));
  }

  /**
   * Puts the restored branch's state into the live branch, keeping the live branch's previous state
   * as the branch {@code <live>_before_<run-id>} (the safety copy and the swap-back source):
   *
   * <ul>
   *   <li>a moment of the history (or a preserved branch): {@code POST …/branches/{live}/restore}
   *       from the verified restored branch's head with {@code preserve_under_name}; the live
   *       branch keeps its id, name, computes and connection string;
   *   <li>a snapshot: {@code POST …/branches/{preview}/finalize_restore} with {@code name}: the
   *       verified preview branch takes the live branch's name and computes (so its connection
   *       string), and the previous live branch is renamed.
   * </ul>
   *
   * Blocks until Neon's operations have finished (one that fails: exit 4). Idempotent: when the
   * preserved branch exists, the replacement was made and only the waiting is redone.
   */
  @Override
  public void replaceOriginal(ProviderContext ctx, RestoreRequest restored, String originalName) {
    NeonSettings s = settings(ctx.environment());
    NeonClient client = client(s);
    Branch live = liveBranch(client, s);
    String preserved = preservedName(live, restored.runId());
    Branch awaited = live;
    if (findBranch(client, s.projectId(), preserved).isEmpty()) {
      Branch source =
          findBranch(client, s.projectId(), restored.targetName())
              .orElseThrow(
                  () ->
                      new DbRecoverException(
                          ErrorCode.BACKUP_NOT_FOUND,
                          "the restored Neon branch "
                              + restored.targetName()
                              + " no longer exists; the live branch "
                              + live.name()
                              + " is untouched"));
      if (finalizes(restored)) {
        ctx.progress()
            .update(
                "finalizing the restore of Neon branch "
                    + source.name()
                    + ": it takes the name and computes of "
                    + live.name()
                    + ", whose previous state is kept as branch "
                    + preserved);
        // A branch has one read-write compute at most: the preview's own, made for the
        // verification, gives way to the live branch's, which finalize moves over.
        for (Endpoint ep : client.listBranchEndpoints(s.projectId(), source.id())) {
          client.deleteEndpoint(s.projectId(), ep.id());
        }
        client.finalizeRestore(s.projectId(), source.id(), preserved);
        // The former preview is the live branch now (on a retry, found by the name).
        awaited = source;
      } else {
        ctx.progress()
            .update(
                "restoring Neon branch "
                    + live.name()
                    + " from "
                    + source.name()
                    + "; its previous state is kept as branch "
                    + preserved);
        client.restoreBranch(
            s.projectId(), live.id(), new BranchRestore(source.id(), null, null, preserved));
      }
    }
    awaitOperations(ctx, s, client, awaited);
  }

  /** Whether an in-place replacement finalizes a snapshot's preview branch. */
  private static boolean finalizes(RestoreRequest restored) {
    return restored.point().kind() == RecoveryPoint.Kind.SNAPSHOT
        && !restored.point().id().startsWith(BRANCH_ID_PREFIX);
  }

  /**
   * Every in-place replacement keeps the live branch's previous state as the branch {@code
   * <live>_before_<run-id>}, so that branch is the run's safety copy. A snapshot's in-place restore
   * renames the live branch's id away from its name, so it needs the branch configured by name
   * (refused here, before anything changes).
   */
  @Override
  public Optional<String> originalKeptByReplace(ProviderContext ctx, RestoreRequest restored) {
    NeonSettings s = settings(ctx.environment());
    if (finalizes(restored) && (s.branch() == null || s.branch().startsWith(BRANCH_ID_PREFIX))) {
      // Finalizing moves the name to another branch id; whether "default" moves too is not
      // documented, so only a branch configured by name is found again for sure.
      throw new ConfigurationException(
          "an in-place snapshot restore gives the live branch's name and computes to the restored"
              + " branch, so database.options.branch must name the branch ("
              + (s.branch() == null ? "it is not set" : "it is the id " + s.branch())
              + "); or restore side by side (without --in-place)");
    }
    Branch live = liveBranch(client(s), s);
    return Optional.of(
        "Neon branch "
            + preservedName(live, restored.runId())
            + " (the state of "
            + live.name()
            + " before the replacement)");
  }

  /**
   * Swap-back of an in-place run: {@code POST …/branches/{live}/restore} from the branch {@code
   * <live>_before_<run-id>}, keeping the recovered state as {@code <live>_swapped_back_<run-id>}.
   * The live branch keeps its id, computes and connection string. Idempotent: when that branch
   * exists, only the waiting is redone.
   */
  @Override
  public Optional<String> putBackKeptOriginal(ProviderContext ctx, String runId) {
    NeonSettings s = settings(ctx.environment());
    NeonClient client = client(s);
    Branch live = liveBranch(client, s);
    String preserved = preservedName(live, runId);
    String recovered = live.name() + "_swapped_back_" + runId;
    if (findBranch(client, s.projectId(), recovered).isEmpty()) {
      Branch kept =
          findBranch(client, s.projectId(), preserved)
              .orElseThrow(
                  () ->
                      new DbRecoverException(
                          ErrorCode.BACKUP_NOT_FOUND,
                          "Neon branch "
                              + preserved
                              + " (the state before run "
                              + runId
                              + ") no longer exists, so there is nothing to swap back to; the"
                              + " live branch "
                              + live.name()
                              + " is untouched"));
      ctx.progress().update("restoring Neon branch " + live.name() + " from " + preserved);
      client.restoreBranch(
          s.projectId(), live.id(), new BranchRestore(kept.id(), null, null, recovered));
    }
    awaitOperations(ctx, s, client, live);
    return Optional.of(
        "Neon branch "
            + live.name()
            + " restored from "
            + preserved
            + "; the recovered state is kept as branch "
            + recovered);
  }

  /** The name the live branch's previous state is kept under by an in-place replacement. */
  static String preservedName(Branch live, String runId) {
    return live.name() + PRESERVED + runId;
  }

  /** Waits for the given operations by id (Neon keeps them for months). */
  private void awaitOperations(
      ProviderContext ctx, NeonSettings s, NeonClient client, List<Operation> ops, String what) {
    Instant started = ctx.clock().instant();
    Instant deadline = started.plus(REPLACE_TIMEOUT);
    for (Operation op : ops) {
      Operation current = op;
      while (current.state() == OperationState.RUNNING) {
        if (!ctx.clock().instant().isBefore(deadline)) {
          throw new DbRecoverException(
              ErrorCode.PROVIDER_API,
              "Neon operation "
                  + current.action()
                  + " for "
                  + what
                  + " is still "
                  + current.status()
                  + " after "
                  + REPLACE_TIMEOUT);
        }
        pause(ctx, started);
        current = client.getOperation(s.projectId(), current.id()).orElse(current);
      }
      if (current.state() == OperationState.FAILED) {
        throw new DbRecoverException(
            ErrorCode.PROVIDER_API,
            "Neon operation "
                + current.action()
                + " for "
                + what
                + " ended "
                + current.status()
                + (current.error() == null ? "" : ": " + current.error()));
      }
    }
  }

  /** Sleeps before the next look at Neon's operations of a wait that began at {@code since}. */
  private void pause(ProviderContext ctx, Instant since) {
    sleepUntil(ctx, nextPoll(ctx, since));
  }

  private void sleepUntil(ProviderContext ctx, Instant when) {
    Duration d = Duration.between(ctx.clock().instant(), when);
    try {
      sleeper.sleep(d.isNegative() ? Duration.ZERO : d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DbRecoverException(ErrorCode.CANCELLED, "interrupted while waiting for Neon", e);
    }
  }

  private void awaitOperations(ProviderContext ctx, NeonSettings s, NeonClient client, Branch b) {
    Instant started = ctx.clock().instant();
    Instant deadline = started.plus(REPLACE_TIMEOUT);
    while (true) {
      Optional<Operation> pending = Optional.empty();
      for (Operation op : client.listOperations(s.projectId(), OPERATIONS_PAGE)) {
        if (!b.id().equals(op.branchId())) {
          continue;
        }
        if (op.state() == OperationState.FAILED) {
          throw new DbRecoverException(
              ErrorCode.RESTORE_FAILED,
              "Neon operation "
                  + op.action()
                  + " ("
                  + op.id()
                  + ") on branch "
                  + b.name()
                  + " ended "
                  + op.status()
                  + (op.error() == null ? "" : ": " + op.error())
                  + "; check the branch in the Neon Console");
        }
        if (op.state() == OperationState.RUNNING && pending.isEmpty()) {
          pending = Optional.of(op);
        }
      }
      if (pending.isEmpty()) {
        return;
      }
      if (!ctx.clock().instant().isBefore(deadline)) {
        throw new DbRecoverException(
            ErrorCode.RESTORE_FAILED,
            "Neon operation "
                + pending.get().action()
                + " on branch "
                + b.name()
                + " is still "
                + pending.get().status()
                + " after "
                + REPLACE_TIMEOUT
                + "; run `dbrecover resume <run-id>` to wait again");
      }
      ctx.progress().update("Neon: " + pending.get().action() + " is " + pending.get().status());
      pause(ctx, started);
    }
  }

  /**
   * For a dry run: the branch {@code name} with the point's data (at the target time, from a
   * snapshot, or from a preserved branch) and a compute, made as a side-by-side restore is and
   * waited for; closing it deletes the branch. A branch that fails or times out is deleted before
   * the error is thrown.
   */
  @Override
  public Optional<Preview> preview(ProviderContext ctx, RecoveryPoint point, String name) {
    NeonSettings s = settings(ctx.environment());
    NeonClient client = client(s);
    RestoreRequest request = new RestoreRequest(name, point, name, false);
    RestoreStatus status;
    try {
      status = startRestore(ctx, request);
      Instant deadline = ctx.clock().instant().plus(REPLACE_TIMEOUT);
      while (status instanceof RestoreStatus.Running) {
        if (!ctx.clock().instant().isBefore(deadline)) {
          throw new DbRecoverException(
              ErrorCode.PROVIDER_API,
              "the dry run's Neon branch "
                  + name
                  + " is not ready after "
                  + REPLACE_TIMEOUT
                  + " ("
                  + ((RestoreStatus.Running) status).detail()
                  + ")");
        }
        sleepUntil(ctx, ((RestoreStatus.Running) status).pollAt());
        status = pollRestore(ctx, request);
      }
      if (status instanceof RestoreStatus.Failed) {
        throw new DbRecoverException(
            ErrorCode.RESTORE_FAILED,
            "the dry run's Neon branch failed: " + ((RestoreStatus.Failed) status).reason());
      }
    } catch (RuntimeException e) {
      try {
        discard(ctx, s, client, name);
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
    DbUrl url = ((RestoreStatus.Done) status).url();
    return Optional.of(
        new Preview() {
          @Override
          public DbUrl url() {
            return url;
          }

          @Override
          public void close() {
            discard(ctx, s, client, name);
          }
        });
  }

  /** Deletes the dry run's branch, if it was created. */
  private static void discard(ProviderContext ctx, NeonSettings s, NeonClient client, String name) {
    Optional<Branch> b = findBranch(client, s.projectId(), name);
    if (b.isPresent()) {
      ctx.progress().update("deleting the dry run's Neon branch " + name);
      client.deleteBranch(s.projectId(), b.get().id());
    }
  }

  @Override
  public boolean deleteBackup(ProviderContext ctx, String backupId) {
    NeonSettings s = settings(ctx.environment());
    if (backupId.startsWith(BRANCH_ID_PREFIX)) {
      Optional<Branch> b = client(s).getBranch(s.projectId(), backupId);
      if (b.isEmpty()) {
        return false;
      }
      if (!b.get().name().contains(PRESERVED)) {
        throw new ConfigurationException(
            "Neon branch "
                + b.get().name()
                + " ("
                + backupId
                + ") is not a branch dbrecover preserved; delete it in the Neon Console if meant");
      }
      List<String> children =
          client(s).listBranches(s.projectId(), null).stream()
              .filter(c -> backupId.equals(c.parentId()))
              .map(Branch::name)
              .toList();
      if (!children.isEmpty()) {
        // Neon deletes no branch with children; an in-place run's verified branch is one.
        throw new ConfigurationException(
            "Neon branch "
                + b.get().name()
                + " has child branches ("
                + String.join(", ", children)
                + "); delete them first (Neon Console, or keep "
                + b.get().name()
                + ")");
      }
      return client(s).deleteBranch(s.projectId(), backupId).isPresent();
    }
    return client(s).deleteSnapshot(s.projectId(), backupId);
  }

  private NeonSettings settings(EnvironmentConfig environment) {
    return NeonSettings.from(environment.database(), env);
  }

  private NeonClient client(NeonSettings s) {
    return cache.computeIfAbsent(s, clients);
  }

  /** A restore target: a time or a WAL position. */
  private record Target(Instant at, String lsn) {
    static Target of(RecoveryPoint point) {
      if (point.kind() != RecoveryPoint.Kind.BRANCH_POINT
          && point.kind() != RecoveryPoint.Kind.POINT_IN_TIME) {
        throw new ConfigurationException(
            "the neon provider restores moments of the history window, not a "
                + point.kind().method().label()
                + " ("
                + point.id()
                + ")");
      }
      Optional<String> lsn = point.targetLsn();
      return lsn.isPresent() ? new Target(null, lsn.get()) : new Target(point.takenAt(), null);
    }

    String describe() {
      return at != null ? at.toString() : "LSN " + lsn;
    }
  }
}
