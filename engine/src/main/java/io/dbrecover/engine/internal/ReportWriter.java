package io.dbrecover.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbrecover.engine.api.DataLossReport;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.RunReport;
import io.dbrecover.engine.api.Step;
import io.dbrecover.engine.api.Summaries;
import io.dbrecover.engine.api.Verification;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a run's report as Markdown and JSON beside its journal, and rebuilds it from the journal
 * alone for a host that never had the files.
 */
public final class ReportWriter {
  static final String MARKDOWN = "report.md";
  static final String JSON = "report.json";

  /** The status of a run whose journal does not end with its report: still running, or killed. */
  public static final String INCOMPLETE = "INCOMPLETE";

  Path write(RecoveryRun run, Step failedStep, DbRecoverException error) throws IOException {
    RunReport report = build(run, error);
    Path dir = run.runDir();
    writeAtomically(
        dir.resolve(JSON),
        Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(report));
    Path md = dir.resolve(MARKDOWN);
    writeAtomically(md, markdown(report));
    return md;
  }

  /**
   * The report of a run as its journal tells it now: the same report the run wrote when it ended,
   * or, for a run whose journal does not end with its report step, the run so far with status
   * {@link #INCOMPLETE}. The failure that ended it (code and message) is read from its journal; a
   * failure followed by a successful step (a resumed run) no longer counts.
   */
  public static RunReport rebuild(RecoveryRun run) {
    Journal.Entry failure = run.standingFailure();
    Journal.Entry lastStep = run.lastStep();
    DbRecoverException error =
        failure == null
            ? null
            : new DbRecoverException(
                errorCode(failure.data().path("code").asText()),
                failure.data().path("message").asText());
    boolean ended =
        lastStep != null
            && Step.REPORT.name().equals(lastStep.step())
            && "done".equals(lastStep.status());
    return build(run, error, ended ? null : INCOMPLETE);
  }

  private static ErrorCode errorCode(String name) {
    try {
      return ErrorCode.valueOf(name);
    } catch (IllegalArgumentException e) {
      return ErrorCode.RESTORE_FAILED;
    }
  }

  static RunReport build(RecoveryRun run, DbRecoverException error) {
    return build(run, error, null);
  }

  private static RunReport build(RecoveryRun run, DbRecoverException error, String statusOverride) {
    RunHeader h = run.header();
    Map<Step, Instant> started = new EnumMap<>(Step.class);
    Map<Step, Journal.Entry> ended = new EnumMap<>(Step.class);
    List<Verification> verifications = new ArrayList<>();
    DataLossReport loss = null;
    String safety = null;
    boolean keptByProvider = false;
    String recovered = null;
    String recoveredNote = null;
    String target = null;
    for (Journal.Entry e : run.journal().entries()) {
      if (!"step".equals(e.type())) {
        continue;
      }
      Step step = Step.valueOf(e.step());
      if ("started".equals(e.status())) {
        started.putIfAbsent(step, e.at());
      } else if (!"waiting".equals(e.status())) {
        ended.put(step, e);
      }
      JsonNode d = e.data();
      if (d == null || !("done".equals(e.status()) || "checked".equals(e.status()))) {
        continue;
      }
      switch (step) {
        case SAFETY_COPY:
          safety = d.path("location").asText(null);
          keptByProvider = "kept-by-provider".equals(d.path("kind").asText());
          break;
        case START_RESTORE:
        case AWAIT_RESTORE:
          if (d.hasNonNull("restored")) {
            recovered = d.get("restored").asText();
            recoveredNote = d.path("description").asText(null);
          }
          break;
        case VERIFY_RESTORED:
        case VERIFY_LIVE:
          verifications.add(Json.mapper().convertValue(d, Verification.class));
          break;
        case DATA_LOSS_REPORT:
          loss = Json.mapper().convertValue(d, DataLossReport.class);
          break;
        case SWAP_URL:
          target =
              d.hasNonNull("target") ? d.get("target").asText() : d.path("detail").asText(null);
          break;
        default:
          break;
      }
    }
    List<RunReport.StepTiming> steps = new ArrayList<>();
    for (Step s : Step.values()) {
      Instant start = started.get(s);
      Journal.Entry end = ended.get(s);
      if (start == null || s == Step.REPORT) {
        continue;
      }
      Instant endAt = end == null ? null : end.at();
      steps.add(
          new RunReport.StepTiming(
              s.label(),
              end == null ? "interrupted" : end.status(),
              start,
              endAt,
              endAt == null ? 0 : Duration.between(start, endAt).toMillis()));
    }
    String status =
        statusOverride != null
            ? statusOverride
            : error == null ? "DONE" : error.code() == ErrorCode.CANCELLED ? "CANCELLED" : "FAILED";
    boolean swapped =
        ended.containsKey(Step.SWAP_URL) && "done".equals(ended.get(Step.SWAP_URL).status());
    return new RunReport(
        h.runId(),
        h.environment(),
        status,
        error == null ? null : error.code().name(),
        error == null ? null : DbUrl.redact(error.getMessage()),
        h.decision(),
        h.removedMigrations(),
        steps,
        verifications,
        loss,
        "database " + h.originalDatabase() + " at " + h.originalUrl(),
        safety,
        recovered,
        recoveredNote == null ? null : DbUrl.redact(recoveredNote),
        target,
        // An in-place run swaps back only where the provider kept the original itself.
        swapped && (!h.options().inPlace() || keptByProvider)
            ? "dbrecover swap-back " + h.runId()
            : null);
  }

