package io.dbrecover.lambda;

import io.dbrecover.engine.api.Interaction;
import io.dbrecover.engine.api.ProtectionLevel;
import io.dbrecover.engine.api.Step;
import java.util.Map;

/**
 * How a run talks while it advances in Lambda: progress goes to the structured log. Nobody can
 * answer inside an invocation: a protected environment's approval is asked by the state machine
 * before the run starts, and an approved run starts with the confirmation given. A confirmation
 * asked anyway (protection changed after the approval) is declined: the run ends cancelled with
 * nothing swapped and the original untouched.
 */
final class LambdaInteraction implements Interaction {
  private final JsonLog log;
  private final String runId;

  LambdaInteraction(JsonLog log, String runId) {
    this.log = log;
    this.runId = runId;
  }

  @Override
  public void progress(Step step, String message) {
    log.info(StepHandler.ENTRY, message, Map.of("runId", runId, "step", step.name()));
  }

  @Override
  public boolean confirm(ProtectionLevel level, String phrase, String summary) {
    log.error(
        StepHandler.ENTRY,
        "run "
            + runId
            + " needs a confirmation ("
            + level
            + ") that was not given before the run started; declining, nothing is swapped",
        Map.of("runId", runId));
    return false;
  }
}
