package io.dbrecover.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The recovery state machine's ASL file: structure, names, retries, template placeholders. */
class AslTest {
  static final Path MODULE = Path.of("../terraform/modules/recovery");
  static final Path ASL = MODULE.resolve("state-machine.asl.json");

  private static JsonSchema schema() throws Exception {
    try (InputStream in = AslTest.class.getResourceAsStream("/asl/states-language.schema.json")) {
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(in);
    }
  }

  @Test
  void definition_asRendered_matchesTheStatesLanguageStructure() throws Exception {
    Set<ValidationMessage> errors = schema().validate(StateMachineDriver.render(ASL));

    assertThat(errors).isEmpty();
  }

  @Test
  void schema_taskWithoutResourceAndWaitWithoutTime_rejected() throws Exception {
    ObjectNode broken = (ObjectNode) StateMachineDriver.render(ASL);
    ((ObjectNode) broken.get("States").get("AdvanceRun")).remove("Resource");
    ((ObjectNode) broken.get("States").get("WaitForRun")).remove("SecondsPath");

    Set<ValidationMessage> errors = schema().validate(broken);

    assertThat(errors.toString()).contains("Resource").contains("SecondsPath");
  }

  @Test
  void definition_everyNamedStateExistsAndEveryStateIsReachable() {
    JsonNode asl = StateMachineDriver.render(ASL);

    assertThat(problems(asl)).isEmpty();
  }

  @Test
  void names_targetThatDoesNotExist_reported() {
    ObjectNode broken = (ObjectNode) StateMachineDriver.render(ASL);
    ((ObjectNode) broken.get("States").get("WaitForRun")).put("Next", "AdvanceRunn");

    assertThat(problems(broken))
        .contains("WaitForRun names AdvanceRunn, which is not a state")
        .contains("AdvanceRun is unreachable from StartAt");
  }

  @Test
  void retries_statesAllIsAloneAndLast_andLambdaTasksRetryWithBackoff() {
    JsonNode states = StateMachineDriver.render(ASL).get("States");
    for (Iterator<String> it = states.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      JsonNode retry = states.get(name).get("Retry");
      if (retry == null) {
        continue;
      }
      for (int i = 0; i < retry.size(); i++) {
        List<String> errors = new ArrayList<>();
        retry.get(i).get("ErrorEquals").forEach(e -> errors.add(e.asText()));
        if (errors.contains("States.ALL")) {
          assertThat(errors).as(name).containsExactly("States.ALL");
          assertThat(i).as(name + ": States.ALL retrier must be last").isEqualTo(retry.size() - 1);
        }
      }
      if (states.get(name).path("Resource").asText().endsWith(":lambda:invoke")) {
        assertThat(retry.get(retry.size() - 1).get("BackoffRate").asDouble())
            .as(name)
            .isGreaterThan(1.0);
      }
    }
  }

  @Test
  void placeholders_areExactlyThoseTheModulePassesToTemplatefile() throws Exception {
    Set<String> inAsl = new TreeSet<>();
    Matcher m = Pattern.compile("\\$\\{([a-z_]+)\\}").matcher(Files.readString(ASL));
    while (m.find()) {
      inAsl.add(m.group(1));
    }
    String tf = Files.readString(MODULE.resolve("state-machine.tf"));
    Matcher call =
        Pattern.compile(
                "templatefile\\(\"\\$\\{path.module\\}/state-machine.asl.json\", \\{(.*?)\\}\\)",
                Pattern.DOTALL)
            .matcher(tf);
    assertThat(call.find()).as("state-machine.tf renders state-machine.asl.json").isTrue();
    Set<String> passed = new TreeSet<>();
    Matcher key = Pattern.compile("(?m)^\\s*([a-z_]+)\\s*=").matcher(call.group(1));
    while (key.find()) {
      passed.add(key.group(1));
    }

    assertThat(inAsl).isEqualTo(passed).containsExactly("step_function_arn", "topic_arn");
  }

  @Test
  void approval_announcedWithoutTheToken_thenAwaitedByTheStepEntryHoldingIt() {
    JsonNode states = StateMachineDriver.render(ASL).get("States");
    JsonNode announce = states.get("AnnounceApproval");
    JsonNode await = states.get("AwaitApproval");

    assertThat(states.get("RunStarted").get("Choices").toString())
        .contains("\"StringEquals\":\"approve\",\"Next\":\"AnnounceApproval\"");
    assertThat(announce.get("Resource").asText()).isEqualTo("arn:aws:states:::sns:publish");
    assertThat(announce.toString()).doesNotContain("Task.Token");
    assertThat(announce.get("Next").asText()).isEqualTo("AwaitApproval");
    assertThat(await.get("Resource").asText())
        .isEqualTo("arn:aws:states:::lambda:invoke.waitForTaskToken");
    JsonNode payload = await.get("Parameters").get("Payload");
    assertThat(payload.get("action").asText()).isEqualTo(StepInput.AWAIT_APPROVAL);
    assertThat(payload.get("taskToken.$").asText()).isEqualTo("$$.Task.Token");
    assertThat(payload.get("runId.$").asText()).isEqualTo("$.run.runId");
    payload
        .fieldNames()
        .forEachRemaining(
            k -> assertThat(StepInput.KEYS).as(k).contains(k.replaceFirst("\\.\\$$", "")));
    assertThat(await.get("TimeoutSeconds").asLong())
        .isEqualTo(StepHandler.APPROVAL_TIMEOUT.toSeconds());
    assertThat(await.get("ResultPath").asText()).isEqualTo("$.approval");
    assertThat(await.get("Next").asText()).isEqualTo("StartRun");
  }

  /** Names that point nowhere and states nothing leads to. */
  static List<String> problems(JsonNode asl) {
    JsonNode states = asl.get("States");
    List<String> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    states.fieldNames().forEachRemaining(names::add);
    String start = asl.get("StartAt").asText();
    if (!names.contains(start)) {
      out.add("StartAt names " + start + ", which is not a state");
    }
    Set<String> reached = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>(List.of(start));
    while (!todo.isEmpty()) {
      String name = todo.pop();
      if (!names.contains(name) || !reached.add(name)) {
        continue;
      }
      for (String next : targets(states.get(name))) {
        if (!names.contains(next)) {
          out.add(name + " names " + next + ", which is not a state");
        }
        todo.push(next);
      }
    }
    for (String name : new TreeSet<>(names)) {
      if (!reached.contains(name)) {
        out.add(name + " is unreachable from StartAt");
      }
    }
    return out;
  }

  private static List<String> targets(JsonNode state) {
    List<String> out = new ArrayList<>();
    if (state.has("Next")) {
      out.add(state.get("Next").asText());
    }
    if (state.has("Default")) {
      out.add(state.get("Default").asText());
    }
    state.path("Choices").forEach(c -> out.add(c.get("Next").asText()));
    state.path("Catch").forEach(c -> out.add(c.get("Next").asText()));
    return out;
  }
}
