package io.dbrecover.cli;

import io.dbrecover.engine.api.ApprovalRequest;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.ProtectionLevel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "approve",
    description = {
      "Approve (or --deny) a recovery that the Lambda's state machine waits for: shows the plan and"
          + " the data-loss estimate it was sent with, asks, then answers Step Functions.",
      "Reads the request from the state store of dbrecover.yaml (state-store: dynamodb, or the"
          + " files store's <state-dir>/approvals/). Needs states:SendTaskSuccess and"
          + " states:SendTaskFailure (the recovery module's approver_policy_json)."
    })
final class ApproveCommand extends BaseCommand {
  /** A Step Functions endpoint override (a VPC endpoint), as for the Lambda. */
  static final String SFN_ENDPOINT = "DBRECOVER_SFN_ENDPOINT";

  @Parameters(
      index = "0",
      paramLabel = "<run-id>",
      description = "The run id of the approval message (dbrecover: approval needed).")
  String runId;

  @Option(names = "--deny", description = "Deny: nothing is started.")
  boolean deny;

  @Option(
      names = "--by",
      paramLabel = "<name>",
      description = "Who answers, for the log and the record (default: the user name).")
  String by;

  @Option(
      names = "--phrase",
      paramLabel = "rollback-<env>",
      description = "For a strict environment: the phrase, instead of typing it at the prompt.")
  String phrase;

  @Option(names = "--reason", paramLabel = "<text>", description = "Why (sent with a denial).")
  String reason;

  @Option(
      names = "--force",
      description = "No prompt (a strict environment's approval still needs --phrase).")
  boolean force;

  @Override
  public Integer call() {
    String endpoint = root().env(SFN_ENDPOINT);
    StepFunctionsApprovals approvals =
        new StepFunctionsApprovals(
            engine(),
            config(),
            StepFunctionsApprovals.clients(
                endpoint == null || endpoint.isBlank() ? null : URI.create(endpoint)));
    ApprovalRequest r = approvals.waiting(runId);
    String who = by != null ? by : System.getProperty("user.name");
    String typed = phrase;
    if (!force) {
      typed = ask(r, typed);
    }
    ApprovalRequest.Answer a =
        deny ? approvals.deny(r, who, reason) : approvals.approve(r, who, typed);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("runId", r.runId());
    out.put("environment", r.environment());
    out.put("protection", r.protection().name().toLowerCase(Locale.ROOT));
    out.put("execution", r.execution());
    out.put("method", r.method());
    out.put("recoveryPoint", r.recoveryPoint());
    out.put("outcome", a.outcome().name().toLowerCase(Locale.ROOT));
    out.put("by", a.by());
    out.put("reason", a.reason());
    out.put("at", a.at());
    print(
        out,
        deny
            ? "Denied run "
                + r.runId()
                + " ("
                + r.environment()
                + "): nothing is started; the state machine sends the failure notification.\n"
            : "Approved run "
                + r.runId()
                + " ("
                + r.environment()
                + "): the state machine starts the recovery. Follow it with `dbrecover status "
                + r.environment()
                + "` or the execution "
                + r.execution()
                + ".\n");
    return 0;
  }

  /** Shows the request and asks; returns the phrase typed (strict) or throws CANCELLED. */
  private String ask(ApprovalRequest r, String given) {
    PrintWriter err = err();
    err.println(
        "Approval request of run "
            + r.runId()
            + ": environment "
            + r.environment()
            + " (protection "
            + r.protection().name().toLowerCase(Locale.ROOT)
            + "), execution "
            + r.execution()
            + ", waiting until "
            + r.expiresAt()
            + ".");
    err.println();
    err.println(r.summary() == null ? "(no summary)" : r.summary().strip());
    err.println();
    String expected = ApprovalRequest.phrase(r.environment());
    boolean typePhrase = !deny && r.protection() == ProtectionLevel.STRICT && given == null;
    if (typePhrase) {
      err.printf("Type %s to approve, anything else cancels: ", expected);
    } else {
      err.print(
          (deny ? "Deny" : "Approve")
              + " the recovery of "
              + r.environment()
              + " (run "
              + r.runId()
              + ")? [y/N]: ");
    }
    err.flush();
    String line;
    try {
      line =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    } catch (IOException e) {
      line = null;
    }
    if (line == null) {
      err.println();
      throw new DbRecoverException(
          ErrorCode.CANCELLED,
          "no answer (end of input); nothing was sent. Use --force to answer without a prompt");
    }
    line = line.trim();
    boolean yes =
        typePhrase
            ? line.equals(expected)
            : line.equalsIgnoreCase("y") || line.equalsIgnoreCase("yes");
    if (!yes) {
      throw new DbRecoverException(
          ErrorCode.CANCELLED,
          "not "
              + (deny ? "denied" : "approved")
              + "; nothing was sent, run "
              + r.runId()
              + " still waits");
    }
    return typePhrase ? line : given;
  }
}
