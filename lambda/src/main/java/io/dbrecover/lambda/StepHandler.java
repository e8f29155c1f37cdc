package io.dbrecover.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dbrecover.engine.api.ApprovalRequest;
import io.dbrecover.engine.api.DataLossReport;
import io.dbrecover.engine.api.DbRecoverConfig;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.Decision;
import io.dbrecover.engine.api.EnvironmentStatus;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.Plan;
import io.dbrecover.engine.api.ProtectionLevel;
import io.dbrecover.engine.api.RecoveryEngine;
import io.dbrecover.engine.api.RunOptions;
import io.dbrecover.engine.api.RunOutcome;
import io.dbrecover.engine.api.RunReport;
import io.dbrecover.engine.api.Secret;
import io.dbrecover.engine.api.Summaries;
import io.dbrecover.engine.api.Verification;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The step entry, called by the recovery state machine. {@code start} plans the incident under the
 * environment's lock and starts a run (once per execution: a retried start finds its run); {@code
 * advance} runs the run's steps with the engine's {@code advance(deadline)} until the Lambda's
 * remaining time, less a margin, is used up. Either answers {@code {status: done | wait | failed,
 * waitSeconds, runId}}: the state machine waits {@code waitSeconds} and advances again.
 *
 * <p>For a protected environment, {@code start} first answers {@code approve} with the plan and a
 * new run id, changing nothing; {@code await-approval} records the waiting task's token under that
 * id for {@code dbrecover approve}; the approved {@code start} then starts the run under it.
 *
 * <p>Unexpected errors are thrown, so the state machine's retry (with backoff) repeats the step;
 * every step of a run is idempotent and resumes from the journal.
 *
 * <p>Handler: {@code io.dbrecover.lambda.StepHandler::handleRequest}.
 */
public final class StepHandler implements RequestStreamHandler {
  static final String ENTRY = "step";

  /** The longest the state machine is told to wait before asking again. */
  static final Duration MAX_WAIT = Duration.ofMinutes(5);

  /** How long the state machine's AwaitApproval waits (its TimeoutSeconds; AslTest checks). */
  static final Duration APPROVAL_TIMEOUT = Duration.ofHours(4);

  /** How long to wait when the environment's lock is held by another invocation. */
  static final Duration LOCKED_WAIT = Duration.ofSeconds(30);

  /** At most this many tables are named in a finished run's result (the report has them all). */
  static final int RESULT_TABLES = 20;

  private final RecoveryEngine engine;
  private final DbRecoverConfig config;
  private final ExecutionRuns executions;
  private final Duration margin;
  private final JsonLog log;
  private final Clock clock;

  /** Used by the Lambda runtime: the execution environment's graph, built at init. */
  public StepHandler() {
    this(LambdaRuntime.recovery());
  }

  StepHandler(LambdaComponent component) {
    this.engine = component.engine();
    this.config = component.config();
    this.executions = component.executionRuns();
    this.margin = component.settings().stepMargin();
    this.log = component.log();
    this.clock = engine.clock();
  }

  @Override
  public void handleRequest(InputStream input, OutputStream output, Context context)
      throws IOException {
    byte[] raw = input.readAllBytes();
    ObjectNode response;
    try {
      JsonNode in = Payloads.objectWithKeys(raw, ENTRY, StepInput.KEYS);
      String action = Payloads.required(in, "action", ENTRY);
      if (StepInput.START.equals(action)) {
        response =
            start(
                StepInput.incident(in),
                in.hasNonNull("approval") ? Approval.read(in.get("approval")) : null,
                announcedRunId(in));
      } else if (StepInput.ADVANCE.equals(action)) {
        response = advance(Payloads.required(in, "runId", ENTRY), deadline(context));
      } else if (StepInput.AWAIT_APPROVAL.equals(action)) {
        try {
          response = awaitApproval(in);
        } catch (RejectedEventException e) {
          // Its answer is not read: the task waits for its token. Only an error fails it now,
          // rather than after four hours of waiting for an answer nobody can give.
          log.error(ENTRY, "input rejected: " + e.getMessage(), Map.of("bytes", raw.length));
          throw new DbRecoverException(
              ErrorCode.CONFIGURATION,
              "the await-approval input is rejected: "
                  + e.getMessage()
                  + "; the waiting task fails and the failure is notified",
              e);
        }
      } else {
        throw new RejectedEventException(
            "action '"
                + action
                + "' is not one of "
                + String.join(", ", StepInput.START, StepInput.ADVANCE, StepInput.AWAIT_APPROVAL));
      }
    } catch (RejectedEventException e) {
      log.error(ENTRY, "input rejected: " + e.getMessage(), Map.of("bytes", raw.length));
      response = failed(null, e);
    }
    Payloads.write(output, response);
  }

