package io.dbrecover.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.StateStoreConfig;
import io.dbrecover.engine.spi.StateStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The DynamoDB state store through the real SDK against dynalite, a DynamoDB-compatible server: the
 * lock's conditional writes and lease, and the journal's conditional appends.
 */
class DynamoDbStateStoreIT {
  @RegisterExtension static final Dynalite DYNAMODB = new Dynalite();

  private static final AtomicInteger TABLES = new AtomicInteger();
  private static final Duration LEASE = Duration.ofMinutes(5);
  private static final String RUN_1 = "run-20250610-120000-aaaa";
  private static final String RUN_2 = "run-20250611-080000-bbbb";

  private final MutableClock clock = new MutableClock(Instant.parse("2025-06-10T12:00:00Z"));
  private final List<StateStore.Lock> held = new ArrayList<>();
  private DynamoDbClient client;
  private String table;

  @BeforeEach
  void createTable() {
    client = AwsStub.clients().dynamoDb(new AwsSettings("us-east-1", DYNAMODB.endpoint()));
    table = "dbrecover-state-" + TABLES.incrementAndGet();
    Dynalite.createStateTable(client, table);
  }

  @AfterEach
  void releaseLocks() {
    held.forEach(StateStore.Lock::close);
  }

  private StateStore store(Clock c) {
    return new DynamoDbStateStore(client, table, LEASE, null, c);
  }

  private StateStore.Lock lock(StateStore store, String env, String holder) {
    StateStore.Lock lock = store.lock(env, holder);
    held.add(lock);
    return lock;
  }

  private static ErrorCode code(Throwable e) {
    return ((DbRecoverException) e).code();
  }

  // ---- lock ----

