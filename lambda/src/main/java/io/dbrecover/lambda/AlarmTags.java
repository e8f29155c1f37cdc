package io.dbrecover.lambda;

import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.ErrorCode;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.Tag;

/** An alarm's CloudWatch tags (ListTagsForResource), for alarm routes by tag. */
public final class AlarmTags {
  private final CloudWatchClient client;

  /**
   * @param client built once (cold start), null when no route matches by tag
   */
  public AlarmTags(CloudWatchClient client) {
    this.client = client;
  }

  /** The alarm's tags; a failure is thrown so that Lambda retries the delivery. */
  public Map<String, String> of(String alarmArn) {
    if (client == null) {
      return Map.of();
    }
    try {
      Map<String, String> tags = new LinkedHashMap<>();
      for (Tag t : client.listTagsForResource(b -> b.resourceARN(alarmArn)).tags()) {
        tags.put(t.key(), t.value());
      }
      return tags;
    } catch (SdkException e) {
      throw new DbRecoverException(
          ErrorCode.PROVIDER_API,
          "cannot read the tags of alarm "
              + alarmArn
              + " (cloudwatch:ListTagsForResource): "
              + e.getMessage()
              + "; the delivery will be retried",
          e);
    }
  }
}
