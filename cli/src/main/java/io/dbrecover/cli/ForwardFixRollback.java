package io.dbrecover.cli;

import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbRecoverConfig;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.Method;
import io.dbrecover.engine.api.ProtectionLevel;
import io.dbrecover.engine.api.RecoveryEngine;
import io.dbrecover.forwardfix.Change;
import io.dbrecover.forwardfix.FixFile;
import io.dbrecover.forwardfix.FixFiles;
import io.dbrecover.forwardfix.FixPlan;
import io.dbrecover.forwardfix.ForwardFix;
import io.dbrecover.forwardfix.Loss;
import io.dbrecover.forwardfix.Migration;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * {@code rollback <env> --method forward-fix}: generates the reverse migration on a shadow database
 * of the embedded PostgreSQL, prints it with its data loss, writes it into the migrations directory
 * in the tool's format and, with {@code --apply}, runs and records it.
 */
final class ForwardFixRollback {
  private ForwardFixRollback() {}

  /** What the command did, for {@code --output json}. */
  record Report(
      String environment,
      String tool,
      String target,
      List<String> reverted,
      String failed,
      List<Statement> statements,
      List<LossLine> losses,
      String file,
      boolean written,
      boolean applied,
      List<String> recorded) {}

  /** One statement of the migration. */
  record Statement(String kind, String object, String sql, String destroys) {}

  /** One counted loss. */
  record LossLine(String sql, String effect, String what, long count, String error) {}

  static int run(
      BaseCommand cmd,
      String env,
      String toMigration,
      ForwardFixOptions opts,
      boolean dryRun,
      boolean force) {
    DbRecoverConfig config = cmd.config();
    EnvironmentConfig e = config.environment(env);
    if (!e.allowedMethods().contains(Method.FORWARD_FIX)) {
      throw new ConfigurationException(
          "forward-fix is forbidden by the configuration of environment '"
              + env
              + "'; add forward-fix to its allowed-methods in dbrecover.yaml");
    }
    Path dir = e.migrations().directory();
    if (dir == null) {
      throw new ConfigurationException(
          "environment '"
              + env
              + "' has no migrations directory; set migrations: { tool: prisma|drizzle|flyway|sql,"
              + " dir: <path> } in dbrecover.yaml (see docs/forward-fix.md)");
    }
    RecoveryEngine engine = cmd.engine();
    DbUrl live = engine.liveUrl(config, env);
    FixPlan plan = ForwardFixAnalysis.plan(cmd, config, env, e, toMigration);
    FixFile file = FixFiles.render(plan, dir, engine.clock());
    boolean nothing = plan.changes().isEmpty();
    StringBuilder text = new StringBuilder(render(env, plan));
    if (nothing) {
      text.append("\nThe schema already matches; nothing to write.\n");
    } else if (dryRun) {
      text.append("\nDry run: nothing was written or changed.\n");
    }
    if (nothing || dryRun) {
      cmd.print(report(env, plan, file, false, false, List.of()), text.toString());
      return 0;
    }
    if (!cmd.json()) {
      cmd.err().print(text);
      cmd.err().flush();
    }
    ForwardFix.refuse(plan.losses(), opts.allowDataLoss);
    FixFiles.write(plan, file, dir);
    StringBuilder done = new StringBuilder("Wrote " + file.path() + "\n");
    List<String> recorded = List.of();
    if (opts.apply) {
      confirm(cmd, e, plan, force);
      try (RecoveryEngine.Lock lock = engine.lock(config, env, "forward-fix")) {
        recorded = ForwardFix.apply(live, plan, file, opts.allowDataLoss);
      }
      done.append("Applied in one transaction to ").append(live.redacted()).append('\n');
      recorded.forEach(r -> done.append("Recorded ").append(r).append('\n'));
    } else {
      done.append(
          "Not applied: review and deploy it with "
              + toolName(plan)
              + ", or rerun with --apply to run it now.\n");
    }
    cmd.print(report(env, plan, file, true, opts.apply, recorded), done.toString());
    return 0;
  }

  private static void confirm(BaseCommand cmd, EnvironmentConfig e, FixPlan plan, boolean force) {
    if (force || e.protection() == ProtectionLevel.NONE) {
      return;
    }
    String phrase = "rollback-" + e.name();
    cmd.err()
        .print(
            e.protection() == ProtectionLevel.STRICT
                ? "\nType " + phrase + " to apply the forward-fix, anything else cancels: "
                : "\nApply the forward-fix to " + e.name() + "? [y/N]: ");
    cmd.err().flush();
    String answer;
    try {
      answer =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    } catch (IOException ex) {
      answer = null;
    }
    boolean yes =
        answer != null
            && (e.protection() == ProtectionLevel.STRICT
                ? answer.trim().equals(phrase)
                : answer.trim().equalsIgnoreCase("y") || answer.trim().equalsIgnoreCase("yes"));
    if (!yes) {
      throw new DbRecoverException(
          ErrorCode.CANCELLED,
          "forward-fix not applied"
              + (answer == null ? " (no answer; use --force to apply without a prompt)" : "")
              + "; the migration file was written, the database is unchanged");
    }
  }

  static String render(String env, FixPlan plan) {
    StringBuilder sb = new StringBuilder();
    sb.append("Forward-fix for ")
        .append(env)
        .append(" (")
        .append(toolName(plan))
        .append(")\n")
        .append("  restores the schema after: ")
        .append(plan.target().name())
        .append('\n')
        .append("  reverts:                   ")
        .append(plan.revertedNames())
        .append('\n');
    long destroying = plan.changes().stream().filter(c -> c.risk() != null).count();
    sb.append("  statements:                ")
        .append(plan.changes().size())
        .append(" (")
        .append(destroying)
        .append(" checked for data loss)\n");
    if (plan.losses().isEmpty()) {
      sb.append("Data loss: none (counted on the live database)\n");
    } else {
      sb.append("Data loss (counted on the live database):\n");
      for (Loss l : plan.losses()) {
        sb.append("  ").append(l.describe().replace('\n', ' ')).append('\n');
      }
    }
    if (!plan.changes().isEmpty()) {
      sb.append("SQL:\n");
      for (Change c : plan.changes()) {
        sb.append("  ").append(c.sql().replace("\n", "\n  ")).append(";\n");
      }
    }
    return sb.toString();
  }

  private static String toolName(FixPlan plan) {
    String t = plan.tool().name().toLowerCase(Locale.ROOT);
    return t.equals("sql") ? "plain SQL" : t;
  }

  private static Report report(
      String env, FixPlan plan, FixFile file, boolean written, boolean applied, List<String> rec) {
    return new Report(
        env,
        plan.tool().name().toLowerCase(Locale.ROOT),
        plan.target().name(),
        plan.reverted().stream().map(Migration::name).collect(Collectors.toList()),
        plan.failed() == null ? null : plan.failed().name(),
        plan.changes().stream()
            .map(
                c ->
                    new Statement(
                        c.kind().name().toLowerCase(Locale.ROOT),
                        c.object(),
                        c.sql(),
                        c.risk() == null ? null : c.risk().what()))
            .collect(Collectors.toList()),
        plan.losses().stream()
            .map(
                l ->
                    new LossLine(
                        l.change().sql(),
                        l.change().risk().effect().name().toLowerCase(Locale.ROOT),
                        l.change().risk().what(),
                        l.count(),
                        l.error()))
            .collect(Collectors.toList()),
        file.path().toString(),
        written,
        applied,
        rec);
  }
}
