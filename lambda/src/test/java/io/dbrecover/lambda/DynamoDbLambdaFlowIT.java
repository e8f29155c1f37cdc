package io.dbrecover.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dbrecover.aws.AwsClients;
import io.dbrecover.aws.AwsSettings;
import io.dbrecover.aws.Dynalite;
import io.dbrecover.cli.StepFunctionsApprovals;
import io.dbrecover.engine.api.ApprovalRequest;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.postgres.testing.SampleSchema;
import io.dbrecover.postgres.testing.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The alarm -> execution -> restore -> verify -> swap flow of {@link LambdaFlowIT} with {@code
 * state-store: dynamodb} on dynalite: every step invocation builds its graph afresh on an empty
 * state directory, as a new Lambda execution environment would, so the run's journal, lock and the
 * execution's run record can only come from the table. One invocation dies mid-run; the retry
 * resumes the run from the table and it completes once.
 */
class DynamoDbLambdaFlowIT {
  @RegisterExtension static final Dynalite DYNAMODB = new Dynalite();

  private static final String TABLE = "dbrecover-state";
  private static final Path ASL = Path.of("../terraform/modules/recovery/state-machine.asl.json");

  @TempDir Path work;
  private SfnStub sfn;
  private DynamoDbClient dynamo;
  private final List<Path> stateDirs = new ArrayList<>();
  private final StringBuilder logs = new StringBuilder();
  private boolean crashed;

  @BeforeAll
  static void credentials() {
    System.setProperty("aws.accessKeyId", "AKIDTEST");
    System.setProperty("aws.secretAccessKey", "test-secret-key");
  }

  @BeforeEach
  void setUp() {
    sfn = new SfnStub();
    dynamo =
        AwsClients.fromDefaultChain().dynamoDb(new AwsSettings("eu-west-1", DYNAMODB.endpoint()));
    Dynalite.createStateTable(dynamo, TABLE);
  }

  @AfterEach
  void tearDown() {
    sfn.close();
    dynamo.deleteTable(b -> b.tableName(TABLE));
    dynamo.close();
  }

