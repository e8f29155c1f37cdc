package io.dbrecover.engine.api;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.dbrecover.engine.internal.ApprovalDocuments;
import io.dbrecover.engine.internal.DataLossAnalyzer;
import io.dbrecover.engine.internal.DecisionInput;
import io.dbrecover.engine.internal.DecisionTree;
import io.dbrecover.engine.internal.FileStateStore;
import io.dbrecover.engine.internal.Journal;
import io.dbrecover.engine.internal.Json;
import io.dbrecover.engine.internal.RecoveryRun;
import io.dbrecover.engine.internal.ReportWriter;
import io.dbrecover.engine.internal.RetentionPolicy;
import io.dbrecover.engine.internal.RunContext;
import io.dbrecover.engine.internal.RunHeader;
import io.dbrecover.engine.internal.RunIds;
import io.dbrecover.engine.internal.TimelineBuilder;
import io.dbrecover.engine.internal.Verifier;
import io.dbrecover.engine.spi.BackupRequest;
import io.dbrecover.engine.spi.Capabilities;
import io.dbrecover.engine.spi.ContinuousArchiving;
import io.dbrecover.engine.spi.DatabaseInspector;
import io.dbrecover.engine.spi.Progress;
import io.dbrecover.engine.spi.Provider;
import io.dbrecover.engine.spi.ProviderContext;
import io.dbrecover.engine.spi.StateStore;
import io.dbrecover.engine.spi.UrlTarget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import javax.inject.Inject;

/**
 * The engine's entry point for the CLI and the Lambda: plans, backups, recovery runs, swap-back and
 * status for the environments of a configuration. Thread-safe; holds no per-call state.
 */
public final class RecoveryEngine {
  private final Map<String, Provider> providers;
  private final Map<String, UrlTarget.Factory> urlTargets;
  private final Map<String, StateStore.Factory> stateStores;
  private final Clock clock;

  /** An engine whose runs keep their journals and locks in files only. */
  public RecoveryEngine(
      Map<String, Provider> providers, Map<String, UrlTarget.Factory> urlTargets, Clock clock) {
    this(
        providers,
        urlTargets,
        Map.of(FileStateStore.TYPE, new FileStateStore.Factory(Clock.systemUTC())),
        clock);
  }

  @Inject
  public RecoveryEngine(
      Map<String, Provider> providers,
      Map<String, UrlTarget.Factory> urlTargets,
      Map<String, StateStore.Factory> stateStores,
      Clock clock) {
    this.providers = Map.copyOf(providers);
    this.urlTargets = Map.copyOf(urlTargets);
    this.stateStores = Map.copyOf(stateStores);
    this.clock = clock;
  }

  public Clock clock() {
    return clock;
  }

  /**
   * Decides how to recover without changing anything, with the data-loss estimate from the recovery
   * point's row counts (which counts every table of the live database).
   */
  public Plan plan(DbRecoverConfig config, String environment, Incident incident) {
    return plan(config, environment, incident, true);
  }

