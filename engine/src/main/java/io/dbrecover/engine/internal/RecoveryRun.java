package io.dbrecover.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dbrecover.engine.api.BackupCheck;
import io.dbrecover.engine.api.DataLossReport;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.EnvironmentStatus;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.Interaction;
import io.dbrecover.engine.api.MigrationState;
import io.dbrecover.engine.api.ProtectionLevel;
import io.dbrecover.engine.api.RecoveryPoint;
import io.dbrecover.engine.api.RunOutcome;
import io.dbrecover.engine.api.Secret;
import io.dbrecover.engine.api.Step;
import io.dbrecover.engine.api.Summaries;
import io.dbrecover.engine.api.Trace;
import io.dbrecover.engine.api.Verification;
import io.dbrecover.engine.spi.BackupRequest;
import io.dbrecover.engine.spi.BackupSnapshot;
import io.dbrecover.engine.spi.ChangedBlocks;
import io.dbrecover.engine.spi.DatabaseInspector;
import io.dbrecover.engine.spi.Progress;
import io.dbrecover.engine.spi.ProviderContext;
import io.dbrecover.engine.spi.RestoreRequest;
import io.dbrecover.engine.spi.RestoreStatus;
import io.dbrecover.engine.spi.UrlTarget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Carries out one recovery run step by step from its journal. Each step is idempotent: a run that
 * crashed resumes at the first step without a "done" record and redoes it.
 *
 * <p>The original database is never changed before a verified safety copy exists: side by side, the
 * untouched original is the safety copy; in place, a safety backup is taken and verified first.
 */
public final class RecoveryRun {
  private final RunContext ctx;
  private final Journal journal;
  private final RunHeader header;
  private final Path runDir;
  private final Map<Step, Journal.Entry> last = new EnumMap<>(Step.class);

  /** Steps whose label this process printed. */
  private final java.util.Set<Step> announced = java.util.EnumSet.noneOf(Step.class);

  /** The provider's answer once the restore is done (this process; asked again after a resume). */
  private RestoreStatus.Done restored;

  /**
   * The live side of the data-loss comparison, read while the restore runs. Held in memory only: a
   * resumed run in another process reads it again at the data-loss step.
   */
  private CompletableFuture<DataLossAnalyzer.SideRead> liveRead;

  /**
   * For a side-by-side point-in-time restore, instead of {@link #liveRead}: the live side read in a
   * snapshot held open until the data-loss report, so the provider's write-ahead log can narrow the
   * comparison to what changed after the recovery point (this process only).
   */
  private CompletableFuture<LiveSnapshot> liveSnapshot;

  // null until asked (see backupSnapshot())
  private Optional<BackupSnapshot> backupSnapshot;

  /** Tables of the restored database read while the restore ran (this process only). */
  private DataLossAnalyzer.TableReads restoredTableReads;

  /** The restored side, read by the same pass that counts its rows for verification. */
  private DataLossAnalyzer.SideRead restoredRead;

  private RecoveryRun(RunContext ctx, Journal journal, RunHeader header, Path runDir) {
    this.ctx = ctx;
    this.journal = journal;
    this.header = header;
    this.runDir = runDir;
    for (Journal.Entry e : journal.entries()) {
      if ("step".equals(e.type())) {
        last.put(Step.valueOf(e.step()), e);
      }
    }
  }

  /** Starts a new run: writes its header record. */
  public static RecoveryRun create(RunContext ctx, Path runDir, RunHeader header) {
    return create(ctx, Journal.create(runDir), runDir, header);
  }

  /**
   * Starts a new run whose journal is {@code journal} (empty) and whose reports go to {@code
   * runDir}.
   */
  public static RecoveryRun create(RunContext ctx, Journal journal, Path runDir, RunHeader header) {
    journal.append(
        "run", null, "created", Json.mapper().valueToTree(header), ctx.clock().instant());
    return new RecoveryRun(ctx, journal, header, runDir);
  }

  /** Opens a run from its journal file. */
  public static RecoveryRun open(RunContext ctx, Path runDir) {
    return open(ctx, Journal.open(runDir), runDir);
  }

