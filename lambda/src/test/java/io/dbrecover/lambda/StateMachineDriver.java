package io.dbrecover.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongConsumer;

/**
 * Plays the recovery state machine from its Amazon States Language file, for the subset it uses:
 * Task (lambda:invoke, lambda:invoke.waitForTaskToken, sns:publish) with Parameters,
 * ResultSelector, ResultPath, Retry and Catch; Choice on StringEquals; Wait on SecondsPath (slept,
 * or see {@link #waiter}); Succeed; Fail. A Lambda task that throws fails with the throwable's
 * class name as its error, as the Lambda service reports an unhandled error; Retry then repeats the
 * invocation (without the back-off delay).
 */
final class StateMachineDriver {
  /** Placeholder values the module's templatefile() would fill. */
  static final String STEP_FUNCTION =
      "arn:aws:lambda:eu-west-1:123456789012:function:dbrecover-step";

  static final String TOPIC = "arn:aws:sns:eu-west-1:123456789012:dbrecover-notifications";

  private final JsonNode definition;
  private final Map<String, Function<JsonNode, JsonNode>> functions;
  private Function<JsonNode, JsonNode> approver =
      message -> {
        throw new AssertionError("an approval was requested but the test gave no approver");
      };
  private LongConsumer waiter =
      seconds -> {
        try {
          Thread.sleep(seconds * 1000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted in a Wait state", e);
        }
      };
  private ObjectNode context = JsonNodeFactory.instance.objectNode();
  private int tokens;
  private String executionName;
  final List<String> visited = new ArrayList<>();
  final List<JsonNode> published = new ArrayList<>();
  final List<JsonNode> awaited = new ArrayList<>();
  final List<Long> waits = new ArrayList<>();
  final List<String> taskErrors = new ArrayList<>();

  StateMachineDriver(Path asl, Map<String, Function<JsonNode, JsonNode>> functions) {
    this.definition = render(asl);
    this.functions = functions;
  }

  /**
   * The person answering approval requests: gets the waiting task's payload (with its {@code
   * taskToken}) once the step entry recorded it, and returns the task output (send-task-success),
   * or throws {@link TaskFailure} (send-task-failure).
   */
  StateMachineDriver approver(Function<JsonNode, JsonNode> answer) {
    this.approver = answer;
    return this;
  }

  /**
   * What a Wait state does with its seconds: sleeps by default; a test whose fakes run on a clock
   * of their own moves that clock instead.
   */
  StateMachineDriver waiter(LongConsumer waitSeconds) {
    this.waiter = waitSeconds;
    return this;
  }

  /** A task failure with a Step Functions error name, as send-task-failure --error gives. */
  static final class TaskFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String error;

    TaskFailure(String error, String cause) {
      super(cause);
      this.error = error;
    }
  }