  /** The report as Markdown: the {@code report.md} a run writes. */
  public static String markdown(RunReport r) {
    StringBuilder sb = new StringBuilder();
    sb.append("# dbrecover run ").append(r.runId()).append("\n\n");
    sb.append("- environment: `").append(r.environment()).append("`\n");
    sb.append("- status: **").append(r.status()).append("**");
    if (r.errorCode() != null) {
      sb.append(" (").append(r.errorCode()).append(": ").append(r.errorMessage()).append(')');
    }
    sb.append('\n');
    sb.append("- original: ").append(r.original()).append('\n');
    sb.append("- safety copy: ").append(r.safetyCopy() == null ? "-" : r.safetyCopy()).append('\n');
    sb.append("- recovered: ").append(r.recovered() == null ? "-" : r.recovered());
    if (r.recoveredNote() != null) {
      sb.append(" (").append(r.recoveredNote()).append(')');
    }
    sb.append('\n');
    sb.append("- DATABASE_URL: ")
        .append(r.urlTarget() == null ? "not changed" : r.urlTarget())
        .append('\n');
    if (r.swapBack() != null) {
      sb.append("- undo: `").append(r.swapBack()).append("`\n");
    }
    sb.append("\n## Decision\n\n```\n").append(Summaries.decision(r.decision())).append("```\n");
    sb.append("\nMigrations removed: ")
        .append(r.removedMigrations().isEmpty() ? "none" : String.join(", ", r.removedMigrations()))
        .append('\n');
    sb.append("\n## Steps\n\n| step | status | duration |\n|---|---|---:|\n");
    long total = 0;
    for (RunReport.StepTiming s : r.steps()) {
      total += s.millis();
      sb.append("| ")
          .append(s.step())
          .append(" | ")
          .append(s.status())
          .append(" | ")
          .append(seconds(s.millis()))
          .append(" |\n");
    }
    sb.append("| **total** | | **").append(seconds(total)).append("** |\n");
    for (Verification v : r.verifications()) {
      sb.append("\n## Verification: ").append(v.subject()).append("\n\n");
      sb.append("| check | expected | actual | result |\n|---|---|---|---|\n");
      for (Verification.Check c : v.checks()) {
        sb.append("| ")
            .append(c.name())
            .append(" | ")
            .append(cell(c.expected()))
            .append(" | ")
            .append(cell(c.actual()))
            .append(" | ")
            .append(c.passed() ? "pass" : "**FAIL**")
            .append(" |\n");
      }
    }
    if (r.dataLoss() != null) {
      sb.append(
          "\n## Data loss\n\n| table | current | recovered | lost | changed | added |\n|---|---:|---:|---:|---:|---:|\n");
      for (DataLossReport.Table t : r.dataLoss().tables()) {
        sb.append("| ")
            .append(t.name())
            .append(t.keyed() ? "" : " (no key)")
            .append(" | ")
            .append(rows(t.currentRows()))
            .append(" | ")
            .append(rows(t.recoveredRows()))
            .append(" | ")
            .append(t.lostRows())
            .append(" | ")
            .append(t.keyed() ? String.valueOf(t.changedRows()) : "n/a")
            .append(" | ")
            .append(t.addedRows())
            .append(" |\n");
      }
      if (r.dataLoss().method() != null) {
        sb.append("\nCompared: ").append(r.dataLoss().method()).append('\n');
      }
    }
    return sb.toString();
  }

  private static String rows(long n) {
    return n < 0 ? "absent" : String.valueOf(n);
  }

  private static String cell(String s) {
    return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
  }

  private static String seconds(long millis) {
    return String.format("%.2f s", millis / 1000.0);
  }

  private static void writeAtomically(Path file, String content) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, content, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