  /** Opens a run from {@code journal}; its reports go to {@code runDir}. */
  public static RecoveryRun open(RunContext ctx, Journal journal, Path runDir) {
    Journal.Entry first = journal.entries().isEmpty() ? null : journal.entries().get(0);
    if (first == null || !"run".equals(first.type())) {
      throw new DbRecoverException(
          ErrorCode.CONFIGURATION, "the journal " + journal.describe() + " has no run header");
    }
    return new RecoveryRun(
        ctx, journal, Json.mapper().convertValue(first.data(), RunHeader.class), runDir);
  }

  /** The same run with a context to advance in, without reading the journal again. */
  public RecoveryRun withContext(RunContext context) {
    return new RecoveryRun(context, journal, header, runDir);
  }

  /** Reads a run for reporting only; it cannot advance. */
  public static RecoveryRun read(Path runDir) {
    return open(null, runDir);
  }

  /** Reads a run from {@code journal} for reporting only; it cannot advance. */
  public static RecoveryRun read(Journal journal, Path runDir) {
    return open(null, journal, runDir);
  }

  /** The run at a glance: its state is that of its last failure unless a step succeeded since. */
  public EnvironmentStatus.RunSummary summary() {
    Journal.Entry failure = standingFailure();
    Journal.Entry lastStep = lastStep();
    String state =
        !finished()
            ? "incomplete (resume it)"
            : failure == null ? "done" : "failed (" + failure.data().path("code").asText() + ")";
    return new EnvironmentStatus.RunSummary(
        header.runId(),
        header.createdAt(),
        header.decision().method().label(),
        header.decision().target(),
        state,
        lastStep == null ? "-" : Step.valueOf(lastStep.step()).label() + " " + lastStep.status());
  }

  /**
   * The journal's last failed step entry (its data holds {@code code} and {@code message}), unless
   * a step other than the report succeeded after it (a resumed run); null when none stands.
   */
  Journal.Entry standingFailure() {
    Journal.Entry failure = null;
    for (Journal.Entry e : journal.entries()) {
      if (!"step".equals(e.type())) {
        continue;
      }
      if ("failed".equals(e.status())) {
        failure = e;
      } else if ("done".equals(e.status()) && !Step.REPORT.name().equals(e.step())) {
        failure = null;
      }
    }
    return failure;
  }

  /** The journal's last step entry, or null before the first step. */
  Journal.Entry lastStep() {
    Journal.Entry last = null;
    for (Journal.Entry e : journal.entries()) {
      if ("step".equals(e.type())) {
        last = e;
      }
    }
    return last;
  }

  public RunHeader header() {
    return header;
  }

  public Journal journal() {
    return journal;
  }

  public Path runDir() {
    return runDir;
  }

  /** Whether the run reached its end (done, failed for good, or cancelled). */
  public boolean finished() {
    Journal.Entry report = last.get(Step.REPORT);
    return report != null && "done".equals(report.status());
  }

  /**
   * Runs steps until the run is done, a step must wait for the provider, or the deadline passes.
   */
  public RunOutcome advance(Instant deadline, Interaction io) {
    for (Step step : Step.values()) {
      Journal.Entry entry = last.get(step);
      // The report is rewritten on every pass, so a resumed run's report tells how it ended.
      if (entry != null && "done".equals(entry.status()) && step != Step.REPORT) {
        continue;
      }
      if (step != Step.REPORT && ctx.clock().instant().isAfter(deadline)) {
        return new RunOutcome(
            header.runId(), RunOutcome.State.WAITING, ctx.clock().instant(), null, null);
      }
      boolean waited = entry != null && "waiting".equals(entry.status());
      if (!waited) {
        record(step, "started", null);
      }
      StepResult result;
      try {
        if (announced.add(step)) {
          io.progress(step, step.label()); // not again on every poll of a step that waits
        }
        result = run(step, io);
      } catch (DbRecoverException e) {
        return fail(step, e, io);
      } catch (RuntimeException e) {
        return fail(
            step,
            new DbRecoverException(
                step == Step.VERIFY_RESTORED || step == Step.VERIFY_LIVE
                    ? ErrorCode.VERIFICATION_FAILED
                    : ErrorCode.RESTORE_FAILED,
                step.label() + " failed: " + DbUrl.redact(String.valueOf(e.getMessage())),
                e),
            io);
      }
      if (result.waitUntil() != null) {
        if (!waited || !java.util.Objects.equals(entry.data(), result.data())) {
          // A step polled several times a second records a new state, not every poll.
          record(step, "waiting", result.data());
        }
        return new RunOutcome(
            header.runId(), RunOutcome.State.WAITING, result.waitUntil(), null, null);
      }
      record(step, "done", result.data());
    }
    return new RunOutcome(
        header.runId(), RunOutcome.State.DONE, null, runDir().resolve(ReportWriter.MARKDOWN), null);
  }