  /** The definition as the module renders it. */
  static JsonNode render(Path asl) {
    try {
      String text =
          Files.readString(asl)
              .replace("${step_function_arn}", STEP_FUNCTION)
              .replace("${topic_arn}", TOPIC);
      return Harness.JSON.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The outcome: the terminal state's type and the final state data. */
  record Outcome(String end, String state, JsonNode output) {}

  Outcome run(JsonNode input) throws InterruptedException {
    executionName = input.path("execution").asText(null);
    String name = definition.get("StartAt").asText();
    JsonNode data = input.deepCopy();
    for (int transitions = 0; transitions < 1000; transitions++) {
      visited.add(name);
      JsonNode state = definition.get("States").get(name);
      String type = state.get("Type").asText();
      switch (type) {
        case "Succeed":
        case "Fail":
          return new Outcome(type, name, data);
        case "Choice":
          name = choose(state, data);
          break;
        case "Wait":
          long seconds = path(data, state.get("SecondsPath").asText()).asLong();
          waits.add(seconds);
          waiter.accept(seconds);
          name = state.get("Next").asText();
          break;
        case "Task":
          TaskResult r = task(state, data);
          data = r.data;
          name = r.next;
          break;
        default:
          throw new AssertionError("state type " + type + " is not played by this driver");
      }
    }
    throw new AssertionError("more than 1000 transitions: " + visited);
  }

  private record TaskResult(JsonNode data, String next) {}

  private TaskResult task(JsonNode state, JsonNode data) {
    context = JsonNodeFactory.instance.objectNode();
    context.putObject("Task").put("Token", "token-" + (++tokens));
    String execution = executionName == null ? "test-execution" : executionName;
    context
        .putObject("Execution")
        .put("Name", execution)
        .put(
            "Id",
            "arn:aws:states:eu-west-1:123456789012:execution:dbrecover-recovery:" + execution);
    JsonNode params = parameters(state.get("Parameters"), data);
    int attempt = 0;
    while (true) {
      String error;
      String cause;
      try {
        JsonNode result = call(state.get("Resource").asText(), params);
        if (state.has("ResultSelector")) {
          result = parameters(state.get("ResultSelector"), result);
        }
        return new TaskResult(place(data, resultPath(state), result), state.get("Next").asText());
      } catch (RuntimeException | Error e) {
        error = e instanceof TaskFailure ? ((TaskFailure) e).error : e.getClass().getName();
        cause = String.valueOf(e.getMessage());
        taskErrors.add(error);
      }
      JsonNode retrier = matching(state.get("Retry"), error);
      int maxAttempts = retrier == null ? 0 : retrier.path("MaxAttempts").asInt(3);
      if (retrier != null && attempt < maxAttempts) {
        attempt++;
        continue;
      }
      JsonNode catcher = matching(state.get("Catch"), error);
      if (catcher == null) {
        throw new AssertionError("task failed with " + error + " and no Catch: " + cause);
      }
      ObjectNode err = JsonNodeFactory.instance.objectNode();
      err.put("Error", error);
      err.put("Cause", cause);
      return new TaskResult(place(data, resultPath(catcher), err), catcher.get("Next").asText());
    }
  }

  private JsonNode call(String resource, JsonNode params) {
    if (resource.equals("arn:aws:states:::lambda:invoke")) {
      Function<JsonNode, JsonNode> f = functions.get(params.get("FunctionName").asText());
      if (f == null) {
        throw new AssertionError("no function " + params.get("FunctionName"));
      }
      ObjectNode result = JsonNodeFactory.instance.objectNode();
      result.put("StatusCode", 200);
      result.set("Payload", f.apply(params.get("Payload")));
      return result;
    }
    if (resource.equals("arn:aws:states:::lambda:invoke.waitForTaskToken")) {
      // The function is invoked (its answer is ignored, its failure fails the task); then the task
      // waits for send-task-success / send-task-failure with its token.
      Function<JsonNode, JsonNode> f = functions.get(params.get("FunctionName").asText());
      if (f == null) {
        throw new AssertionError("no function " + params.get("FunctionName"));
      }
      f.apply(params.get("Payload"));
      awaited.add(params.get("Payload"));
      return approver.apply(params.get("Payload"));
    }
    if (resource.equals("arn:aws:states:::sns:publish")) {
      published.add(params);
      ObjectNode result = JsonNodeFactory.instance.objectNode();
      result.put("MessageId", "00000000-0000-0000-0000-00000000000" + published.size());
      return result;
    }
    throw new AssertionError("resource " + resource + " is not played by this driver");
  }

  private static JsonNode matching(JsonNode rules, String error) {
    if (rules == null) {
      return null;
    }
    for (JsonNode rule : rules) {
      for (JsonNode e : rule.get("ErrorEquals")) {
        String name = e.asText();
        if (name.equals("States.ALL") || name.equals("States.TaskFailed") || name.equals(error)) {
          return rule;
        }
      }
    }
    return null;
  }

  private static String choose(JsonNode state, JsonNode data) {
    for (JsonNode rule : state.get("Choices")) {
      JsonNode v = path(data, rule.get("Variable").asText());
      if (rule.has("StringEquals")
          && v.isTextual()
          && v.asText().equals(rule.get("StringEquals").asText())) {
        return rule.get("Next").asText();
      }
    }
    if (!state.has("Default")) {
      throw new AssertionError("no choice matched and no Default: " + data);
    }
    return state.get("Default").asText();
  }

  /** Parameters / ResultSelector: keys ending in .$ take a path or an intrinsic function. */
  private JsonNode parameters(JsonNode template, JsonNode data) {
    if (template == null) {
      return data;
    }
    if (!template.isObject()) {
      return template;
    }
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = template.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      if (f.getKey().endsWith(".$")) {
        String key = f.getKey().substring(0, f.getKey().length() - 2);
        String expr = f.getValue().asText();
        if (expr.startsWith("States.JsonToString(") && expr.endsWith(")")) {
          String arg = expr.substring("States.JsonToString(".length(), expr.length() - 1);
          out.set(key, new TextNode(value(data, arg).toString()));
        } else if (expr.startsWith("States.Format('") && expr.endsWith(")")) {
          out.set(key, new TextNode(format(data, expr)));
        } else {
          out.set(key, value(data, expr));
        }
      } else {
        out.set(f.getKey(), parameters(f.getValue(), data));
      }
    }
    return out;
  }

  private static String resultPath(JsonNode node) {
    JsonNode p = node.get("ResultPath");
    if (p == null) {
      return "$";
    }
    return p.isNull() ? null : p.asText();
  }

  /** States.Format('template with {}', path, ...): paths only, no escapes in the template. */
  private String format(JsonNode data, String expr) {
    int end = expr.indexOf('\'', "States.Format('".length());
    String template = expr.substring("States.Format('".length(), end);
    String[] args = expr.substring(end + 1, expr.length() - 1).split(",");
    StringBuilder out = new StringBuilder();
    int arg = 1;
    int from = 0;
    for (int at = template.indexOf("{}"); at >= 0; at = template.indexOf("{}", from)) {
      out.append(template, from, at);
      JsonNode v = value(data, args[arg++].trim());
      out.append(v.isTextual() ? v.asText() : v.toString());
      from = at + 2;
    }
    return out.append(template.substring(from)).toString();
  }

  /** A path into the state ($...) or the context object ($$...). */
  private JsonNode value(JsonNode data, String path) {
    return path.startsWith("$$") ? path(context, path.substring(1)) : path(data, path);
  }

  static JsonNode path(JsonNode data, String path) {
    if (!path.startsWith("$")) {
      throw new AssertionError("not a path: " + path);
    }
    JsonNode node = data;
    for (String part : path.substring(1).split("\\.")) {
      if (!part.isEmpty()) {
        node = node.path(part);
      }
    }
    return node;
  }

  private static JsonNode place(JsonNode data, String resultPath, JsonNode result) {
    if (resultPath == null) {
      // "ResultPath": null discards the result and passes the input on.
      return data;
    }
    if (resultPath.equals("$")) {
      return result;
    }
    ObjectNode copy = data.deepCopy();
    String[] parts = resultPath.substring(2).split("\\.");
    ObjectNode node = copy;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonNode child = node.get(parts[i]);
      node = child instanceof ObjectNode ? (ObjectNode) child : node.putObject(parts[i]);
    }
    node.set(parts[parts.length - 1], result);
    return copy;
  }
}
