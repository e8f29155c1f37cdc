package io.dbrecover.aws.internal;

import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The state table's keys: a string partition key {@code pk} and a string sort key {@code sk}.
 *
 * <pre>
 * pk              sk                 what
 * env#&lt;env&gt;        lock               the environment's lock (holder, owner, acquiredAt, expiresAt)
 * env#&lt;env&gt;        run#&lt;run id&gt;       one item per run of the environment (runId, createdAt)
 * run#&lt;run id&gt;     rec#0000000001     journal record 1 (seq, record: the JSON text), and so on
 * execution#&lt;name&gt; execution          the Lambda's execution -> run record (lambda module)
 * doc#&lt;kind&gt;      &lt;id&gt;               a document (document: JSON text), e.g. doc#approvals / run id
 * </pre>
 */
public final class DynamoDbItems {
  public static final String LOCK = "lock";
  public static final String RUN_PREFIX = "run#";
  public static final String RECORD_PREFIX = "rec#";

  private DynamoDbItems() {}

  public static String environmentKey(String environment) {
    return "env#" + environment;
  }

  public static String documentKey(String kind) {
    return "doc#" + kind;
  }

  public static String runKey(String runId) {
    return RUN_PREFIX + runId;
  }

  /** Zero-padded, so sort-key order is record order. */
  public static String recordKey(int seq) {
    return RECORD_PREFIX + String.format("%010d", seq);
  }

  public static Map<String, AttributeValue> key(String pk, String sk) {
    return Map.of("pk", AttributeValue.fromS(pk), "sk", AttributeValue.fromS(sk));
  }
}