  private RunOutcome fail(Step step, DbRecoverException e, Interaction io) {
    if (liveSnapshot != null) {
      liveSnapshot.thenAccept(LiveSnapshot::close); // let go of the live snapshot held open
      liveSnapshot = null;
    }
    ObjectNode data = Journal.object();
    data.put("code", e.code().name());
    data.put("message", DbUrl.redact(e.getMessage()));
    record(step, "failed", data);
    try {
      record(Step.REPORT, "started", null);
      record(Step.REPORT, "done", reportData(writeReport(step, e)));
    } catch (RuntimeException reportFailure) {
      e.addSuppressed(reportFailure);
    }
    return new RunOutcome(
        header.runId(), RunOutcome.State.FAILED, null, runDir().resolve(ReportWriter.MARKDOWN), e);
  }

  private void record(Step step, String status, JsonNode data) {
    last.put(step, journal.append("step", step.name(), status, data, ctx.clock().instant()));
  }

  private record StepResult(JsonNode data, Instant waitUntil) {
    static StepResult done(JsonNode data) {
      return new StepResult(data, null);
    }
  }

  private StepResult run(Step step, Interaction io) {
    switch (step) {
      case PREFLIGHT:
        return preflight(io);
      case SAFETY_COPY:
        return safetyCopy(io);
      case START_RESTORE:
        return restore(io, true);
      case AWAIT_RESTORE:
        return restore(io, false);
      case VERIFY_RESTORED:
        return verifyRestored();
      case DATA_LOSS_REPORT:
        return dataLoss(io);
      case CONFIRM:
        return confirm(io);
      case SWAP_URL:
        return swap(io);
      case VERIFY_LIVE:
        return verifyLive();
      case REPORT:
        return StepResult.done(reportData(writeReport(null, null)));
      default:
        throw new IllegalStateException(step.name());
    }
  }

  // --- steps ---------------------------------------------------------------------------------

  private StepResult preflight(Interaction io) {
    DbUrl original = originalUrl();
    try (var c = DatabaseInspector.connect(original)) {
      c.isValid(5);
    } catch (java.sql.SQLException e) {
      throw new DbRecoverException(
          ErrorCode.CONFIGURATION, "cannot reach the live database " + original.redacted(), e);
    }
    ObjectNode data = Journal.object();
    data.put("original", original.redacted());
    data.put("point", point().id());
    io.progress(
        Step.PREFLIGHT,
        "recovering "
            + original.redacted()
            + " with "
            + header.decision().method().label()
            + " from "
            + point().id());
    return StepResult.done(data);
  }

  private StepResult safetyCopy(Interaction io) {
    ObjectNode data = Journal.object();
    if (!header.options().inPlace()) {
      data.put("kind", "original-kept");
      data.put(
          "location", "database " + header.originalDatabase() + " (untouched, kept for swap-back)");
      return StepResult.done(data);
    }
    ProviderContext pc = ctx.providerContext(originalUrl(), m -> io.progress(Step.SAFETY_COPY, m));
    java.util.Optional<String> kept = ctx.provider().originalKeptByReplace(pc, restoreRequest());
    if (kept.isPresent()) {
      // The replacement itself keeps the original (e.g. Neon's preserve_under_name): that is
      // the safety copy, and it exists for as long as the replaced state does.
      data.put("kind", "kept-by-provider");
      data.put("location", kept.get());
      io.progress(Step.SAFETY_COPY, "the replacement keeps the original as " + kept.get());
      return StepResult.done(data);
    }
    RecoveryPoint safety =
        ctx.provider().recoveryPoints(pc).stream()
            .filter(p -> p.safety() && header.runId().equals(p.label()))
            .findFirst()
            .orElseGet(
                () ->
                    ctx.provider()
                        .backup(pc, new BackupRequest(header.runId(), true, header.runId())));
    BackupCheck check = ctx.provider().verifyBackup(pc, safety.id(), false);
    if (!check.passed()) {
      throw new DbRecoverException(
          ErrorCode.RESTORE_FAILED,
          "the safety backup "
              + safety.id()
              + " failed verification ("
              + check.checks().stream()
                  .filter(c -> !c.passed())
                  .map(c -> c.name() + ": " + c.detail())
                  .toList()
              + "); the original was not touched");
    }
    data.put("kind", "backup");
    data.put("backupId", safety.id());
    data.put("location", safety.location());
    io.progress(Step.SAFETY_COPY, "safety backup " + safety.id() + " taken and verified");
    return StepResult.done(data);
  }

