package io.dbrecover.aws;

import io.dbrecover.aws.internal.AwsErrors;
import io.dbrecover.aws.internal.DynamoDbItems;
import io.dbrecover.aws.internal.DynamoDbLock;
import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.StateStoreConfig;
import io.dbrecover.engine.spi.StateStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

/**
 * Run journals and environment locks in one DynamoDB table (string keys {@code pk} and {@code sk};
 * the layout is on {@link DynamoDbItems}), for the Lambda, whose runs have no lasting disk, and for
 * the CLI reading their state ({@code status}). Journal records are conditional puts on their
 * sequence number, so two processes can never both write record n; the lock is a lease ({@link
 * DynamoDbLock}). Every read is strongly consistent.
 */
public final class DynamoDbStateStore implements StateStore {
  /** The config type. */
  public static final String TYPE = "dynamodb";

  static final String TABLE = "table";
  static final String LEASE = "lease";
  static final Duration DEFAULT_LEASE = Duration.ofMinutes(5);
  static final Duration MIN_LEASE = Duration.ofSeconds(10);
  private static final Set<String> OPTIONS =
      Set.of(TABLE, LEASE, AwsSettings.REGION, AwsSettings.ENDPOINT_OVERRIDE, AwsSettings.ROLE_ARN);
  private static final Pattern DURATION = Pattern.compile("(\\d+)([smh])");

  static final String PUT = "dynamodb:PutItem";
  static final String QUERY = "dynamodb:Query";
  static final String GET = "dynamodb:GetItem";

  private final DynamoDbClient client;
  private final String table;
  private final Duration lease;
  private final Duration renewEvery;
  private final Clock clock;