  private ObjectNode start(IncidentRequest request, Approval approval, String announcedRunId) {
    String env = request.environment();
    Optional<ExecutionRuns.Entry> known = executions.find(request.execution());
    if (known.isPresent() && known.get().runId() != null) {
      log.info(
          ENTRY,
          "execution " + request.execution() + " already started run " + known.get().runId(),
          Map.of("execution", request.execution(), "runId", known.get().runId()));
      return waiting(known.get().runId(), Duration.ZERO);
    }
    if (known.isPresent()) {
      Optional<String> adopted = runStartedSince(env, known.get().reservedAt());
      if (adopted.isPresent()) {
        // A start that died between starting the run and recording it: adopt, never start twice.
        executions.record(request.execution(), adopted.get());
        log.warn(
            ENTRY,
            "execution " + request.execution() + " adopts run " + adopted.get(),
            Map.of("execution", request.execution(), "runId", adopted.get()));
        return waiting(adopted.get(), Duration.ZERO);
      }
    }
    try {
      ProtectionLevel protection = config.environment(env).protection();
      boolean approved = false;
      if (protection != ProtectionLevel.NONE) {
        if (approval == null) {
          return approvalRequest(request, protection);
        }
        approval.check(protection, env);
        approved = true;
        log.info(
            ENTRY,
            "recovery of "
                + env
                + " approved"
                + (approval.by() == null ? "" : " by " + approval.by()),
            Map.of("execution", request.execution(), "approvedBy", String.valueOf(approval.by())));
      }
      RecoveryEngine.Lock lock = engine.lock(config, env, "lambda " + request.execution());
      try {
        // Under the lock: a run of this environment created after the reservation is this one's.
        executions.reserve(request.execution(), clock.instant());
        Plan plan = engine.plan(config, env, request.incident(), false);
        Decision decision = plan.decision();
        if (decision.outcome() != Decision.Outcome.RECOVER) {
          return nothingToRun(request, decision);
        }
        // An approved run starts under the run id its approval request announced, so the
        // message, `dbrecover approve <run-id>` and the run speak of the same run.
        String runId = approved && announcedRunId != null ? announcedRunId : engine.newRunId();
        try (RecoveryEngine.RunSession session =
            engine.start(
                config,
                plan,
                // An approved run skips the confirmation the person has just given (the journal
                // records it as --force; the log says who approved).
                new RunOptions(request.incident(), false, approved, List.of(), null),
                lock,
                runId)) {
          executions.record(request.execution(), session.runId());
          log.info(
              ENTRY,
              "run "
                  + session.runId()
                  + " started on "
                  + env
                  + ": "
                  + decision.method().label()
                  + " to "
                  + decision.target(),
              Map.of(
                  "execution", request.execution(),
                  "runId", session.runId(),
                  "environment", env,
                  "method", decision.method().name()));
          return waiting(session.runId(), Duration.ZERO);
        }
      } finally {
        lock.close();
      }
    } catch (DbRecoverException e) {
      log.error(
          ENTRY,
          "execution " + request.execution() + " cannot start: " + e.getMessage(),
          Map.of("execution", request.execution(), "code", e.code().name()));
      return failed(null, e);
    }
  }

  /** No database action (done), or no recovery point (failed, exit 2); nothing was started. */
  private ObjectNode nothingToRun(IncidentRequest request, Decision decision) {
    String env = request.environment();
    if (decision.outcome() == Decision.Outcome.NO_DATABASE_ACTION) {
      log.info(
          ENTRY,
          "no database action for " + env + ": " + String.join("; ", decision.reasons()),
          Map.of("execution", request.execution()));
      ObjectNode done = response("done", null, 0);
      done.put("note", String.join("; ", decision.reasons()));
      return done;
    }
    throw new DbRecoverException(
        ErrorCode.NO_RECOVERY_POINT,
        "no recovery point for "
            + env
            + " before "
            + request.suspectedStart()
            + ": "
            + String.join("; ", decision.reasons()));
  }