  private StepResult restore(Interaction io, boolean start) {
    readLiveSideMeanwhile();
    if (restoredTableReads == null) {
      restoredTableReads = new DataLossAnalyzer.TableReads(backupSnapshot().isPresent());
    }
    DataLossAnalyzer.TableReads reads = restoredTableReads;
    Progress progress =
        new Progress() {
          @Override
          public void update(String message) {
            io.progress(Step.START_RESTORE, message);
          }

          @Override
          public void tableLoaded(DbUrl restored, String table) {
            reads.tableLoaded(restored, table);
          }

          @Override
          public void heavyWorkDone(DbUrl restored) {
            reads.heavyWorkDone(restored);
          }
        };
    ProviderContext pc = ctx.providerContext(originalUrl(), progress);
    RestoreRequest request = restoreRequest();
    RestoreStatus status;
    try {
      if (start) {
        status = ctx.provider().startRestore(pc, request);
      } else {
        // A restore that finished within its start (pg_restore) is not asked again here; a
        // resumed run, whose start was another process's, asks.
        status = restored != null ? restored : ctx.provider().pollRestore(pc, request);
      }
    } catch (RuntimeException e) {
      reads.close(); // let go of the half-restored database
      throw e;
    }
    if (status instanceof RestoreStatus.Failed) {
      reads.close();
    }
    if (status instanceof RestoreStatus.Failed) {
      throw new DbRecoverException(
          ErrorCode.RESTORE_FAILED,
          "restore of "
              + point().id()
              + " failed: "
              + ((RestoreStatus.Failed) status).reason()
              + "; the original database "
              + header.originalDatabase()
              + " is untouched");
    }
    ObjectNode data = Journal.object();
    data.put("target", request.targetName());
    if (status instanceof RestoreStatus.Running) {
      RestoreStatus.Running running = (RestoreStatus.Running) status;
      data.put("detail", running.detail());
      return start ? StepResult.done(data) : new StepResult(data, running.pollAt());
    }
    RestoreStatus.Done done = (RestoreStatus.Done) status;
    restored = done; // the later steps need not ask again
    data.put("restored", done.url().redacted());
    data.put("description", done.description());
    return StepResult.done(data);
  }

  /**
   * Starts reading the live database for the data-loss report on a background thread, so that the
   * read overlaps the restore instead of following it.
   */
  private void readLiveSideMeanwhile() {
    if (liveRead != null || liveSnapshot != null) {
      return;
    }
    DbUrl original = originalUrl();
    if (point().kind() == RecoveryPoint.Kind.POINT_IN_TIME
        && !header.options().inPlace()
        && ctx.provider().readsChangedBlocks(restoreRequest())) {
      liveSnapshot =
          CompletableFuture.supplyAsync(
              () -> {
                try (Trace.Span span = Trace.span("live snapshot: counts")) {
                  return LiveSnapshot.take(original);
                }
              },
              r -> {
                Thread t = new Thread(r, "dbrecover-live-read");
                t.setDaemon(true);
                t.start();
              });
      return;
    }
    Optional<BackupSnapshot> snapshot = backupSnapshot();
    liveRead =
        CompletableFuture.supplyAsync(
            () ->
                snapshot.isPresent()
                    ? new DataLossAnalyzer().readSince(original, snapshot.get())
                    : new DataLossAnalyzer().read(original, true),
            r -> {
              Thread t = new Thread(r, "dbrecover-live-read");
              t.setDaemon(true);
              t.start();
            });
  }

