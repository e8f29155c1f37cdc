package io.dbrecover.lambda;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the Lambda graph from an environment map as the runtime would from its variables, captures
 * the structured log, and invokes handlers with raw event bytes as the runtime does.
 */
final class Harness {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String STATE_MACHINE =
      "arn:aws:states:eu-west-1:123456789012:stateMachine:dbrecover-recovery";

  final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
  final Map<String, String> env = new HashMap<>();
  private LambdaComponent component;
  private AlarmComponent alarmComponent;

  Harness(Path stateDir) {
    env.put(LambdaSettings.STATE_DIR, stateDir.toString());
    env.put("AWS_REGION", "eu-west-1");
  }

  Harness env(String key, String value) {
    env.put(key, value);
    component = null;
    alarmComponent = null;
    return this;
  }

  /** The graph, built on first use from the environment map (as at a cold start). */
  LambdaComponent component() {
    if (component == null) {
      component = LambdaComponent.create(LambdaSettings.fromEnv(env), log());
    }
    return component;
  }

  private volatile String crashOn;

  /**
   * The next log line containing {@code text} throws {@link SimulatedCrash} instead of being
   * written: the invocation dies there, as a Lambda killed mid-step would, without the handler
   * getting to record anything.
   */
  Harness crashOnce(String text) {
    crashOn = text;
    return this;
  }

  /** An invocation that died: not an exception the handler or the engine catches. */
  static final class SimulatedCrash extends Error {
    private static final long serialVersionUID = 1L;

    SimulatedCrash(String where) {
      super("simulated crash at: " + where);
    }
  }

  /** The alarm entry's graph, built on first use from the environment map. */
  AlarmComponent alarmComponent() {
    if (alarmComponent == null) {
      alarmComponent = AlarmComponent.create(LambdaSettings.fromEnv(env), log());
    }
    return alarmComponent;
  }

  JsonLog log() {
    PrintStream out =
        new PrintStream(logBytes, true, StandardCharsets.UTF_8) {
          @Override
          public void println(String line) {
            String trigger = crashOn;
            if (trigger != null && line.contains(trigger)) {
              crashOn = null;
              throw new SimulatedCrash(line);
            }
            super.println(line);
          }
        };
    return new JsonLog(out, Clock.systemUTC());
  }

  String logText() {
    return logBytes.toString(StandardCharsets.UTF_8);
  }

  /** The log lines, each parsed. */
  List<JsonNode> logLines() {
    return logText()
        .lines()
        .map(
            l -> {
              try {
                return JSON.readTree(l);
              } catch (IOException e) {
                throw new AssertionError("not a JSON log line: " + l, e);
              }
            })
        .toList();
  }

  static JsonNode invoke(RequestStreamHandler handler, byte[] event) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      handler.handleRequest(new ByteArrayInputStream(event), out, new TestContext(60_000));
      return JSON.readTree(out.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode invoke(RequestStreamHandler handler, String event) {
    return invoke(handler, event.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] fixture(String name) {
    try (InputStream in = Harness.class.getResourceAsStream("/events/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final DateTimeFormatter CLOUDWATCH_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ").withZone(ZoneOffset.UTC);

  /** The SNS-wrapped alarm fixture with its state change at {@code when}. */
  static byte[] snsAlarmAt(Instant when) throws IOException {
    ObjectNode event = (ObjectNode) JSON.readTree(fixture("sns-alarm.json"));
    ObjectNode sns = (ObjectNode) event.get("Records").get(0).get("Sns");
    ObjectNode message = (ObjectNode) JSON.readTree(sns.get("Message").asText());
    message.put("StateChangeTime", CLOUDWATCH_TIME.format(when));
    sns.put("Message", message.toString());
    return JSON.writeValueAsBytes(event);
  }
}
