package io.dbrecover.lambda;

import com.amazonaws.services.lambda.runtime.events.CloudWatchCompositeAlarmEvent;
import com.amazonaws.services.lambda.runtime.events.CloudWatchMetricAlarmEvent;
import com.amazonaws.services.lambda.runtime.events.SNSEvent;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads alarm deliveries into {@link Alarm}s: an {@link SNSEvent} whose message is a CloudWatch
 * alarm notification, or a CloudWatch alarm's direct Lambda action ({@link
 * CloudWatchMetricAlarmEvent}, {@link CloudWatchCompositeAlarmEvent}). The typed events are read by
 * the Lambda runtime's own serializers; anything else is rejected with what was seen.
 */
final class AlarmEvents {
  private static final ObjectMapper JSON = new ObjectMapper();
  // CloudWatch writes "2023-08-04T12:36:15.490+0000" (offset without a colon).
  private static final DateTimeFormatter CLOUDWATCH_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");

  // Built once: the serializers reflect over the event classes (cold-start work, not per call).
  private final PojoSerializer<SNSEvent> sns;
  private final PojoSerializer<CloudWatchMetricAlarmEvent> metricAlarm;
  private final PojoSerializer<CloudWatchCompositeAlarmEvent> compositeAlarm;

  AlarmEvents() {
    ClassLoader loader = AlarmEvents.class.getClassLoader();
    sns = LambdaEventSerializers.serializerFor(SNSEvent.class, loader);
    metricAlarm = LambdaEventSerializers.serializerFor(CloudWatchMetricAlarmEvent.class, loader);
    compositeAlarm =
        LambdaEventSerializers.serializerFor(CloudWatchCompositeAlarmEvent.class, loader);
  }

  /** The alarms in an event, or a rejection saying why it is not an alarm delivery. */
  List<Alarm> read(byte[] raw) {
    JsonNode root;
    try {
      root = JSON.readTree(raw);
    } catch (IOException e) {
      throw new RejectedEventException(
          "the event is not JSON ("
              + e.getClass().getSimpleName()
              + "); the alarm entry takes an SNS notification or a CloudWatch alarm action");
    }
    if (root == null || !root.isObject()) {
      throw new RejectedEventException("the event is not a JSON object");
    }
    String text = new String(raw, StandardCharsets.UTF_8);
    if (root.path("Records").isArray()) {
      return fromSns(text, root);
    }
    if ("aws.cloudwatch".equals(root.path("source").asText()) && root.has("alarmData")) {
      return List.of(fromAlarmAction(text, root));
    }
    throw new RejectedEventException(
        "unknown event shape (keys: "
            + String.join(", ", iterable(root))
            + "); the alarm entry takes an SNS notification (Records[].Sns) or a CloudWatch"
            + " alarm action (source aws.cloudwatch with alarmData)");
  }

  private List<Alarm> fromSns(String text, JsonNode root) {
    SNSEvent event;
    try {
      event = sns.fromJson(text);
    } catch (RuntimeException e) {
      throw new RejectedEventException("an SNS event that does not read as one: " + e.getMessage());
    }
    List<Alarm> out = new ArrayList<>();
    if (event.getRecords() == null || event.getRecords().isEmpty()) {
      throw new RejectedEventException("an SNS event without records");
    }
    for (SNSEvent.SNSRecord record : event.getRecords()) {
      if (!"aws:sns".equals(record.getEventSource()) || record.getSNS() == null) {
        throw new RejectedEventException(
            "a record from '"
                + record.getEventSource()
                + "', not aws:sns; the alarm entry reads SNS notifications only");
      }
      out.add(fromNotification(record.getSNS()));
    }
    return out;
  }

  private static Alarm fromNotification(SNSEvent.SNS sns) {
    JsonNode m;
    try {
      m = JSON.readTree(sns.getMessage() == null ? "" : sns.getMessage());
    } catch (IOException e) {
      m = null;
    }
    if (m == null
        || !m.isObject()
        || !m.hasNonNull("AlarmName")
        || !m.hasNonNull("NewStateValue")
        || !m.hasNonNull("StateChangeTime")) {
      throw new RejectedEventException(
          "SNS message "
              + sns.getMessageId()
              + " on "
              + sns.getTopicArn()
              + " is not a CloudWatch alarm notification (AlarmName, NewStateValue,"
              + " StateChangeTime)");
    }
    return new Alarm(
        m.get("AlarmName").asText(),
        m.path("AlarmArn").isTextual() ? m.get("AlarmArn").asText() : null,
        m.get("NewStateValue").asText(),
        m.path("OldStateValue").isTextual() ? m.get("OldStateValue").asText() : null,
        time(m.get("StateChangeTime").asText(), "StateChangeTime"),
        "sns");
  }

  private Alarm fromAlarmAction(String text, JsonNode root) {
    boolean composite = root.path("alarmData").path("configuration").has("alarmRule");
    try {
      if (composite) {
        CloudWatchCompositeAlarmEvent e = compositeAlarm.fromJson(text);
        CloudWatchCompositeAlarmEvent.AlarmData d = e.getAlarmData();
        requireState(d == null ? null : d.getAlarmName(), d == null ? null : d.getState());
        return new Alarm(
            d.getAlarmName(),
            e.getAlarmArn(),
            d.getState().getValue(),
            d.getPreviousState() == null ? null : d.getPreviousState().getValue(),
            stateTime(d.getState().getTimestamp(), e.getTime()),
            "alarm-action");
      }
      CloudWatchMetricAlarmEvent e = metricAlarm.fromJson(text);
      CloudWatchMetricAlarmEvent.AlarmData d = e.getAlarmData();
      requireState(d == null ? null : d.getAlarmName(), d == null ? null : d.getState());
      return new Alarm(
          d.getAlarmName(),
          e.getAlarmArn(),
          d.getState().getValue(),
          d.getPreviousState() == null ? null : d.getPreviousState().getValue(),
          stateTime(d.getState().getTimestamp(), e.getTime()),
          "alarm-action");
    } catch (RejectedEventException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new RejectedEventException(
          "a CloudWatch alarm action that does not read as one: " + e.getMessage());
    }
  }

  private static void requireState(String name, Object state) {
    if (name == null || state == null) {
      throw new RejectedEventException(
          "a CloudWatch alarm action without alarmData.alarmName or alarmData.state");
    }
  }

  private static Instant stateTime(String stateTimestamp, String eventTime) {
    return time(stateTimestamp != null ? stateTimestamp : eventTime, "alarmData.state.timestamp");
  }

  static Instant time(String text, String field) {
    if (text == null) {
      throw new RejectedEventException("the alarm has no " + field);
    }
    try {
      return OffsetDateTime.parse(text, CLOUDWATCH_TIME).toInstant();
    } catch (DateTimeParseException notCloudWatchStyle) {
      try {
        return OffsetDateTime.parse(text).toInstant();
      } catch (DateTimeParseException e) {
        throw new RejectedEventException(field + " '" + text + "' is not a time stamp");
      }
    }
  }

  private static List<String> iterable(JsonNode root) {
    List<String> keys = new ArrayList<>();
    root.fieldNames().forEachRemaining(keys::add);
    return keys;
  }
}