  /**
   * The snapshot the logical backup being restored side by side was taken in, if it recorded one:
   * then only the live rows written after it are compared (see {@link RowsSinceBackup}), and the
   * restored side needs only its row counts. Asked once.
   */
  private Optional<BackupSnapshot> backupSnapshot() {
    if (backupSnapshot == null) {
      backupSnapshot =
          point().kind() == RecoveryPoint.Kind.LOGICAL_BACKUP && !header.options().inPlace()
              ? ctx.provider().backupSnapshot(ctx.providerContext(originalUrl(), m -> {}), point())
              : Optional.empty();
    }
    return backupSnapshot;
  }

  private StepResult verifyRestored() {
    DataLossAnalyzer analyzer = new DataLossAnalyzer();
    // The row counts are checked last: the other checks run while the reads made beside the
    // restore finish. Finishing closes the connection those used (an in-place swap renames this
    // database later), so it happens also when the counts are not checked (finish() is idempotent).
    Verification v;
    try {
      v =
          new Verifier(
                  c -> {
                    Map<String, DataLossAnalyzer.Summary> readDuringRestore;
                    try (Trace.Span span =
                        Trace.span("verify restored: reads during the restore finished")) {
                      readDuringRestore =
                          restoredTableReads == null ? Map.of() : restoredTableReads.finish();
                    }
                    restoredRead =
                        backupSnapshot().isPresent()
                            ? analyzer.readCounts(c, readDuringRestore)
                            : analyzer.read(c, readDuringRestore);
                    return restoredRead.rowCounts();
                  })
              .verify(
                  "restored database " + restoredUrl().redacted(),
                  restoredUrl(),
                  expectations(true));
    } finally {
      if (restoredTableReads != null) {
        restoredTableReads.finish();
      }
    }
    JsonNode data = Json.mapper().valueToTree(v);
    if (!v.passed()) {
      record(Step.VERIFY_RESTORED, "checked", data);
      throw new DbRecoverException(
          ErrorCode.VERIFICATION_FAILED,
          "the restored database failed verification: "
              + describe(v)
              + "; DATABASE_URL was not changed and the original is untouched");
    }
    return StepResult.done(data);
  }

  private StepResult dataLoss(Interaction io) {
    LiveSnapshot snapshot = null;
    if (liveSnapshot != null) {
      try (Trace.Span span = Trace.span("data-loss report: wait for the live snapshot")) {
        snapshot = liveSnapshot.join();
      } catch (CompletionException | CancellationException e) {
        snapshot = null; // compared in full below, with the error surfacing there if it persists
      }
      liveSnapshot = null;
    }
    if (snapshot != null && !snapshot.alive()) {
      // e.g. ended by the live server's idle_in_transaction_session_timeout during a long replay
      snapshot.close();
      snapshot = null;
    }
    if (snapshot != null) {
      try (LiveSnapshot held = snapshot) {
        ChangedBlocks changed;
        try (Trace.Span span = Trace.span("data-loss report: changed blocks")) {
          changed =
              held.lsn() == null
                  ? ChangedBlocks.unknown("the live database did not give its WAL position")
                  : ctx.provider()
                      .changedBlocks(
                          ctx.providerContext(originalUrl(), m -> {}),
                          restoreRequest(),
                          restoredUrl(),
                          held.lsn());
        }
        DataLossReport report;
        try (Trace.Span span = Trace.span("data-loss report: compare")) {
          report = new DataLossAnalyzer().compare(held, restoredUrl(), changed);
        }
        io.progress(Step.DATA_LOSS_REPORT, "compared " + report.method());
        return StepResult.done(Json.mapper().valueToTree(report));
      }
    }
    DataLossAnalyzer.SideRead live = null;
    if (liveRead != null) {
      try {
        live = liveRead.join();
      } catch (CompletionException | CancellationException e) {
        live = null; // read again below, with the error surfacing there if it persists
      }
    }
    DataLossReport report =
        new DataLossAnalyzer().compare(originalUrl(), restoredUrl(), live, restoredRead);
    return StepResult.done(Json.mapper().valueToTree(report));
  }