  @Test
  void alarmToSwap_freshStateDirPerInvocationAndStepDies_runCompletesOnceFromTheTable()
      throws Exception {
    DbUrl db = TestPostgres.freshDatabase();
    SampleSchema.create(db);
    Path yaml = work.resolve("dbrecover.yaml");
    Files.writeString(
        yaml,
        "state-store:\n  type: dynamodb\n  options:\n    table: "
            + TABLE
            + "\n    region: eu-west-1\n    endpoint-override: '"
            + DYNAMODB.endpoint()
            + "'\n    lease: 30s\n"
            + "environments:\n  prod:\n    protection: none\n"
            + "    database: { provider: postgres, url: '${APP_DB_URL}' }\n"
            + "    backup-store: "
            + work.resolve("backups")
            + "\n    url-target: { type: dotenv, path: app.env }\n"
            + "    jobs: 2\n");
    Files.writeString(work.resolve("app.env"), "DATABASE_URL=" + db.toSecretUri().reveal() + "\n");
    Map<String, String> env =
        Map.of(
            LambdaSettings.CONFIG,
            yaml.toString(),
            "APP_DB_URL",
            db.toSecretUri().reveal(),
            LambdaSettings.STATE_MACHINE_ARN,
            Harness.STATE_MACHINE,
            LambdaSettings.SFN_ENDPOINT,
            sfn.endpoint(),
            LambdaSettings.ALARM_ROUTES,
            "[{\"alarm\":\"orders-data-corruption\",\"environment\":\"prod\"}]");

    JsonNode snapshot =
        invokeFresh(
            env,
            h -> new SnapshotHandler(h.component()),
            Harness.fixture("scheduler-snapshot.json"));
    assertThat(snapshot.get("status").asText()).as(snapshot.toString()).isEqualTo("done");
    String atBackup = SampleSchema.contentHash(db);
    SampleSchema.run(
        db,
        "update orders set amount = 0 where id % 3 = 0",
        "delete from audit_log where message like 'event 1%'");
    assertThat(SampleSchema.contentHash(db)).isNotEqualTo(atBackup);

    byte[] alarm = Harness.snsAlarmAt(Instant.now());
    JsonNode started = invokeFresh(env, h -> new AlarmHandler(h.alarmComponent()), alarm);
    JsonNode duplicate = invokeFresh(env, h -> new AlarmHandler(h.alarmComponent()), alarm);
    assertThat(started.get("alarms").get(0).get("status").asText()).isEqualTo("started");
    assertThat(duplicate.get("alarms").get(0).get("status").asText()).isEqualTo("already-started");
    // Both deliveries ask for the same execution name, which Step Functions starts only once.
    assertThat(sfn.starts().stream().map(r -> SfnStub.body(r).get("name").asText()).distinct())
        .hasSize(1);
    JsonNode executionInput =
        Harness.JSON.readTree(SfnStub.body(sfn.starts().get(0)).get("input").asText());

    StateMachineDriver driver =
        new StateMachineDriver(
            ASL,
            Map.of(
                StateMachineDriver.STEP_FUNCTION,
                payload -> invokeFresh(env, this::crashingStep, bytes(payload))));
    StateMachineDriver.Outcome outcome = driver.run(executionInput);

    assertThat(outcome.state()).as(outcome.output().toString()).isEqualTo("Recovered");
    assertThat(driver.taskErrors).containsExactly(Harness.SimulatedCrash.class.getName());
    String runId = outcome.output().get("run").get("runId").asText();
    DbUrl swapped = swappedUrl(work.resolve("app.env"));
    assertThat(swapped.database()).startsWith(db.database() + "_rb_");
    assertThat(SampleSchema.contentHash(swapped)).isEqualTo(atBackup);

    // The run, its journal and the execution's record are in the table, and only there.
    assertThat(runIdsOf("prod")).containsExactly(runId);
    List<String> journal = journal(runId);
    assertThat(count(journal, "\"step\":\"START_RESTORE\",\"status\":\"done\"")).isEqualTo(1);
    assertThat(count(journal, "\"step\":\"SWAP_URL\",\"status\":\"done\"")).isEqualTo(1);
    assertThat(count(journal, "\"step\":\"REPORT\",\"status\":\"done\"")).isEqualTo(1);
    String execution = SfnStub.body(sfn.starts().get(0)).get("name").asText();
    Map<String, AttributeValue> record =
        dynamo
            .getItem(
                b ->
                    b.tableName(TABLE)
                        .consistentRead(true)
                        .key(
                            Map.of(
                                "pk", AttributeValue.fromS("execution#" + execution),
                                "sk", AttributeValue.fromS("execution"))))
            .item();
    assertThat(record.get("runId").s()).isEqualTo(runId);
    assertThat(stateDirs).hasSizeGreaterThan(4);
    for (Path dir : stateDirs) {
      // Only reports are written locally (runs/<run id>/); no journal, lock or execution record.
      assertThat(dir.resolve("locks")).doesNotExist();
      assertThat(dir.resolve("lambda")).doesNotExist();
      if (Files.exists(dir)) {
        try (Stream<Path> files = Files.walk(dir)) {
          assertThat(files.map(p -> p.getFileName().toString()))
              .noneMatch(n -> n.equals("journal.jsonl") || n.endsWith(".lock"));
        }
      }
    }

    // The start step (its payload is the execution input) delivered again after the run, in a new
    // environment, finds the execution's run in the table and starts nothing.
    JsonNode restart = invokeFresh(env, h -> new StepHandler(h.component()), bytes(executionInput));
    assertThat(restart.get("runId").asText()).as(restart.toString()).isEqualTo(runId);
    assertThat(runIdsOf("prod")).containsExactly(runId);
    assertThat(logs.toString())
        .doesNotContain(db.password().orElseThrow().reveal())
        .contains("run " + runId + " done");
  }