  /**
   * @param client the DynamoDB client
   * @param table the table's name
   * @param lease how long a lock holder that stopped renewing keeps others out
   * @param renewEvery how often held locks extend their lease in the background, or null for never
   *     (the engine still renews before each stretch of work)
   * @param clock the clock lease times are taken from
   */
  public DynamoDbStateStore(
      DynamoDbClient client, String table, Duration lease, Duration renewEvery, Clock clock) {
    this.client = Objects.requireNonNull(client, "client");
    this.table = Objects.requireNonNull(table, "table");
    this.lease = Objects.requireNonNull(lease, "lease");
    this.renewEvery = renewEvery;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Creates stores from {@code state-store: {type: dynamodb, options: {table, region,
   * endpoint-override, role-arn, lease}}}; held locks renew their lease every third of it.
   */
  public static final class Factory implements StateStore.Factory {
    private final AwsClients clients;
    private final Clock clock;

    public Factory(AwsClients clients, Clock clock) {
      this.clients = Objects.requireNonNull(clients, "clients");
      this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public StateStore create(StateStoreConfig config, Path stateDir) {
      Map<String, String> options = config.options();
      for (String key : options.keySet()) {
        if (!OPTIONS.contains(key)) {
          throw new ConfigurationException(
              "state-store.options."
                  + key
                  + " is not a dynamodb option; valid: "
                  + String.join(", ", new TreeSet<>(OPTIONS)));
        }
      }
      String table = tableName(config);
      Duration lease = lease(options.get(LEASE));
      return new DynamoDbStateStore(
          clients.dynamoDb(AwsSettings.fromOptions(options)),
          table,
          lease,
          lease.dividedBy(3),
          clock);
    }

    private static Duration lease(String value) {
      if (value == null || value.isBlank()) {
        return DEFAULT_LEASE;
      }
      Matcher m = DURATION.matcher(value.trim());
      Duration d = null;
      if (m.matches()) {
        long amount = Long.parseLong(m.group(1));
        d =
            m.group(2).equals("s")
                ? Duration.ofSeconds(amount)
                : m.group(2).equals("m") ? Duration.ofMinutes(amount) : Duration.ofHours(amount);
      }
      if (d == null || d.compareTo(MIN_LEASE) < 0) {
        throw new ConfigurationException(
            "state-store.options.lease: '"
                + value
                + "' is not a lease of at least 10s; write it like 30s, 5m or 1h");
      }
      return d;
    }
  }

  /**
   * The table named by a {@code dynamodb} state store's {@code table} option, validated; for other
   * parts that keep their own items in the same table (the Lambda's execution records).
   *
   * @throws ConfigurationException naming the option when it is missing or not a table name
   */
  public static String tableName(StateStoreConfig config) {
    String table = config.options().get(TABLE);
    if (table == null || !table.matches("[A-Za-z0-9_.-]{3,255}")) {
      throw new ConfigurationException(
          "state-store.options.table: "
              + (table == null ? "missing" : "'" + table + "' is not a DynamoDB table name")
              + "; name the table that holds dbrecover's journals and locks (3 to 255 letters,"
              + " digits, '_', '-', '.'), see docs/providers/aws.md");
    }
    return table;
  }

  @Override
  public String describe() {
    return "DynamoDB table " + table;
  }

  @Override
  public Lock lock(String environment, String holder) {
    return DynamoDbLock.acquire(client, table, environment, holder, lease, renewEvery, clock);
  }

  @Override
  public RunLog create(String environment, String runId) {
    try {
      client.putItem(
          b ->
              b.tableName(table)
                  .item(
                      Map.of(
                          "pk", AttributeValue.fromS(DynamoDbItems.environmentKey(environment)),
                          "sk", AttributeValue.fromS(DynamoDbItems.runKey(runId)),
                          "runId", AttributeValue.fromS(runId),
                          "createdAt", AttributeValue.fromS(clock.instant().toString())))
                  .conditionExpression("attribute_not_exists(#pk)")
                  .expressionAttributeNames(Map.of("#pk", "pk")));
    } catch (ConditionalCheckFailedException e) {
      throw new ConfigurationException(
          "run " + runId + " already exists in " + describe() + "; start a new run");
    } catch (SdkException e) {
      throw AwsErrors.map(e, PUT, "DynamoDB table '" + table + "'");
    }
    return new DynamoDbRunLog(runId);
  }

  @Override
  public RunLog open(String runId) {
    DynamoDbRunLog log = new DynamoDbRunLog(runId);
    if (log.query(1).isEmpty()) {
      throw new ConfigurationException(
          "no run '" + runId + "' in " + describe() + "; list runs with `dbrecover status <env>`");
    }
    return log;
  }

  /** Only the environment's runs: each run has an item under the environment's key. */
  @Override
  public List<String> runIds(String environment) {
    QueryRequest request =
        QueryRequest.builder()
            .tableName(table)
            .consistentRead(true)
            .scanIndexForward(false)
            .keyConditionExpression("#pk = :pk AND begins_with(#sk, :run)")
            .expressionAttributeNames(Map.of("#pk", "pk", "#sk", "sk"))
            .expressionAttributeValues(
                Map.of(
                    ":pk", AttributeValue.fromS(DynamoDbItems.environmentKey(environment)),
                    ":run", AttributeValue.fromS(DynamoDbItems.RUN_PREFIX)))
            .build();
    List<String> ids = new ArrayList<>();
    try {
      client.queryPaginator(request).items().forEach(item -> ids.add(item.get("runId").s()));
    } catch (SdkException e) {
      throw AwsErrors.map(e, QUERY, "DynamoDB table '" + table + "'");
    }
    return ids;
  }

  /** A document is the item {@code pk=doc#<kind>, sk=<id>}, its JSON text in {@code document}. */
  @Override
  public Optional<String> document(String kind, String id) {
    Map<String, AttributeValue> item;
    try {
      item =
          client
              .getItem(
                  b ->
                      b.tableName(table)
                          .key(DynamoDbItems.key(DynamoDbItems.documentKey(kind), id))
                          .consistentRead(true))
              .item();
    } catch (SdkException e) {
      throw AwsErrors.map(e, GET, "DynamoDB table '" + table + "'");
    }
    if (item == null || item.isEmpty() || !item.containsKey("document")) {
      return Optional.empty();
    }
    return Optional.of(item.get("document").s());
  }

  @Override
  public boolean putDocument(String kind, String id, String json, boolean onlyIfAbsent) {
    Map<String, AttributeValue> item =
        new java.util.HashMap<>(DynamoDbItems.key(DynamoDbItems.documentKey(kind), id));
    item.put("document", AttributeValue.fromS(json));
    item.put("writtenAt", AttributeValue.fromS(clock.instant().toString()));
    try {
      client.putItem(
          b -> {
            b.tableName(table).item(item);
            if (onlyIfAbsent) {
              b.conditionExpression("attribute_not_exists(#pk)")
                  .expressionAttributeNames(Map.of("#pk", "pk"));
            }
          });
      return true;
    } catch (ConditionalCheckFailedException e) {
      return false;
    } catch (SdkException e) {
      throw AwsErrors.map(e, PUT, "DynamoDB table '" + table + "'");
    }
  }

  @Override
  public List<String> documentIds(String kind) {
    QueryRequest request =
        QueryRequest.builder()
            .tableName(table)
            .consistentRead(true)
            .keyConditionExpression("#pk = :pk")
            .projectionExpression("#sk")
            .expressionAttributeNames(Map.of("#pk", "pk", "#sk", "sk"))
            .expressionAttributeValues(
                Map.of(":pk", AttributeValue.fromS(DynamoDbItems.documentKey(kind))))
            .build();
    List<String> ids = new ArrayList<>();
    try {
      client.queryPaginator(request).items().forEach(item -> ids.add(item.get("sk").s()));
    } catch (SdkException e) {
      throw AwsErrors.map(e, QUERY, "DynamoDB table '" + table + "'");
    }
    return ids;
  }

  /** One run's records under {@code pk=run#<run id>}, sort key {@code rec#<seq, 10 digits>}. */
  private final class DynamoDbRunLog implements RunLog {
    private final String runId;

    DynamoDbRunLog(String runId) {
      this.runId = runId;
    }

    @Override
    public String describe() {
      return "run " + runId + " in " + DynamoDbStateStore.this.describe();
    }

    @Override
    public List<String> records() {
      return query(0);
    }

    /** The records in order; at most {@code limit} of them when positive. */
    List<String> query(int limit) {
      QueryRequest.Builder b =
          QueryRequest.builder()
              .tableName(table)
              .consistentRead(true)
              .keyConditionExpression("#pk = :pk AND begins_with(#sk, :rec)")
              .expressionAttributeNames(Map.of("#pk", "pk", "#sk", "sk"))
              .expressionAttributeValues(
                  Map.of(
                      ":pk", AttributeValue.fromS(DynamoDbItems.runKey(runId)),
                      ":rec", AttributeValue.fromS(DynamoDbItems.RECORD_PREFIX)));
      List<String> records = new ArrayList<>();
      try {
        if (limit > 0) {
          client
              .query(b.limit(limit).build())
              .items()
              .forEach(i -> records.add(i.get("record").s()));
        } else {
          client.queryPaginator(b.build()).items().forEach(i -> records.add(i.get("record").s()));
        }
      } catch (SdkException e) {
        throw AwsErrors.map(e, QUERY, "DynamoDB table '" + table + "'");
      }
      return records;
    }

    @Override
    public void append(int seq, String record) {
      try {
        client.putItem(
            b ->
                b.tableName(table)
                    .item(
                        Map.of(
                            "pk", AttributeValue.fromS(DynamoDbItems.runKey(runId)),
                            "sk", AttributeValue.fromS(DynamoDbItems.recordKey(seq)),
                            "seq", AttributeValue.fromN(Integer.toString(seq)),
                            "record", AttributeValue.fromS(record)))
                    .conditionExpression("attribute_not_exists(#pk)")
                    .expressionAttributeNames(Map.of("#pk", "pk")));
      } catch (ConditionalCheckFailedException e) {
        throw new DbRecoverException(
            ErrorCode.LOCKED,
            "record "
                + seq
                + " of run "
                + runId
                + " was already written by another process ("
                + DynamoDbStateStore.this.describe()
                + "); only one process may advance a run: stop the other one, then `dbrecover"
                + " resume "
                + runId
                + "`",
            e);
      } catch (SdkException e) {
        throw AwsErrors.map(e, PUT, "DynamoDB table '" + table + "'");
      }
    }
  }
}