  /**
   * As {@link #plan(DbRecoverConfig, String, Incident)}; without {@code estimate}, skips counting
   * the live database's rows: for a plan that is run at once, whose run compares rows exactly.
   */
  public Plan plan(
      DbRecoverConfig config, String environment, Incident incident, boolean estimate) {
    RunContext ctx = context(config, environment);
    DbUrl live = ctx.liveUrl();
    ProviderContext pc = ctx.providerContext(live, Progress.NONE);
    // The live database is read on a thread of its own while the provider answers: each is
    // mostly waiting (a connection, a server round trip, backup metadata on disk).
    CompletableFuture<LiveState> liveState =
        CompletableFuture.supplyAsync(
            () -> {
              try (Trace.Span span = Trace.span("plan: live migration state");
                  Connection c = DatabaseInspector.connect(live)) {
                return new LiveState(
                    DatabaseInspector.migrationState(c),
                    estimate ? DatabaseInspector.rowCounts(c) : Map.of());
              } catch (SQLException e) {
                throw new DbRecoverException(
                    ErrorCode.CONFIGURATION,
                    "cannot read the live database " + live.redacted() + ": " + e.getMessage(),
                    e);
              }
            },
            ownThread("dbrecover-plan-live"));
    // The recovery points, too: listing them does not depend on the capabilities.
    CompletableFuture<List<RecoveryPoint>> recoveryPoints =
        CompletableFuture.supplyAsync(
            () -> {
              try (Trace.Span span = Trace.span("plan: recovery points")) {
                return ctx.provider().recoveryPoints(pc);
              }
            },
            ownThread("dbrecover-plan-points"));
    Capabilities caps;
    try {
      try (Trace.Span span = Trace.span("plan: capabilities")) {
        caps = withForwardFix(ctx.provider().capabilities(pc), incident);
      } finally {
        // the live database's error comes first: it is the one to fix before anything else
        joined(liveState);
      }
    } finally {
      awaitQuietly(recoveryPoints);
    }
    List<RecoveryPoint> points = joined(recoveryPoints);
    MigrationState current = liveState.join().migrations();
    Map<String, Long> counts = liveState.join().counts();
    Decision decision =
        DecisionTree.decide(
            new DecisionInput(
                incident,
                ctx.environment().tier(),
                ctx.environment().allowedMethods(),
                caps,
                points,
                current,
                clock.instant()));
    List<String> removed = List.of();
    DataLossReport lossEstimate = null;
    if (decision.point() != null) {
      removed = removed(current, decision);
      if (estimate && !decision.point().rowCounts().isEmpty()) {
        lossEstimate = new DataLossAnalyzer().estimate(decision.point().rowCounts(), counts);
      }
    }
    return new Plan(
        environment,
        live.redacted(),
        current,
        decision,
        removed,
        lossEstimate,
        caps.notes(),
        caps.historyWindow());
  }

  private record LiveState(MigrationState migrations, Map<String, Long> counts) {}