  @Test
  void protectedEnvironment_approvedFromAnotherHost_runStartsUnderTheAnnouncedIdFromTheTable()
      throws Exception {
    DbUrl db = TestPostgres.freshDatabase();
    SampleSchema.create(db);
    Path yaml = work.resolve("dbrecover.yaml");
    Files.writeString(
        yaml,
        "state-store:\n  type: dynamodb\n  options:\n    table: "
            + TABLE
            + "\n    region: eu-west-1\n    endpoint-override: '"
            + DYNAMODB.endpoint()
            + "'\n"
            + "environments:\n  prod:\n    protection: strict\n"
            + "    database: { provider: postgres, url: '${APP_DB_URL}' }\n"
            + "    backup-store: "
            + work.resolve("backups")
            + "\n    url-target: { type: dotenv, path: app.env }\n"
            + "    jobs: 2\n");
    Files.writeString(work.resolve("app.env"), "DATABASE_URL=" + db.toSecretUri().reveal() + "\n");
    Map<String, String> env =
        Map.of(LambdaSettings.CONFIG, yaml.toString(), "APP_DB_URL", db.toSecretUri().reveal());
    JsonNode snapshot =
        invokeFresh(
            env,
            h -> new SnapshotHandler(h.component()),
            Harness.fixture("scheduler-snapshot.json"));
    assertThat(snapshot.get("status").asText()).as(snapshot.toString()).isEqualTo("done");
    String atBackup = SampleSchema.contentHash(db);
    SampleSchema.run(db, "update orders set amount = 0 where id % 3 = 0");
    ObjectNode input = Harness.JSON.createObjectNode();
    input.put("action", "start");
    input.put("execution", "orders-data-corruption-dynamodb-approval");
    input.put("environment", "prod");
    input.put("kind", "data");
    input.put("suspectedStart", Instant.now().toString());

    // The on-call engineer's host: its own graph and an empty state directory; only the table is
    // shared with the Lambda.
    Harness oncall = new Harness(work.resolve("oncall"));
    env.forEach(oncall::env);
    try (SfnTaskStub tasks = new SfnTaskStub()) {
      StepFunctionsApprovals approvals =
          new StepFunctionsApprovals(
              oncall.component().engine(),
              oncall.component().config(),
              StepFunctionsApprovals.clients(tasks.endpoint()));
      StateMachineDriver driver =
          new StateMachineDriver(
                  ASL,
                  Map.of(
                      StateMachineDriver.STEP_FUNCTION,
                      payload ->
                          invokeFresh(env, h -> new StepHandler(h.component()), bytes(payload))))
              .approver(
                  waiting -> {
                    assertThat(approvals.pending())
                        .extracting(ApprovalRequest::runId)
                        .containsExactly(waiting.get("runId").asText());
                    approvals.approve(
                        approvals.waiting(waiting.get("runId").asText()), "alice", "rollback-prod");
                    return tasks.answerFor(waiting.get("taskToken").asText());
                  });

      StateMachineDriver.Outcome outcome = driver.run(input);

      assertThat(outcome.state()).as(outcome.output().toString()).isEqualTo("Recovered");
      String announced = driver.awaited.get(0).get("runId").asText();
      assertThat(outcome.output().get("run").get("runId").asText()).isEqualTo(announced);
      assertThat(runIdsOf("prod")).containsExactly(announced);
      // The execution's claim and the announcement live in different items: neither erased the
      // other.
      assertThat(item("execution#orders-data-corruption-dynamodb-approval", "execution"))
          .containsEntry("runId", AttributeValue.fromS(announced))
          .containsKey("reservedAt");
      assertThat(item("doc#approvals", announced)).containsKey("document");
      assertThat(item("doc#approval-answers", announced).get("document").s())
          .contains("\"outcome\":\"approved\"")
          .contains("\"by\":\"alice\"");
      assertThat(SampleSchema.contentHash(swappedUrl(work.resolve("app.env")))).isEqualTo(atBackup);
      assertThat(approvals.pending()).isEmpty();
      String token = driver.awaited.get(0).get("taskToken").asText();
      assertThat(SfnStub.body(tasks.calls(SfnTaskStub.SUCCESS).get(0)).get("taskToken").asText())
          .isEqualTo(token);
      assertThat(logs.toString()).doesNotContain("\"" + token + "\"").contains(announced);
    }
  }

