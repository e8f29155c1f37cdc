package io.dbrecover.aws.internal;

import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.spi.StateStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

/**
 * An environment lock in DynamoDB with a lease: the item {@code pk=env#<env>, sk=lock} holds the
 * holder, a random owner token and {@code expiresAt} (epoch milliseconds). Taking it is a
 * conditional put that succeeds only when there is no item or its lease has expired, so a crashed
 * holder blocks others for one lease at most. The holder extends the lease ({@link #renew}, and a
 * background renewal every third of the lease when enabled); a renewal or release is conditional on
 * the owner token, so a holder whose lease was taken over cannot touch the new holder's lock.
 */
public final class DynamoDbLock implements StateStore.Lock {
  static final String PUT = "dynamodb:PutItem";
  static final String UPDATE = "dynamodb:UpdateItem";
  static final String DELETE = "dynamodb:DeleteItem";
  static final String GET = "dynamodb:GetItem";

  private final DynamoDbClient client;
  private final String table;
  private final String environment;
  private final String owner;
  private final Duration lease;
  private final Clock clock;
  private ScheduledExecutorService renewer;
  private volatile DbRecoverException lost;
  private boolean closed;

  private DynamoDbLock(
      DynamoDbClient client,
      String table,
      String environment,
      String owner,
      Duration lease,
      Clock clock) {
    this.client = client;
    this.table = table;
    this.environment = environment;
    this.owner = owner;
    this.lease = lease;
    this.clock = clock;
  }

  /**
   * Takes the lock without waiting.
   *
   * @param renewEvery how often a background thread extends the lease, or null for none (the caller
   *     calls {@link #renew})
   * @throws DbRecoverException {@link ErrorCode#LOCKED} naming the holder and when its lease ends
   */
  public static DynamoDbLock acquire(
      DynamoDbClient client,
      String table,
      String environment,
      String holder,
      Duration lease,
      Duration renewEvery,
      Clock clock) {
    Objects.requireNonNull(holder, "holder");
    String owner = UUID.randomUUID().toString();
    Instant now = clock.instant();
    try {
      client.putItem(
          b ->
              b.tableName(table)
                  .item(
                      Map.of(
                          "pk", s(DynamoDbItems.environmentKey(environment)),
                          "sk", s(DynamoDbItems.LOCK),
                          "holder", s(holder),
                          "owner", s(owner),
                          "acquiredAt", s(now.toString()),
                          "expiresAt", n(now.plus(lease).toEpochMilli())))
                  .conditionExpression("attribute_not_exists(#pk) OR #exp < :now")
                  .expressionAttributeNames(Map.of("#pk", "pk", "#exp", "expiresAt"))
                  .expressionAttributeValues(Map.of(":now", n(now.toEpochMilli()))));
    } catch (ConditionalCheckFailedException e) {
      throw held(client, table, environment);
    } catch (SdkException e) {
      throw AwsErrors.map(e, PUT, "DynamoDB table '" + table + "'");
    }
    DynamoDbLock lock = new DynamoDbLock(client, table, environment, owner, lease, clock);
    if (renewEvery != null) {
      lock.startRenewing(renewEvery);
    }
    return lock;
  }

  private static DbRecoverException held(DynamoDbClient client, String table, String env) {
    GetItemResponse current;
    try {
      current =
          client.getItem(
              b ->
                  b.tableName(table)
                      .consistentRead(true)
                      .key(
                          DynamoDbItems.key(
                              DynamoDbItems.environmentKey(env), DynamoDbItems.LOCK)));
    } catch (SdkException e) {
      throw AwsErrors.map(e, GET, "DynamoDB table '" + table + "'");
    }
    Map<String, AttributeValue> item = current.hasItem() ? current.item() : Map.of();
    String holder = item.containsKey("holder") ? item.get("holder").s() : "another recovery";
    String since = item.containsKey("acquiredAt") ? item.get("acquiredAt").s() : "an unknown time";
    String until =
        item.containsKey("expiresAt")
            ? Instant.ofEpochMilli(Long.parseLong(item.get("expiresAt").n())).toString()
            : "an unknown time";
    return new DbRecoverException(
        ErrorCode.LOCKED,
        "environment '"
            + env
            + "' is locked by "
            + holder
            + " (since "
            + since
            + ", lease until "
            + until
            + ", DynamoDB table "
            + table
            + "); wait for it to finish. If its process died, the lease runs out at "
            + until
            + " and the next run takes over");
  }

  private void startRenewing(Duration every) {
    renewer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "dbrecover-lease-" + environment);
              t.setDaemon(true);
              return t;
            });
    long ms = Math.max(1, every.toMillis());
    renewer.scheduleAtFixedRate(this::renewInBackground, ms, ms, TimeUnit.MILLISECONDS);
  }

  private void renewInBackground() {
    try {
      renew();
    } catch (DbRecoverException e) {
      // Lost for good (recorded in `lost`), or a passing AWS error: the next renewal tries again
      // and the lease covers the gap.
      if (lost != null) {
        renewer.shutdown();
      }
    }
  }

  /** Extends the lease by its full length from now; exit 7 when another holder took it over. */
  @Override
  public synchronized void renew() {
    if (lost != null) {
      throw lost;
    }
    if (closed) {
      throw new IllegalStateException("the lock on environment '" + environment + "' was released");
    }
    Instant now = clock.instant();
    try {
      client.updateItem(
          b ->
              b.tableName(table)
                  .key(key())
                  .updateExpression("SET #exp = :exp, #renewed = :now")
                  .conditionExpression("#owner = :owner")
                  .expressionAttributeNames(
                      Map.of("#exp", "expiresAt", "#renewed", "renewedAt", "#owner", "owner"))
                  .expressionAttributeValues(
                      Map.of(
                          ":exp", n(now.plus(lease).toEpochMilli()),
                          ":now", s(now.toString()),
                          ":owner", s(owner))));
    } catch (ConditionalCheckFailedException e) {
      lost =
          new DbRecoverException(
              ErrorCode.LOCKED,
              "the lock on environment '"
                  + environment
                  + "' was lost: its lease ran out and another run took it over (DynamoDB table "
                  + table
                  + "); this run stops here, resume it with `dbrecover resume` once the other is"
                  + " done",
              e);
      throw lost;
    } catch (SdkException e) {
      throw AwsErrors.map(e, UPDATE, "DynamoDB table '" + table + "'");
    }
  }

  /** Deletes the lock item if this holder still owns it; a lock taken over is left alone. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (renewer != null) {
      renewer.shutdownNow();
    }
    try {
      client.deleteItem(
          b ->
              b.tableName(table)
                  .key(key())
                  .conditionExpression("#owner = :owner")
                  .expressionAttributeNames(Map.of("#owner", "owner"))
                  .expressionAttributeValues(Map.of(":owner", s(owner))));
    } catch (ConditionalCheckFailedException e) {
      // Taken over after our lease ran out: it is someone else's lock now.
    } catch (SdkException e) {
      throw AwsErrors.map(e, DELETE, "DynamoDB table '" + table + "'");
    }
  }

  private Map<String, AttributeValue> key() {
    return DynamoDbItems.key(DynamoDbItems.environmentKey(environment), DynamoDbItems.LOCK);
  }

  private static AttributeValue s(String value) {
    return AttributeValue.fromS(value);
  }

  private static AttributeValue n(long value) {
    return AttributeValue.fromN(Long.toString(value));
  }
}