  /** Runs each task on a new daemon thread named {@code name} (the command never waits for it). */
  private static java.util.concurrent.Executor ownThread(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      t.start();
    };
  }

  /** The value of {@code f} once done; its failure is thrown as it was raised. */
  private static <T> T joined(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof RuntimeException) {
        throw (RuntimeException) e.getCause();
      }
      throw e;
    }
  }

  /** Waits for {@code f} to be done, whether it failed or not (nothing is left running). */
  private static void awaitQuietly(CompletableFuture<?> f) {
    try {
      f.join();
    } catch (RuntimeException e) {
      // its failure, if it matters, is thrown where its value is taken
    }
  }

  /**
   * A dry run: the plan, with the data loss measured exactly against a temporary copy of the
   * recovery point where the provider makes one cheaply ({@link Provider#preview}, e.g. a Neon
   * branch at the target time), which is deleted again, also when the comparison fails. Elsewhere
   * the plan's estimate from recorded row counts. The live database is never changed.
   */
  public Plan dryRun(
      DbRecoverConfig config, String environment, Incident incident, Consumer<String> progress) {
    Plan plan = plan(config, environment, incident, true);
    if (plan.decision().outcome() != Decision.Outcome.RECOVER) {
      return plan;
    }
    RunContext ctx = context(config, environment);
    DbUrl live = ctx.liveUrl();
    String suffix = "_dryrun_" + RunIds.shortId(RunIds.next(clock.instant()));
    String base = live.database();
    String name =
        (base.length() + suffix.length() > 63 ? base.substring(0, 63 - suffix.length()) : base)
            + suffix;
    Optional<Provider.Preview> preview =
        ctx.provider()
            .preview(ctx.providerContext(live, progress::accept), plan.decision().point(), name);
    if (preview.isEmpty()) {
      return plan;
    }
    try (Provider.Preview copy = preview.get()) {
      progress.accept("comparing " + live.redacted() + " with " + copy.url().redacted());
      DataLossReport exact = new DataLossAnalyzer().compare(live, copy.url());
      return new Plan(
          plan.environment(),
          plan.liveUrl(),
          plan.currentMigrations(),
          plan.decision(),
          plan.removedMigrations(),
          exact,
          plan.providerNotes(),
          plan.historyWindow());
    }
  }

  /**
   * A forward-fix needs only SQL access to the live database, which every provider gives: it is
   * offered once the caller has analysed the reverse migration ({@link
   * Incident#reverseMigrationLossless()} set).
   */
  private static Capabilities withForwardFix(Capabilities caps, Incident incident) {
    if (incident.reverseMigrationLossless() == null || caps.offers(Method.FORWARD_FIX)) {
      return caps;
    }
    java.util.Set<Method> methods = new java.util.HashSet<>(caps.methods());
    methods.add(Method.FORWARD_FIX);
    return new Capabilities(methods, caps.historyWindow(), caps.notes());
  }

  /**
   * The live database's URL, with its password: for tools that connect to it themselves (the
   * drill). Never print it; use {@link DbUrl#redacted()}.
   */
  public DbUrl liveUrl(DbRecoverConfig config, String environment) {
    return context(config, environment).liveUrl();
  }

  /** Takes a logical backup of the live database now. */
  public RecoveryPoint backup(
      DbRecoverConfig config, String environment, String label, Consumer<String> progress) {
    return backup(config, environment, label, false, progress);
  }

  /**
   * Takes a backup of the live database now; {@code physical}: a base backup for point-in-time
   * recovery, which only providers running WAL archiving themselves take (exit 1 otherwise).
   */
  public RecoveryPoint backup(
      DbRecoverConfig config,
      String environment,
      String label,
      boolean physical,
      Consumer<String> progress) {
    return backup(config, environment, label, physical, null, progress);
  }

  /**
   * As {@link #backup(DbRecoverConfig, String, String, boolean, Consumer)}, naming the commit being
   * deployed ({@code gitSha}, null: none), which providers that tag snapshots record.
   */
  public RecoveryPoint backup(
      DbRecoverConfig config,
      String environment,
      String label,
      boolean physical,
      String gitSha,
      Consumer<String> progress) {
    RunContext ctx = context(config, environment);
    if (physical) {
      archiving(ctx, environment);
    }
    return ctx.provider()
        .backup(
            ctx.providerContext(ctx.liveUrl(), progress::accept),
            new BackupRequest(label, false, null, physical, gitSha));
  }

  /** Continuous WAL archiving of an environment whose point-in-time recovery dbrecover runs. */
  public ArchivingStatus archivingStatus(DbRecoverConfig config, String environment) {
    RunContext ctx = context(config, environment);
    return archiving(ctx, environment)
        .archivingStatus(ctx.providerContext(ctx.liveUrl(), Progress.NONE));
  }

  /**
   * Sets up continuous WAL archiving where the provider may; {@code apply} false only reports what
   * would change. Takes the environment's lock when applying (it may restart the server).
   */
  public ArchivingStatus enableArchiving(
      DbRecoverConfig config, String environment, boolean apply, Consumer<String> progress) {
    RunContext ctx = context(config, environment);
    ContinuousArchiving archiving = archiving(ctx, environment);
    ProviderContext pc = ctx.providerContext(ctx.liveUrl(), progress::accept);
    if (!apply) {
      return archiving.enableArchiving(pc, false);
    }
    try (StateStore.Lock lock = store(config).lock(environment, "pitr enable")) {
      return archiving.enableArchiving(pc, true);
    }
  }

  /**
   * What an operator can pick a recovery point from, in time order: the history window's edges,
   * backups, the live database's applied migrations and past runs. An unreachable live database
   * leaves the migrations out and says so.
   */
  public Timeline timeline(DbRecoverConfig config, String environment) {
    RunContext ctx = context(config, environment);
    DbUrl live = ctx.liveUrl();
    ProviderContext pc = ctx.providerContext(live, Progress.NONE);
    List<String> notes = new ArrayList<>();
    MigrationState migrations = MigrationState.NONE;
    try (Connection c = DatabaseInspector.connect(live)) {
      migrations = DatabaseInspector.migrationState(c);
    } catch (SQLException | DbRecoverException e) {
      notes.add(
          "the live database "
              + live.redacted()
              + " did not answer, so its migrations are not shown");
    }
    Capabilities caps = ctx.provider().capabilities(pc);
    notes.addAll(new TreeSet<>(caps.notes()));
    return TimelineBuilder.build(
        environment,
        caps.historyWindow(),
        ctx.provider().recoveryPoints(pc),
        migrations,
        runs(config, environment),
        notes);
  }

  /** Lists recovery points newest first. */
  public List<RecoveryPoint> listBackups(DbRecoverConfig config, String environment) {
    RunContext ctx = context(config, environment);
    return ctx.provider().recoveryPoints(ctx.providerContext(ctx.liveUrl(), Progress.NONE));
  }

  /** Verifies a backup's integrity; {@code deep} restores it into a scratch database too. */
  public BackupCheck verifyBackup(
      DbRecoverConfig config,
      String environment,
      String backupId,
      boolean deep,
      Consumer<String> progress) {
    RunContext ctx = context(config, environment);
    return ctx.provider()
        .verifyBackup(ctx.providerContext(ctx.liveUrl(), progress::accept), backupId, deep);
  }

  /** Applies retention; with {@code dryRun}, only says what it would delete. */
  public PruneResult prune(DbRecoverConfig config, String environment, boolean dryRun) {
    RunContext ctx = context(config, environment);
    try (StateStore.Lock lock = store(config).lock(environment, "prune")) {
      ProviderContext pc = ctx.providerContext(ctx.liveUrl(), Progress.NONE);
      List<RecoveryPoint> points = ctx.provider().recoveryPoints(pc);
      List<RecoveryPoint> expired =
          RetentionPolicy.expired(points, ctx.environment().retention(), clock.instant());
      List<String> deleted = new ArrayList<>();
      for (RecoveryPoint p : expired) {
        if (!dryRun) {
          ctx.provider().deleteBackup(pc, p.id());
        }
        deleted.add(p.id());
      }
      List<String> kept =
          points.stream().map(RecoveryPoint::id).filter(id -> !deleted.contains(id)).toList();
      return new PruneResult(deleted, kept, dryRun);
    }
  }

  /** The environment at a glance. */
  public EnvironmentStatus status(DbRecoverConfig config, String environment) {
    RunContext ctx = context(config, environment);
    DbUrl live = ctx.liveUrl();
    MigrationState migrations = MigrationState.NONE;
    boolean reachable = true;
    try (Connection c = DatabaseInspector.connect(live)) {
      migrations = DatabaseInspector.migrationState(c);
    } catch (SQLException | DbRecoverException e) {
      reachable = false;
    }
    ProviderContext pc = ctx.providerContext(live, Progress.NONE);
    List<RecoveryPoint> backups = ctx.provider().recoveryPoints(pc);
    Capabilities caps = ctx.provider().capabilities(pc);
    return new EnvironmentStatus(
        environment,
        live.redacted(),
        reachable,
        migrations,
        backups,
        runs(config, environment),
        caps.historyWindow(),
        caps.notes());
  }

  /**
   * Takes an environment's lock (exit 7 when another run holds it). Take it before {@link #plan}
   * when the plan is going to be run, so the decision is made under the lock.
   */
  public Lock lock(DbRecoverConfig config, String environment, String holder) {
    config.environment(environment);
    return new Lock(store(config).lock(environment, holder));
  }

  /**
   * Starts a recovery run for a decision made by {@link #plan} under {@code lock}; the session
   * takes over the lock and releases it when closed.
   */
  public RunSession start(DbRecoverConfig config, Plan plan, RunOptions options, Lock lock) {
    return start(config, plan, options, lock, newRunId());
  }

  /**
   * A new run id, for a run announced before it starts (an approval request names the run it will
   * start); pass it to {@link #start(DbRecoverConfig, Plan, RunOptions, Lock, String)}.
   */
  public String newRunId() {
    return RunIds.next(clock.instant());
  }

  /** Whether {@code s} has the form of a run id ({@code run-YYYYMMDD-HHMMSS-xxxx}). */
  public static boolean isRunId(String s) {
    return RunIds.isRunId(s);
  }

  /**
   * Starts a run under the id {@code runId} from {@link #newRunId()}; exit 1 when a run of that id
   * exists already.
   */
  public RunSession start(
      DbRecoverConfig config, Plan plan, RunOptions options, Lock lock, String runId) {
    if (plan.decision().outcome() != Decision.Outcome.RECOVER) {
      throw new IllegalArgumentException("nothing to run for " + plan.decision().outcome());
    }
    if (!RunIds.isRunId(runId)) {
      throw new ConfigurationException(
          "'" + runId + "' is not a run id (run-YYYYMMDD-HHMMSS-xxxx)");
    }
    String env = plan.environment();
    RunContext ctx = context(config, env);
    DbUrl live = ctx.liveUrl();
    RunHeader header =
        new RunHeader(
            runId,
            env,
            clock.instant(),
            options,
            plan.decision(),
            live.database(),
            live.redacted(),
            plan.removedMigrations());
    Journal journal = Journal.of(store(config).create(env, runId));
    return new RunSession(RecoveryRun.create(ctx, journal, reportDir(config, runId), header), lock);
  }

  /**
   * Records a request for approval (replacing an earlier one for the same run: the state machine
   * asks again with a new token).
   */
  public void requestApproval(DbRecoverConfig config, ApprovalRequest request) {
    new ApprovalDocuments(store(config)).put(request);
  }

  /** The approval request for {@code runId} with its answer, if one was ever recorded. */
  public Optional<ApprovalRequest> approval(DbRecoverConfig config, String runId) {
    return new ApprovalDocuments(store(config)).find(runId);
  }

  /** Every recorded approval request, newest first. */
  public List<ApprovalRequest> approvals(DbRecoverConfig config) {
    return new ApprovalDocuments(store(config)).all();
  }

  /**
   * Records the answer to {@code runId}'s request; {@code false} when it was answered already (the
   * first answer stands, atomically in the state store).
   */
  public boolean answerApproval(
      DbRecoverConfig config, String runId, ApprovalRequest.Answer answer) {
    return new ApprovalDocuments(store(config)).answer(runId, answer);
  }

  /** Reopens a run from its journal to continue it. */
  public RunSession resume(DbRecoverConfig config, String runId) {
    RecoveryRun probe = open(config, runId);
    String env = probe.header().environment();
    Lock lock = new Lock(store(config).lock(env, "resume " + runId));
    try {
      // Read again under the lock: the holder we waited out may have advanced the journal.
      return new RunSession(open(config, runId), lock);
    } catch (RuntimeException e) {
      lock.close();
      throw e;
    }
  }

  /**
   * A run's report rebuilt from its journal, so any host whose state store holds the run can show
   * it (a Lambda's report files go with its execution environment): the report the run wrote when
   * it ended, or the run so far with status {@code INCOMPLETE}. Reads only; takes no lock.
   */
  public RunReport report(DbRecoverConfig config, String runId) {
    requireRunId(runId);
    return ReportWriter.rebuild(
        RecoveryRun.read(
            Journal.of(store(config).open(runId)),
            config.stateDir().resolve("runs").resolve(runId)));
  }

  /** A report as Markdown, exactly as a run writes its {@code report.md}. */
  public static String markdown(RunReport report) {
    return ReportWriter.markdown(report);
  }

  /** Points DATABASE_URL back to the value it had before the run's swap, and verifies it. */
  public SwapBackResult swapBack(DbRecoverConfig config, String runId) {
    RecoveryRun run = open(config, runId);
    String env = run.header().environment();
    try (StateStore.Lock lock = store(config).lock(env, "swap-back " + runId)) {
      Journal.Entry swap = run.lastOf(Step.SWAP_URL);
      if (swap == null || !"done".equals(swap.status())) {
        throw new ConfigurationException(
            "run " + runId + " never swapped DATABASE_URL, so there is nothing to swap back");
      }
      JsonNode data = swap.data();
      Journal.Entry safety = run.lastOf(Step.SAFETY_COPY);
      if ("in-place".equals(data.path("mode").asText())
          && safety != null
          && "kept-by-provider".equals(safety.data().path("kind").asText())) {
        RunContext ctx = context(config, env);
        DbUrl live = ctx.liveUrl();
        Optional<String> putBack =
            ctx.provider().putBackKeptOriginal(ctx.providerContext(live, Progress.NONE), runId);
        if (putBack.isPresent()) {
          Verification v =
              new Verifier()
                  .verify(
                      "database after swap-back via " + live.redacted(),
                      live,
                      new Verifier.Expectations(
                          null, null, null, ctx.environment().smokeQueries()));
          if (!v.passed()) {
            throw new DbRecoverException(
                ErrorCode.VERIFICATION_FAILED,
                putBack.get() + ", but the database failed verification: " + v.failures());
          }
          return new SwapBackResult(runId, putBack.get(), live.redacted(), v);
        }
      }
      if (!"url-target".equals(data.path("mode").asText())) {
        throw new ConfigurationException(
            "run "
                + runId
                + " did not change a URL target ("
                + data.path("detail").asText()
                + "); for an in-place run restore its safety backup with `dbrecover restore "
                + env
                + " --from <safety backup> --in-place`");
      }
      RunContext ctx = context(config, env);
      UrlTarget target =
          ctx.urlTarget()
              .orElseThrow(
                  () ->
                      new ConfigurationException(
                          "environment " + env + " has no url-target any more; cannot swap back"));
      Map<String, String> receipt =
          Json.mapper()
              .convertValue(data.get("receipt"), new TypeReference<Map<String, String>>() {});
      target.swapBack(receipt);
      DbUrl now = target.read().map(s -> DbUrl.parse(s.reveal())).orElseGet(ctx::liveUrl);
      Verification v =
          new Verifier()
              .verify(
                  "database after swap-back via " + now.redacted(),
                  now,
                  new Verifier.Expectations(null, null, null, ctx.environment().smokeQueries()));
      if (!v.passed()) {
        throw new DbRecoverException(
            ErrorCode.VERIFICATION_FAILED,
            "DATABASE_URL was put back to "
                + now.redacted()
                + " but that database failed verification: "
                + v.failures());
      }
      return new SwapBackResult(runId, target.describe(), now.redacted(), v);
    }
  }

  // --- internals -----------------------------------------------------------------------------

  private static void requireRunId(String runId) {
    if (!RunIds.isRunId(runId)) {
      throw new ConfigurationException(
          "'"
              + runId
              + "' is not a run id (run-YYYYMMDD-HHMMSS-xxxx); see `dbrecover status <env>`");
    }
  }

  private RecoveryRun open(DbRecoverConfig config, String runId) {
    requireRunId(runId);
    RecoveryRun run =
        RecoveryRun.read(Journal.of(store(config).open(runId)), reportDir(config, runId));
    return run.withContext(context(config, run.header().environment()));
  }

  /**
   * Where a run's reports go: beside its journal for the files store, else a local directory of the
   * same name (created here, since the journal lives elsewhere).
   */
  private static Path reportDir(DbRecoverConfig config, String runId) {
    Path dir = config.stateDir().resolve("runs").resolve(runId);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }

  private StateStore store(DbRecoverConfig config) {
    StateStore.Factory factory = stateStores.get(config.stateStore().type());
    if (factory == null) {
      throw new ConfigurationException(
          "state-store type '"
              + config.stateStore().type()
              + "' is not in this build; available: "
              + String.join(", ", new TreeSet<>(stateStores.keySet())));
    }
    return factory.create(config.stateStore(), config.stateDir());
  }

  private List<EnvironmentStatus.RunSummary> runs(DbRecoverConfig config, String environment) {
    StateStore store = store(config);
    List<EnvironmentStatus.RunSummary> out = new ArrayList<>();
    for (String runId : store.runIds(environment)) {
      try {
        RecoveryRun run =
            RecoveryRun.read(
                Journal.of(store.open(runId)), config.stateDir().resolve("runs").resolve(runId));
        if (run.header().environment().equals(environment)) {
          out.add(run.summary());
        }
      } catch (DbRecoverException unreadable) {
        // A journal without a run header is not a run.
      }
    }
    return out;
  }

  private RunContext context(DbRecoverConfig config, String environment) {
    EnvironmentConfig env = config.environment(environment);
    Provider provider = providers.get(env.database().provider());
    if (provider == null) {
      throw new ConfigurationException(
          "environment '"
              + environment
              + "' uses provider '"
              + env.database().provider()
              + "', which this build does not include; available: "
              + String.join(", ", new TreeSet<>(providers.keySet())));
    }
    Optional<UrlTarget> target = Optional.empty();
    if (env.urlTarget() != null) {
      UrlTarget.Factory factory = urlTargets.get(env.urlTarget().type());
      if (factory == null) {
        throw new ConfigurationException(
            "environment '"
                + environment
                + "' has url-target type '"
                + env.urlTarget().type()
                + "'; available: "
                + String.join(", ", new TreeSet<>(urlTargets.keySet())));
      }
      Path base =
          config.source().map(p -> p.toAbsolutePath().getParent()).orElse(config.stateDir());
      target = Optional.of(factory.create(env.urlTarget(), base));
    }
    return new RunContext(env, provider, target, config.stateDir(), clock);
  }

  private static ContinuousArchiving archiving(RunContext ctx, String environment) {
    Provider provider = ctx.provider();
    if (provider instanceof ContinuousArchiving) {
      return (ContinuousArchiving) provider;
    }
    throw new ConfigurationException(
        "environment '"
            + environment
            + "' uses provider '"
            + provider.name()
            + "', which does not let dbrecover run WAL archiving or base backups (a cloud provider"
            + " keeps its own point-in-time history); `dbrecover plan "
            + environment
            + "` and `dbrecover status "
            + environment
            + "` show its restore window");
  }

  /** Migrations applied live that the decision's recovery point will not have. */
  private static List<String> removed(MigrationState current, Decision decision) {
    RecoveryPoint point = decision.point();
    boolean moment =
        point.kind() == RecoveryPoint.Kind.POINT_IN_TIME
            || point.kind() == RecoveryPoint.Kind.BRANCH_POINT;
    if (moment && point.migrationState() == MigrationState.NONE) {
      // The tree could not tell which migrations had started (an LSN, or start times unknown):
      // list those known to have started after the target, never everything.
      if (point.targetLsn().isPresent()) {
        return List.of();
      }
      return current.applied().stream()
          .filter(a -> a.startedAt() != null && a.startedAt().isAfter(decision.target()))
          .map(MigrationState.Applied::name)
          .toList();
    }
    return names(current.removedGoingTo(point.migrationState()));
  }

  private static List<String> names(List<MigrationState.Applied> applied) {
    return applied.stream().map(MigrationState.Applied::name).toList();
  }

  /** An environment's lock; closing it more than once is harmless. */
  public static final class Lock implements AutoCloseable {
    private final StateStore.Lock lock;
    private boolean closed;

    Lock(StateStore.Lock lock) {
      this.lock = lock;
    }

    /** Confirms the lock is still held (a lease is extended); exit 7 when it was lost. */
    public synchronized void renew() {
      lock.renew();
    }

    @Override
    public synchronized void close() {
      if (!closed) {
        closed = true;
        lock.close();
      }
    }
  }

  /** A run in progress, holding its environment's lock until closed. */
  public static final class RunSession implements AutoCloseable {
    private final RecoveryRun run;
    private final Lock lock;

    RunSession(RecoveryRun run, Lock lock) {
      this.run = run;
      this.lock = lock;
    }

    public String runId() {
      return run.header().runId();
    }

    public String environment() {
      return run.header().environment();
    }

    public Decision decision() {
      return run.header().decision();
    }

    public Path runDir() {
      return run.runDir();
    }

    /** Runs steps until done, waiting for the provider, or past {@code deadline}. */
    public RunOutcome advance(Instant deadline, Interaction io) {
      lock.renew();
      return run.advance(deadline, io);
    }

    @Override
    public void close() {
      lock.close();
    }
  }
}
