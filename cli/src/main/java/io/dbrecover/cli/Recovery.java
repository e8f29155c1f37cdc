package io.dbrecover.cli;

import io.dbrecover.engine.api.DbRecoverConfig;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.Decision;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.Incident;
import io.dbrecover.engine.api.Plan;
import io.dbrecover.engine.api.RecoveryEngine;
import io.dbrecover.engine.api.RunOptions;
import io.dbrecover.engine.api.Trace;

/** The flow shared by {@code rollback} and {@code restore}: plan under the lock, then run. */
final class Recovery {
  private Recovery() {}

  /**
   * Plans and, unless dry-run, runs the recovery. Exit 0 when no database action is needed, 2 when
   * there is nothing to recover to.
   */
  static int run(
      BaseCommand cmd, String env, Incident incident, RunOptions options, boolean dryRun) {
    DbRecoverConfig config = cmd.config();
    RecoveryEngine engine = cmd.engine();
    if (dryRun) {
      ConsoleInteraction io = cmd.interaction();
      Plan plan = engine.dryRun(config, env, incident, m -> io.line("dry run", m));
      cmd.print(plan, Render.plan(plan) + "\nDry run: nothing was changed.\n");
      return exitFor(plan);
    }
    Trace.mark("configuration loaded");
    RecoveryEngine.Lock lock = engine.lock(config, env, "rollback");
    try {
      Trace.mark("locked");
      Plan plan = engine.plan(config, env, incident, false);
      Trace.mark("planned");
      if (plan.decision().outcome() != Decision.Outcome.RECOVER) {
        cmd.print(plan, Render.plan(plan));
        return exitFor(plan);
      }
      if (!cmd.json()) {
        cmd.err().print(Render.plan(plan));
        cmd.err().println();
        cmd.err().flush();
      }
      ConsoleInteraction io = cmd.interaction();
      try (RecoveryEngine.RunSession session = engine.start(config, plan, options, lock)) {
        cmd.err()
            .println(
                "Run "
                    + session.runId()
                    + " (resume with `dbrecover resume "
                    + session.runId()
                    + "`)");
        cmd.err().flush();
        return RunDriver.drive(cmd, session, io, engine.clock());
      }
    } finally {
      lock.close();
    }
  }

  static int exitFor(Plan plan) {
    if (plan.decision().outcome() == Decision.Outcome.NO_RECOVERY_POINT) {
      String needed =
          plan.decision().reasons().stream()
              .filter(r -> r.startsWith("needed"))
              .findFirst()
              .orElse(String.join("; ", plan.decision().reasons()));
      throw new DbRecoverException(
          ErrorCode.NO_RECOVERY_POINT,
          "no recovery point for " + plan.environment() + "; " + needed);
    }
    return 0;
  }
}