  private Map<String, AttributeValue> item(String pk, String sk) {
    return dynamo
        .getItem(
            b ->
                b.tableName(TABLE)
                    .consistentRead(true)
                    .key(Map.of("pk", AttributeValue.fromS(pk), "sk", AttributeValue.fromS(sk))))
        .item();
  }

  @Test
  void executionRuns_claimedTwiceThenRecorded_firstClaimStandsAndRunIsRead() {
    DynamoDbExecutionRuns runs =
        new DynamoDbExecutionRuns(dynamo, TABLE, java.time.Clock.systemUTC());
    Instant first = Instant.parse("2026-06-10T12:00:00Z");

    assertThat(runs.find("exec-1")).isEmpty();
    runs.reserve("exec-1", first);
    runs.reserve("exec-1", first.plusSeconds(60));
    assertThat(runs.find("exec-1")).contains(new ExecutionRuns.Entry(first, null));
    runs.record("exec-1", "run-20260610-120000-1a2b");
    assertThat(runs.find("exec-1"))
        .contains(new ExecutionRuns.Entry(first, "run-20260610-120000-1a2b"));
    assertThat(runs.find("exec-2")).isEmpty();
  }

  @Test
  void executionRuns_tableMissing_failsNamingTableAndAction() {
    DynamoDbExecutionRuns runs =
        new DynamoDbExecutionRuns(dynamo, "no-such-table", java.time.Clock.systemUTC());

    assertThatThrownBy(() -> runs.find("exec-1"))
        .isInstanceOfSatisfying(
            DbRecoverException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PROVIDER_API))
        .hasMessageContaining("no-such-table")
        .hasMessageContaining("dynamodb:GetItem");
  }

  /** The step entry; the first invocation that reaches the restored database's check dies there. */
  private StepHandler crashingStep(Harness h) {
    if (!crashed) {
      h.crashOnce("\"step\":\"VERIFY_RESTORED\"");
    }
    return new StepHandler(h.component());
  }

  private interface HandlerFactory {
    com.amazonaws.services.lambda.runtime.RequestStreamHandler create(Harness h);
  }

  /** One invocation in a new execution environment: a new graph on a new, empty state directory. */
  private JsonNode invokeFresh(Map<String, String> env, HandlerFactory handler, byte[] event) {
    Path dir = work.resolve("state-" + stateDirs.size());
    stateDirs.add(dir);
    Harness h = new Harness(dir);
    env.forEach(h::env);
    try {
      return Harness.invoke(handler.create(h), event);
    } catch (Harness.SimulatedCrash e) {
      crashed = true;
      throw e;
    } finally {
      logs.append(h.logText());
    }
  }

  private List<String> runIdsOf(String environment) {
    List<String> ids = new ArrayList<>();
    dynamo
        .queryPaginator(
            b ->
                b.tableName(TABLE)
                    .consistentRead(true)
                    .keyConditionExpression("pk = :pk AND begins_with(sk, :run)")
                    .expressionAttributeValues(
                        Map.of(
                            ":pk", AttributeValue.fromS("env#" + environment),
                            ":run", AttributeValue.fromS("run#"))))
        .items()
        .forEach(i -> ids.add(i.get("runId").s()));
    return ids;
  }

  private List<String> journal(String runId) {
    List<String> records = new ArrayList<>();
    dynamo
        .queryPaginator(
            b ->
                b.tableName(TABLE)
                    .consistentRead(true)
                    .keyConditionExpression("pk = :pk")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("run#" + runId))))
        .items()
        .forEach(i -> records.add(i.get("record").s()));
    return records;
  }

  private static long count(List<String> records, String needle) {
    return records.stream().filter(r -> r.contains(needle)).count();
  }

  private static byte[] bytes(JsonNode payload) {
    return payload.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static DbUrl swappedUrl(Path appEnv) throws Exception {
    try (Stream<String> lines = Files.lines(appEnv)) {
      String line = lines.filter(l -> l.startsWith("DATABASE_URL=")).findFirst().orElseThrow();
      return DbUrl.parse(line.substring("DATABASE_URL=".length()).replace("\"", ""));
    }
  }
}