  /**
   * For an environment that needs a person: the plan and the data-loss estimate, changing nothing.
   * The state machine sends them with a task token and calls {@code start} again with the answer.
   */
  private ObjectNode approvalRequest(IncidentRequest request, ProtectionLevel protection) {
    String env = request.environment();
    Plan plan = engine.plan(config, env, request.incident());
    Decision decision = plan.decision();
    if (decision.outcome() != Decision.Outcome.RECOVER) {
      return nothingToRun(request, decision);
    }
    StringBuilder summary = new StringBuilder();
    summary
        .append("dbrecover asks to recover environment ")
        .append(env)
        .append(" (protection ")
        .append(protection.name().toLowerCase(Locale.ROOT))
        .append(").\n");
    if (request.alarm() != null) {
      summary
          .append("Alarm ")
          .append(request.alarm())
          .append(" at ")
          .append(request.stateChangeTime())
          .append("; damage taken to start at ")
          .append(request.suspectedStart())
          .append(".\n");
    }
    summary.append(Summaries.decision(decision));
    summary
        .append("Migrations removed: ")
        .append(
            plan.removedMigrations().isEmpty()
                ? "none"
                : String.join(", ", plan.removedMigrations()))
        .append('\n');
    if (plan.dataLossEstimate() != null) {
      summary.append(Summaries.dataLossTable(plan.dataLossEstimate()));
    }
    summary.append(
        "DATABASE_URL will point to the restored database; the original stays for swap-back.\n");
    // The run id is announced now; the run started after the approval carries it.
    String runId = engine.newRunId();
    summary
        .append("Run id: ")
        .append(runId)
        .append(".\nApprove: dbrecover approve ")
        .append(runId)
        .append(
            protection == ProtectionLevel.STRICT ? " --phrase " + ApprovalRequest.phrase(env) : "")
        .append(". Deny: dbrecover approve ")
        .append(runId)
        .append(" --deny --reason <why>.\n");
    log.info(
        ENTRY,
        "approval requested for " + env + ": " + decision.method().label() + ", run " + runId,
        Map.of("execution", request.execution(), "environment", env, "runId", runId));
    ObjectNode out = response("approve", runId, 0);
    out.put("environment", env);
    out.put("protection", protection.name().toLowerCase(Locale.ROOT));
    out.put("method", decision.method().label());
    out.put("recoveryPoint", String.valueOf(decision.target()));
    out.put("summary", summary.toString());
    return out;
  }

