package io.dbrecover.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The alarm entry: a CloudWatch alarm, delivered through SNS or as the alarm's Lambda action,
 * starts one execution of the recovery state machine per incident. The execution name comes from
 * (alarm, state change time), so a duplicate or retried delivery starts nothing new. Alarms going
 * to OK or INSUFFICIENT_DATA are ignored; malformed, unknown and unrouted events are logged and
 * rejected without side effects.
 *
 * <p>Handler: {@code io.dbrecover.lambda.AlarmHandler::handleRequest}.
 */
public final class AlarmHandler implements RequestStreamHandler {
  static final String ENTRY = "alarm";

  private final AlarmEvents events = new AlarmEvents();
  private final AlarmRoutes routes;
  private final StepFunctions stepFunctions;
  private final AlarmTags tags;
  private final JsonLog log;

  /** Used by the Lambda runtime: the execution environment's graph, built at init. */
  public AlarmHandler() {
    this(AlarmRuntime.alarm());
  }

  AlarmHandler(AlarmComponent component) {
    this.routes = component.settings().routes();
    // Builds (and so checks) the configuration at cold start: a route to an unknown environment
    // fails the init, not the first alarm.
    component.config();
    this.stepFunctions = component.stepFunctions();
    this.tags = component.alarmTags();
    this.log = component.log();
  }

  @Override
  public void handleRequest(InputStream input, OutputStream output, Context context)
      throws IOException {
    byte[] raw = input.readAllBytes();
    String requestId = context == null ? null : context.getAwsRequestId();
    List<Alarm> alarms;
    try {
      alarms = events.read(raw);
    } catch (RejectedEventException e) {
      log.error(
          ENTRY,
          "event rejected: " + e.getMessage(),
          Map.of("requestId", String.valueOf(requestId), "bytes", raw.length));
      ObjectNode out = Payloads.object();
      out.put("status", "rejected");
      out.put("reason", e.getMessage());
      Payloads.write(output, out);
      return;
    }
    ArrayNode results = Payloads.JSON.createArrayNode();
    for (Alarm alarm : alarms) {
      results.add(handle(alarm, String.valueOf(requestId)));
    }
    ObjectNode out = Payloads.object();
    out.set("alarms", results);
    Payloads.write(output, out);
  }

  private ObjectNode handle(Alarm alarm, String requestId) {
    ObjectNode r = Payloads.object();
    r.put("alarm", alarm.name());
    r.put("state", alarm.state());
    if (!alarm.firing()) {
      log.info(
          ENTRY,
          "alarm " + alarm.name() + " went to " + alarm.state() + "; nothing to do",
          Map.of("alarm", alarm.name(), "state", alarm.state(), "requestId", requestId));
      r.put("status", "ignored");
      return r;
    }
    Optional<AlarmRoute> route = routes.route(alarm.name());
    if (route.isEmpty() && routes.anyByTag() && alarm.arn() != null) {
      // Name routes first: the tags cost a CloudWatch call.
      route = routes.routeByTags(tags.of(alarm.arn()));
    }
    if (route.isEmpty()) {
      String why =
          "no route for alarm '"
              + alarm.name()
              + "': add it to "
              + LambdaSettings.ALARM_ROUTES
              + " (terraform: alarm_routes) with its environment, by name or by tag";
      log.error(ENTRY, why, Map.of("alarm", alarm.name(), "requestId", requestId));
      r.put("status", "rejected");
      r.put("reason", why);
      return r;
    }
    IncidentRequest incident = IncidentRequest.of(alarm, route.get());
    StepFunctions.Started started =
        stepFunctions.start(incident.execution(), StepInput.start(incident).toString());
    String status = started.alreadyStarted() ? "already-started" : "started";
    log.info(
        ENTRY,
        (started.alreadyStarted() ? "recovery already started for " : "recovery started for ")
            + alarm.name()
            + " on "
            + incident.environment(),
        Map.of(
            "alarm", alarm.name(),
            "delivery", alarm.delivery(),
            "environment", incident.environment(),
            "execution", incident.execution(),
            "executionArn", started.executionArn(),
            "suspectedStart", incident.suspectedStart().toString(),
            "requestId", requestId));
    r.put("status", status);
    r.put("environment", incident.environment());
    r.put("execution", incident.execution());
    r.put("executionArn", started.executionArn());
    r.put("suspectedStart", incident.suspectedStart().toString());
    return r;
  }
}