  private StepResult confirm(Interaction io) {
    ObjectNode data = Journal.object();
    EnvironmentConfig env = ctx.environment();
    if (header.options().force()) {
      data.put("by", "--force");
    } else if (env.protection() == ProtectionLevel.NONE) {
      data.put("by", "protection none");
    } else {
      String phrase = "rollback-" + env.name();
      if (!io.confirm(env.protection(), phrase, confirmationSummary())) {
        throw new DbRecoverException(
            ErrorCode.CANCELLED,
            "cancelled; nothing was swapped. The restored database "
                + restoreRequest().targetName()
                + " is kept for inspection; the original "
                + header.originalDatabase()
                + " is untouched");
      }
      data.put(
          "by", env.protection() == ProtectionLevel.STRICT ? "typed " + phrase : "answered yes");
    }
    return StepResult.done(data);
  }

  private StepResult swap(Interaction io) {
    ObjectNode data = Journal.object();
    if (header.options().inPlace()) {
      ProviderContext pc = ctx.providerContext(originalUrl(), m -> io.progress(Step.SWAP_URL, m));
      ctx.provider().replaceOriginal(pc, restoreRequest(), header.originalDatabase());
      data.put("mode", "in-place");
      data.put(
          "detail",
          "database "
              + header.originalDatabase()
              + " replaced by the restored copy; DATABASE_URL unchanged");
      return StepResult.done(data);
    }
    DbUrl restored = restoredUrl();
    if (ctx.urlTarget().isEmpty()) {
      data.put("mode", "none");
      data.put(
          "detail",
          "no url-target configured: point the application at "
              + restored.redacted()
              + " yourself");
      return StepResult.done(data);
    }
    UrlTarget target = ctx.urlTarget().get();
    Map<String, String> receipt = target.write(restored.toSecretUri(), header.runId());
    data.put("mode", "url-target");
    data.put("target", target.describe());
    data.put("url", restored.redacted());
    data.set("receipt", Json.mapper().valueToTree(receipt));
    io.progress(Step.SWAP_URL, target.describe() + " now points to " + restored.redacted());
    return StepResult.done(data);
  }

  private StepResult verifyLive() {
    DbUrl live;
    if (header.options().inPlace() || ctx.urlTarget().isEmpty()) {
      live = header.options().inPlace() ? originalUrl() : restoredUrl();
    } else {
      Secret value =
          ctx.urlTarget()
              .get()
              .read()
              .orElseThrow(
                  () ->
                      new DbRecoverException(
                          ErrorCode.VERIFICATION_FAILED,
                          ctx.urlTarget().get().describe() + " has no value after the swap"));
      live = DbUrl.parse(value.reveal());
    }
    Verification v =
        new Verifier().verify("live database via " + live.redacted(), live, expectations(false));
    JsonNode data = Json.mapper().valueToTree(v);
    if (!v.passed()) {
      record(Step.VERIFY_LIVE, "checked", data);
      throw new DbRecoverException(
          ErrorCode.VERIFICATION_FAILED,
          "the live database failed verification after the swap: "
              + describe(v)
              + "; undo with `dbrecover swap-back "
              + header.runId()
              + "`");
    }
    return StepResult.done(data);
  }

  private String confirmationSummary() {
    RunHeader h = header;
    StringBuilder sb = new StringBuilder();
    sb.append("Environment:   ").append(h.environment()).append('\n');
    sb.append("Method:        ").append(h.decision().method().label()).append('\n');
    sb.append("Recover to:    ").append(Summaries.point(h.decision().point())).append('\n');
    sb.append("Migrations removed: ")
        .append(h.removedMigrations().isEmpty() ? "none" : String.join(", ", h.removedMigrations()))
        .append('\n');
    JsonNode loss =
        lastOf(Step.DATA_LOSS_REPORT) == null ? null : lastOf(Step.DATA_LOSS_REPORT).data();
    if (loss != null) {
      sb.append('\n')
          .append(Summaries.dataLossTable(Json.mapper().convertValue(loss, DataLossReport.class)));
    }
    sb.append('\n');
    Journal.Entry safety = lastOf(Step.SAFETY_COPY);
    if (h.options().inPlace()
        && safety != null
        && "kept-by-provider".equals(safety.data().path("kind").asText())) {
      sb.append("Database ")
          .append(h.originalDatabase())
          .append(" will be replaced by the restored copy; its current state is kept as ")
          .append(safety.data().path("location").asText())
          .append(".\n");
    } else if (h.options().inPlace()) {
      sb.append("Database ")
          .append(h.originalDatabase())
          .append(
              " will be DROPPED and replaced by the restored copy (a verified safety backup exists).\n");
    } else {
      sb.append("DATABASE_URL will point to the restored database; the original ")
          .append(h.originalDatabase())
          .append(" stays untouched for swap-back.\n");
    }
    return sb.toString();
  }