  @Test
  void lock_twoContendersAtOnce_onlyOneWinsAndTheOtherIsLocked() throws Exception {
    int contenders = 6;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(contenders);
    List<Future<StateStore.Lock>> results = new ArrayList<>();
    try {
      for (int i = 0; i < contenders; i++) {
        String holder = "run r" + i;
        Callable<StateStore.Lock> attempt =
            () -> {
              start.await();
              return store(clock).lock("prod", holder);
            };
        results.add(pool.submit(attempt));
      }
      start.countDown();
      int won = 0;
      int locked = 0;
      for (Future<StateStore.Lock> f : results) {
        try {
          held.add(f.get());
          won++;
        } catch (java.util.concurrent.ExecutionException e) {
          assertThat(code(e.getCause())).isEqualTo(ErrorCode.LOCKED);
          locked++;
        }
      }
      assertThat(won).isEqualTo(1);
      assertThat(locked).isEqualTo(contenders - 1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void lock_held_lockedNamingTheHolderAndWhenItsLeaseEnds() {
    lock(store(clock), "prod", "run " + RUN_1);

    assertThatThrownBy(() -> store(clock).lock("prod", "run " + RUN_2))
        .isExactlyInstanceOf(DbRecoverException.class)
        .hasMessage(
            "environment 'prod' is locked by run "
                + RUN_1
                + " (since 2025-06-10T12:00:00Z, lease until 2025-06-10T12:05:00Z, DynamoDB table "
                + table
                + "); wait for it to finish. If its process died, the lease runs out at"
                + " 2025-06-10T12:05:00Z and the next run takes over")
        .extracting(DynamoDbStateStoreIT::code)
        .isEqualTo(ErrorCode.LOCKED);
  }

  @Test
  void lock_otherEnvironment_isIndependent() {
    lock(store(clock), "prod", "run a");

    StateStore.Lock staging = lock(store(clock), "staging", "run b");

    assertThat(staging).isNotNull();
  }

  @Test
  void lock_afterRelease_succeedsAgain() {
    store(clock).lock("prod", "run a").close();

    StateStore.Lock again = lock(store(clock), "prod", "run b");

    assertThat(item("env#prod", "lock").get("holder").s()).isEqualTo("run b");
    again.renew();
  }

  @Test
  void lock_expiredLease_isTakenOverAndTheOldHolderLearnsItLostIt() {
    StateStore.Lock crashed = store(clock).lock("prod", "run a");
    clock.advance(LEASE.plusSeconds(1));

    StateStore.Lock taker = lock(store(clock), "prod", "run b");

    assertThat(item("env#prod", "lock").get("holder").s()).isEqualTo("run b");
    assertThatThrownBy(crashed::renew)
        .hasMessageStartingWith("the lock on environment 'prod' was lost: its lease ran out")
        .extracting(DynamoDbStateStoreIT::code)
        .isEqualTo(ErrorCode.LOCKED);
    crashed.close();
    assertThat(item("env#prod", "lock").get("holder").s())
        .as("the old holder's release leaves the new holder's lock alone")
        .isEqualTo("run b");
    taker.renew();
  }

  @Test
  void lock_leaseNotYetExpired_isNotTakenOver() {
    lock(store(clock), "prod", "run a");
    clock.advance(LEASE.minusSeconds(1));

    assertThatThrownBy(() -> store(clock).lock("prod", "run b"))
        .extracting(DynamoDbStateStoreIT::code)
        .isEqualTo(ErrorCode.LOCKED);
  }

  @Test
  void renew_beforeTheLeaseEnds_extendsItSoOthersStayOut() {
    StateStore.Lock lock = lock(store(clock), "prod", "run a");
    clock.advance(LEASE.minusMinutes(1));

    lock.renew();
    clock.advance(Duration.ofMinutes(2)); // past the first lease, inside the renewed one

    assertThat(item("env#prod", "lock").get("expiresAt").n())
        .isEqualTo(Long.toString(Instant.parse("2025-06-10T12:09:00Z").toEpochMilli()));
    assertThatThrownBy(() -> store(clock).lock("prod", "run b"))
        .extracting(DynamoDbStateStoreIT::code)
        .isEqualTo(ErrorCode.LOCKED);
  }

  @Test
  void lock_backgroundRenewal_keepsTheLockPastItsFirstLease() throws Exception {
    StateStore renewing =
        new DynamoDbStateStore(client, table, LEASE, Duration.ofMillis(100), clock);
    StateStore.Lock lock = lock(renewing, "prod", "run a");
    clock.advance(Duration.ofMinutes(4));

    // The renewer runs on its own thread: wait until it has extended the lease from "now".
    String renewedUntil = Long.toString(Instant.parse("2025-06-10T12:09:00Z").toEpochMilli());
    long giveUp = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!renewedUntil.equals(item("env#prod", "lock").get("expiresAt").n())) {
      assertThat(System.nanoTime()).as("renewed within 30 s").isLessThan(giveUp);
      Thread.sleep(50);
    }
    clock.advance(Duration.ofMinutes(2)); // past the first lease, inside the renewed one

    assertThatThrownBy(() -> store(clock).lock("prod", "run b"))
        .extracting(DynamoDbStateStoreIT::code)
        .isEqualTo(ErrorCode.LOCKED);
    lock.close();
    lock(store(clock), "prod", "run b");
  }

  // ---- journal ----

  @Test
  void journal_appendsThenOpen_readsTheRecordsInOrder() {
    StateStore.RunLog log = store(clock).create("prod", RUN_1);
    for (int seq = 1; seq <= 12; seq++) {
      log.append(seq, "{\"seq\":" + seq + "}");
    }

    List<String> records = store(clock).open(RUN_1).records();

    assertThat(records).hasSize(12);
    assertThat(records.get(0)).isEqualTo("{\"seq\":1}");
    assertThat(records.get(9)).isEqualTo("{\"seq\":10}");
    assertThat(records.get(11)).isEqualTo("{\"seq\":12}");
  }

  @Test
  void journal_resumedElsewhere_continuesAfterTheLastRecord() {
    StateStore.RunLog first = store(clock).create("prod", RUN_1);
    first.append(1, "{\"seq\":1,\"type\":\"run\"}");
    first.append(2, "{\"seq\":2,\"step\":\"PREFLIGHT\"}");

    StateStore.RunLog resumed = store(clock).open(RUN_1);
    resumed.append(resumed.records().size() + 1, "{\"seq\":3,\"step\":\"SAFETY_COPY\"}");

    assertThat(store(clock).open(RUN_1).records())
        .containsExactly(
            "{\"seq\":1,\"type\":\"run\"}",
            "{\"seq\":2,\"step\":\"PREFLIGHT\"}",
            "{\"seq\":3,\"step\":\"SAFETY_COPY\"}");
  }

  @Test
  void journal_twoWritersOfTheSameRecord_secondIsLockedAndTheFirstIsKept() {
    StateStore.RunLog one = store(clock).create("prod", RUN_1);
    one.append(1, "{\"seq\":1}");
    StateStore.RunLog other = store(clock).open(RUN_1);
    one.append(2, "{\"seq\":2,\"by\":\"one\"}");

    assertThatThrownBy(() -> other.append(2, "{\"seq\":2,\"by\":\"other\"}"))
        .hasMessageStartingWith("record 2 of run " + RUN_1 + " was already written by another")
        .extracting(DynamoDbStateStoreIT::code)
        .isEqualTo(ErrorCode.LOCKED);
    assertThat(store(clock).open(RUN_1).records())
        .containsExactly("{\"seq\":1}", "{\"seq\":2,\"by\":\"one\"}");
  }

  @Test
  void create_runThatExists_configurationError() {
    store(clock).create("prod", RUN_1).append(1, "{}");

    assertThatThrownBy(() -> store(clock).create("prod", RUN_1))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "run " + RUN_1 + " already exists in DynamoDB table " + table + "; start a new run");
  }

  @Test
  void open_missingRun_configurationErrorNamingIt() {
    assertThatThrownBy(() -> store(clock).open(RUN_2))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "no run '"
                + RUN_2
                + "' in DynamoDB table "
                + table
                + "; list runs with `dbrecover status <env>`");
  }

