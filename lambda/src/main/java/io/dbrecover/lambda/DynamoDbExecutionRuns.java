package io.dbrecover.lambda;

import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.ErrorCode;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * {@link ExecutionRuns} as items of the {@code dynamodb} state store's table, next to its journals
 * and locks: {@code pk = execution#<name>}, {@code sk = execution}, attributes {@code reservedAt}
 * and, once recorded, {@code runId}. The reservation is a conditional put ({@code
 * attribute_not_exists}), so the first start step of an execution claims it and a retried one finds
 * the claim; reads are strongly consistent.
 */
final class DynamoDbExecutionRuns implements ExecutionRuns {
  static final String PREFIX = "execution#";
  static final String SORT_KEY = "execution";

  private final DynamoDbClient client;
  private final String table;
  private final Clock clock;

  DynamoDbExecutionRuns(DynamoDbClient client, String table, Clock clock) {
    this.client = Objects.requireNonNull(client, "client");
    this.table = Objects.requireNonNull(table, "table");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public Optional<Entry> find(String execution) {
    Map<String, AttributeValue> item;
    try {
      item =
          client.getItem(b -> b.tableName(table).key(key(execution)).consistentRead(true)).item();
    } catch (SdkException e) {
      throw failure("dynamodb:GetItem", "read execution " + execution, e);
    }
    if (item == null || item.isEmpty()) {
      return Optional.empty();
    }
    AttributeValue runId = item.get("runId");
    return Optional.of(
        new Entry(Instant.parse(item.get("reservedAt").s()), runId == null ? null : runId.s()));
  }

  @Override
  public void reserve(String execution, Instant at) {
    Map<String, AttributeValue> item = new java.util.HashMap<>(key(execution));
    item.put("execution", AttributeValue.fromS(execution));
    item.put("reservedAt", AttributeValue.fromS(at.toString()));
    try {
      client.putItem(
          b ->
              b.tableName(table)
                  .item(item)
                  .conditionExpression("attribute_not_exists(#pk)")
                  .expressionAttributeNames(Map.of("#pk", "pk")));
    } catch (ConditionalCheckFailedException e) {
      // Claimed already (a retried start step): the first claim stands.
    } catch (SdkException e) {
      throw failure("dynamodb:PutItem", "claim execution " + execution, e);
    }
  }

  @Override
  public void record(String execution, String runId) {
    try {
      client.updateItem(
          b ->
              b.tableName(table)
                  .key(key(execution))
                  .updateExpression("SET #run = :run, #at = if_not_exists(#at, :now), #ex = :ex")
                  .expressionAttributeNames(
                      Map.of("#run", "runId", "#at", "reservedAt", "#ex", "execution"))
                  .expressionAttributeValues(
                      Map.of(
                          ":run", AttributeValue.fromS(runId),
                          ":now", AttributeValue.fromS(clock.instant().toString()),
                          ":ex", AttributeValue.fromS(execution))));
    } catch (SdkException e) {
      throw failure("dynamodb:UpdateItem", "record run " + runId + " of execution " + execution, e);
    }
  }

  private static Map<String, AttributeValue> key(String execution) {
    if (!execution.matches("[A-Za-z0-9_-]{1,80}")) {
      throw new RejectedEventException(
          "'" + execution + "' is not a Step Functions execution name ([A-Za-z0-9_-], 1-80)");
    }
    return Map.of(
        "pk", AttributeValue.fromS(PREFIX + execution), "sk", AttributeValue.fromS(SORT_KEY));
  }

  /** Thrown on: the state machine's retry repeats the step. No secret is in an SDK message. */
  private DbRecoverException failure(String action, String what, SdkException e) {
    return new DbRecoverException(
        ErrorCode.PROVIDER_API,
        "cannot "
            + what
            + " in DynamoDB table "
            + table
            + " ("
            + action
            + "): "
            + e.getMessage()
            + "; check the table exists and the function's role may call "
            + action
            + " on it",
        e);
  }
}
