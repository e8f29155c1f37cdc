package io.dbrecover.lambda;

import io.dbrecover.engine.api.Interaction;
import io.dbrecover.engine.api.ProtectionLevel;
import io.dbrecover.engine.api.Step;
import java.util.Map;

/**
 * How a run talks while it advances in Lambda: progress goes to the structured log. Nobody can
 * answer a confirmation here (approval with a task token is not built yet), so a confirmation is
 * declined and the run ends cancelled with the original untouched; the alarm and step entries
 * refuse environments that would ask.
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
            + "), which the Lambda cannot give yet; declining, nothing is swapped",
        Map.of("runId", runId));
    return false;
  }
}