  @Test
  void runIds_runsOfSeveralEnvironments_onlyThisEnvironmentsNewestFirst() {
    store(clock).create("prod", RUN_1).append(1, "{}");
    store(clock).create("prod", RUN_2).append(1, "{}");
    store(clock).create("staging", "run-20250612-080000-cccc").append(1, "{}");
    lock(store(clock), "prod", "run x");

    assertThat(store(clock).runIds("prod")).containsExactly(RUN_2, RUN_1);
    assertThat(store(clock).runIds("dev")).isEmpty();
  }

  // ---- documents (approval requests) ----

  @Test
  void documents_putThenRead_listedByKindBesideRunsAndExecutionClaims() {
    store(clock).create("prod", RUN_1).append(1, "{}");
    // The Lambda's execution claim lives in the same table: a document must not touch it.
    client.putItem(
        b ->
            b.tableName(table)
                .item(
                    Map.of(
                        "pk", AttributeValue.fromS("execution#orders-1"),
                        "sk", AttributeValue.fromS("execution"),
                        "reservedAt", AttributeValue.fromS("2025-06-10T12:00:00Z"))));

    store(clock).putDocument("approvals", RUN_2, "{\"runId\":\"" + RUN_2 + "\"}", false);
    store(clock).putDocument("approval-answers", RUN_1, "{}", false);

    assertThat(store(clock).document("approvals", RUN_2)).hasValue("{\"runId\":\"" + RUN_2 + "\"}");
    assertThat(store(clock).document("approvals", RUN_1)).isEmpty();
    assertThat(store(clock).documentIds("approvals")).containsExactly(RUN_2);
    assertThat(store(clock).runIds("prod")).containsExactly(RUN_1);
    assertThat(
            client
                .getItem(
                    b ->
                        b.tableName(table)
                            .key(
                                Map.of(
                                    "pk", AttributeValue.fromS("execution#orders-1"),
                                    "sk", AttributeValue.fromS("execution"))))
                .item())
        .containsKey("reservedAt");
  }

  @Test
  void putDocument_onlyIfAbsent_firstWriterWinsAndIsKept() {
    assertThat(store(clock).putDocument("approval-answers", RUN_1, "{\"by\":\"alice\"}", true))
        .isTrue();

    assertThat(store(clock).putDocument("approval-answers", RUN_1, "{\"by\":\"bob\"}", true))
        .isFalse();
    assertThat(store(clock).document("approval-answers", RUN_1)).hasValue("{\"by\":\"alice\"}");
  }

  @Test
  void putDocument_replacing_overwrites() {
    store(clock).putDocument("approvals", RUN_1, "{\"token\":1}", false);

    store(clock).putDocument("approvals", RUN_1, "{\"token\":2}", false);

    assertThat(store(clock).document("approvals", RUN_1)).hasValue("{\"token\":2}");
  }

  @Test
  void anyCall_missingTable_configurationErrorNamingTheTable() {
    StateStore missing = new DynamoDbStateStore(client, "no-such-table", LEASE, null, clock);

    assertThatThrownBy(() -> missing.lock("prod", "run a"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith(
            "DynamoDB table 'no-such-table' does not exist (ResourceNotFoundException");
  }

  @Test
  void factory_options_buildAStoreOnThatTable() {
    StateStore store =
        new DynamoDbStateStore.Factory(AwsStub.clients(), clock)
            .create(
                new StateStoreConfig(
                    "dynamodb",
                    Map.of(
                        "table",
                        table,
                        "region",
                        "us-east-1",
                        "endpoint-override",
                        DYNAMODB.endpoint().toString(),
                        "lease",
                        "30s")),
                Path.of("."));

    lock(store, "prod", "run a");

    assertThat(store.describe()).isEqualTo("DynamoDB table " + table);
    assertThat(item("env#prod", "lock").get("expiresAt").n())
        .isEqualTo(Long.toString(Instant.parse("2025-06-10T12:00:30Z").toEpochMilli()));
  }

  private Map<String, AttributeValue> item(String pk, String sk) {
    return client
        .getItem(
            b ->
                b.tableName(table)
                    .consistentRead(true)
                    .key(Map.of("pk", AttributeValue.fromS(pk), "sk", AttributeValue.fromS(sk))))
        .item();
  }
}