  // --- helpers -------------------------------------------------------------------------------

  RecoveryPoint point() {
    return header.decision().point();
  }

  RunContext context() {
    return ctx;
  }

  /** The latest record of a step, if any. */
  public Journal.Entry lastOf(Step step) {
    return last.get(step);
  }

  DbUrl originalUrl() {
    return ctx.liveUrl().withDatabase(header.originalDatabase());
  }

  RestoreRequest restoreRequest() {
    return new RestoreRequest(header.runId(), point(), targetName(), false);
  }

  private String targetName() {
    String suffix = "_rb_" + RunIds.shortId(header.runId());
    String base = header.originalDatabase();
    return (base.length() + suffix.length() > 63 ? base.substring(0, 63 - suffix.length()) : base)
        + suffix;
  }

  DbUrl restoredUrl() {
    // Asked by several steps; once the restore is done its URL does not change.
    if (restored != null) {
      return restored.url();
    }
    RestoreStatus status =
        ctx.provider().pollRestore(ctx.providerContext(originalUrl(), null), restoreRequest());
    if (!(status instanceof RestoreStatus.Done)) {
      throw new DbRecoverException(
          ErrorCode.RESTORE_FAILED,
          "the restored database " + targetName() + " is not available: " + status);
    }
    restored = (RestoreStatus.Done) status;
    return restored.url();
  }

  private Verifier.Expectations expectations(boolean rowCounts) {
    RecoveryPoint p = point();
    List<EnvironmentConfig.SmokeQuery> smoke = new ArrayList<>(ctx.environment().smokeQueries());
    smoke.addAll(header.options().extraSmokeQueries());
    switch (p.kind()) {
      case POINT_IN_TIME:
      case BRANCH_POINT:
        // A moment in the history: nothing was recorded then. The migration state is known when
        // the tree could tell which migrations had started (never for an LSN target).
        boolean known = p.targetLsn().isEmpty() && p.migrationState() != MigrationState.NONE;
        return new Verifier.Expectations(known ? p.migrationState() : null, null, null, smoke);
      case BASE_BACKUP:
        // Counts and fingerprint are read when the base backup starts; writes during the copy
        // are part of its consistent end, so only the migration state must match.
        return new Verifier.Expectations(p.migrationState(), null, null, smoke);
      case SNAPSHOT:
        // A provider's snapshot (RDS, Neon) records no row counts: nothing read beside it is
        // consistent with it. Empty counts mean "not recorded" here, not "no tables"; with nothing
        // recorded at all (Neon), no migration state either, so only smoke queries are checked.
        boolean counted = rowCounts && !p.rowCounts().isEmpty();
        boolean nothingRecorded = p.schemaFingerprint() == null && p.rowCounts().isEmpty();
        MigrationState state =
            nothingRecorded && p.migrationState() == MigrationState.NONE
                ? null
                : p.migrationState();
        return new Verifier.Expectations(
            state, p.schemaFingerprint(), counted ? p.rowCounts() : null, smoke);
      default:
        return new Verifier.Expectations(
            p.migrationState(), p.schemaFingerprint(), rowCounts ? p.rowCounts() : null, smoke);
    }
  }

  private static String describe(Verification v) {
    StringBuilder sb = new StringBuilder();
    for (Verification.Check c : v.failures()) {
      if (sb.length() > 0) {
        sb.append("; ");
      }
      sb.append(c.name())
          .append(": expected ")
          .append(c.expected())
          .append(", got ")
          .append(c.actual());
    }
    return sb.toString();
  }

  private Path writeReport(Step failedStep, DbRecoverException error) {
    try {
      return new ReportWriter().write(this, failedStep, error);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode reportData(Path markdown) {
    ObjectNode data = Journal.object();
    data.put("markdown", markdown.toString());
    data.put("json", markdown.resolveSibling(ReportWriter.JSON).toString());
    return data;
  }
}