  /**
   * Called by the state machine's waiting task ({@code lambda:invoke.waitForTaskToken}): records
   * the request with its task token in the state store, where {@code dbrecover approve <run-id>}
   * finds it. The token is never logged.
   */
  private ObjectNode awaitApproval(JsonNode in) {
    String runId = Payloads.required(in, "runId", ENTRY);
    if (!RecoveryEngine.isRunId(runId)) {
      throw new RejectedEventException("runId '" + runId + "' is not a run id");
    }
    String env = Payloads.required(in, "environment", ENTRY);
    String execution = Payloads.required(in, "execution", ENTRY);
    String token = Payloads.required(in, "taskToken", ENTRY);
    String protectionText = Payloads.required(in, "protection", ENTRY);
    ProtectionLevel protection;
    try {
      protection = ProtectionLevel.valueOf(protectionText.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new RejectedEventException(
          "protection '" + protectionText + "' is not one of confirm, strict");
    }
    Instant now = clock.instant();
    try {
      config.environment(env);
      engine.requestApproval(
          config,
          new ApprovalRequest(
              runId,
              env,
              protection,
              execution,
              Payloads.optional(in, "executionArn"),
              Payloads.optional(in, "method"),
              Payloads.optional(in, "recoveryPoint"),
              Payloads.optional(in, "summary"),
              now,
              now.plus(APPROVAL_TIMEOUT),
              Secret.of(token),
              null));
    } catch (DbRecoverException e) {
      log.error(
          ENTRY,
          "approval request of run " + runId + " not recorded: " + e.getMessage(),
          Map.of("execution", execution, "runId", runId, "code", e.code().name()));
      // Thrown: the waiting task fails (after the state machine's retries) rather than waiting
      // four hours for an answer nobody can give.
      throw e;
    }
    log.info(
        ENTRY,
        "approval of run " + runId + " on " + env + " awaited until " + now.plus(APPROVAL_TIMEOUT),
        Map.of("execution", execution, "runId", runId, "environment", env));
    ObjectNode out = response("awaiting", runId, 0);
    out.put("expiresAt", now.plus(APPROVAL_TIMEOUT).toString());
    return out;
  }

  /** The run id the approval request announced: the state machine keeps it in {@code run}. */
  private static String announcedRunId(JsonNode in) {
    JsonNode run = in.get("run");
    if (run == null || !run.isObject() || !"approve".equals(run.path("status").asText())) {
      return null;
    }
    String id = run.path("runId").asText(null);
    return RecoveryEngine.isRunId(id) ? id : null;
  }

  private ObjectNode advance(String runId, Instant deadline) {
    RecoveryEngine.RunSession session;
    try {
      session = engine.resume(config, runId);
    } catch (DbRecoverException e) {
      if (e.code() == ErrorCode.LOCKED) {
        log.warn(ENTRY, e.getMessage(), Map.of("runId", runId));
        return waiting(runId, LOCKED_WAIT);
      }
      log.error(
          ENTRY, "run " + runId + " cannot resume: " + e.getMessage(), Map.of("runId", runId));
      return failed(runId, e);
    }
    try (session) {
      RunOutcome outcome = session.advance(deadline, new LambdaInteraction(log, runId));
      switch (outcome.state()) {
        case DONE:
          log.info(
              ENTRY,
              "run " + runId + " done; report " + outcome.report(),
              Map.of("runId", runId, "environment", session.environment()));
          ObjectNode done = response("done", runId, 0);
          done.set("result", result(runId));
          return done;
        case WAITING:
          Duration wait = Duration.between(clock.instant(), outcome.waitUntil());
          return waiting(runId, wait);
        case FAILED:
        default:
          log.error(
              ENTRY,
              "run " + runId + " failed: " + outcome.error().getMessage(),
              Map.of("runId", runId, "code", outcome.error().code().name()));
          ObjectNode failed = failed(runId, outcome.error());
          failed.set("result", result(runId));
          return failed;
      }
    }
  }

  /**
   * The run's outcome at a glance, for the notification the state machine sends when the run ends
   * (its report files stay in this execution environment's {@code /tmp}): status, where the
   * recovered database and the original are, where DATABASE_URL points, the undo, each
   * verification, the rows lost and changed (tables that lose rows first, at most {@link
   * #RESULT_TABLES}), and the command that prints the whole report from the journal.
   */
  private ObjectNode result(String runId) {
    ObjectNode n = Payloads.object();
    n.put("fullReport", "dbrecover report " + runId);
    RunReport r;
    try {
      r = engine.report(config, runId);
    } catch (RuntimeException e) {
      log.warn(
          ENTRY,
          "run " + runId + ": no summary for the notification: " + e.getMessage(),
          Map.of("runId", runId));
      return n;
    }
    n.put("status", r.status());
    n.put("environment", r.environment());
    n.put("method", r.decision().method().label());
    n.put("original", r.original());
    n.put("safetyCopy", r.safetyCopy());
    n.put("recovered", r.recovered());
    n.put("databaseUrl", r.urlTarget() == null ? "not changed" : r.urlTarget());
    n.put("undo", r.swapBack());
    ArrayNode verifications = n.putArray("verifications");
    for (Verification v : r.verifications()) {
      ObjectNode o = verifications.addObject();
      o.put("subject", v.subject());
      o.put("passed", v.passed());
      o.put("checks", v.checks().size());
      ArrayNode failures = o.putArray("failures");
      v.failures().forEach(c -> failures.add(c.name()));
    }
    if (r.dataLoss() != null) {
      ObjectNode loss = n.putObject("dataLoss");
      loss.put("estimate", r.dataLoss().estimate());
      loss.put("rowsLost", r.dataLoss().totalLost());
      loss.put("rowsChanged", r.dataLoss().totalChanged());
      ArrayNode tables = loss.putArray("tables");
      r.dataLoss().tables().stream()
          .filter(DataLossReport.Table::loses)
          .sorted(
              Comparator.comparingLong((DataLossReport.Table t) -> t.lostRows() + t.changedRows())
                  .reversed())
          .limit(RESULT_TABLES)
          .forEach(
              t ->
                  tables
                      .addObject()
                      .put("table", t.name())
                      .put("lost", t.lostRows())
                      .put("changed", t.changedRows()));
    }
    return n;
  }

  /** The end of the invocation's useful time: now + remaining time - margin. */
  private Instant deadline(Context context) {
    long remaining = context == null ? 60_000 : context.getRemainingTimeInMillis();
    long usable = remaining - margin.toMillis();
    if (usable < remaining / 4) {
      // A margin as long as the timeout would never advance: keep a quarter for work.
      usable = remaining / 4;
    }
    return clock.instant().plusMillis(usable);
  }

  private Optional<String> runStartedSince(String env, Instant reservedAt) {
    EnvironmentStatus status = engine.status(config, env);
    return status.runs().stream()
        .filter(r -> !r.createdAt().isBefore(reservedAt))
        .min(Comparator.comparing(EnvironmentStatus.RunSummary::createdAt))
        .map(EnvironmentStatus.RunSummary::runId);
  }

  private static ObjectNode waiting(String runId, Duration wait) {
    long seconds = Math.max(0, (wait.toMillis() + 999) / 1000);
    return response("wait", runId, Math.min(seconds, MAX_WAIT.toSeconds()));
  }

  private static ObjectNode failed(String runId, DbRecoverException e) {
    ObjectNode n = response("failed", runId, 0);
    n.set("error", Payloads.error(e));
    return n;
  }

  private static ObjectNode response(String status, String runId, long waitSeconds) {
    ObjectNode n = Payloads.object();
    n.put("status", status);
    n.put("waitSeconds", waitSeconds);
    if (runId != null) {
      n.put("runId", runId);
    } else {
      n.putNull("runId");
    }
    return n;
  }
}
