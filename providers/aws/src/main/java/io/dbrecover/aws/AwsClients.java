package io.dbrecover.aws;

import io.dbrecover.engine.api.ConfigurationException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.rds.RdsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/**
 * Builds the SDK clients once per {@link AwsSettings} and keeps them: the light URL-connection HTTP
 * client with explicit timeouts, credentials from the default chain (environment, profile,
 * container or Lambda role) or, when the settings name a role, from assuming it, and the SDK's
 * standard retry strategy (exponential backoff with jitter, throttling included).
 */
public final class AwsClients {
  /** Attempts per call, the first included, before an error surfaces (exit 8 for throttling). */
  static final int MAX_ATTEMPTS = 5;

  private final AwsCredentialsProvider credentials;
  private final RetryStrategy retryStrategy;
  private final Map<Object, Object> clients = new ConcurrentHashMap<>();

  /**
   * @param credentials where credentials come from
   * @param retryStrategy how failed calls are retried
   */
  public AwsClients(AwsCredentialsProvider credentials, RetryStrategy retryStrategy) {
    this.credentials = Objects.requireNonNull(credentials, "credentials");
    this.retryStrategy = Objects.requireNonNull(retryStrategy, "retryStrategy");
  }

  /** Production clients: default credential chain, standard retries. */
  public static AwsClients fromDefaultChain() {
    return new AwsClients(
        DefaultCredentialsProvider.builder().build(),
        AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(MAX_ATTEMPTS).build());
  }

  public RdsClient rds(AwsSettings settings) {
    return cached(
        "rds", settings, () -> configure(RdsClient.builder(), settings, RDS_REGION).build());
  }

  public SecretsManagerClient secretsManager(AwsSettings settings) {
    return cached(
        "secretsmanager",
        settings,
        () -> configure(SecretsManagerClient.builder(), settings, TARGET_REGION).build());
  }

  /**
   * S3 with path-style addressing when the endpoint is overridden (a test server or a proxy), and a
   * longer call timeout than the other services: one call uploads a whole part.
   */
  public S3Client s3(AwsSettings settings) {
    return cached(
        "s3",
        settings,
        () ->
            configure(S3Client.builder(), settings, S3_REGION)
                .overrideConfiguration(
                    ClientOverrideConfiguration.builder()
                        .retryStrategy(retryStrategy)
                        .apiCallTimeout(Duration.ofMinutes(30))
                        .build())
                .forcePathStyle(settings.endpointOpt().isPresent())
                .build());
  }

  public SsmClient ssm(AwsSettings settings) {
    return cached(
        "ssm", settings, () -> configure(SsmClient.builder(), settings, TARGET_REGION).build());
  }

  public DynamoDbClient dynamoDb(AwsSettings settings) {
    return cached(
        "dynamodb",
        settings,
        () -> configure(DynamoDbClient.builder(), settings, STATE_REGION).build());
  }

  /**
   * The default chain's credentials, or with a {@link AwsSettings#roleArn} those of the role,
   * assumed through STS with them (session {@code dbrecover}) and refreshed before they expire.
   */
  AwsCredentialsProvider credentials(AwsSettings settings) {
    if (settings.roleArn() == null) {
      return credentials;
    }
    return cached(
        "assume-role",
        settings,
        () ->
            StsAssumeRoleCredentialsProvider.builder()
                .stsClient(
                    configure(StsClient.builder(), settings.withoutRole(), RDS_REGION).build())
                .refreshRequest(r -> r.roleArn(settings.roleArn()).roleSessionName("dbrecover"))
                .build());
  }

  private <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B configure(
      B builder, AwsSettings settings, String regionSetting) {
    builder
        .credentialsProvider(credentials(settings))
        .httpClientBuilder(
            UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(10))
                .socketTimeout(Duration.ofSeconds(30)))
        .overrideConfiguration(
            ClientOverrideConfiguration.builder()
                .retryStrategy(retryStrategy)
                .apiCallTimeout(Duration.ofMinutes(2))
                .build());
    builder.region(
        settings.regionOpt().map(Region::of).orElseGet(() -> defaultRegion(regionSetting)));
    settings.endpointOpt().ifPresent(builder::endpointOverride);
    return builder;
  }

  // Where dbrecover.yaml can name the region of each client, for the error when none is found.
  private static final String RDS_REGION = "database.options.region";
  private static final String TARGET_REGION = "the url-target's ARN (path: arn:aws:...)";
  private static final String S3_REGION = "backup-store.options.region";
  private static final String STATE_REGION = "state-store.options.region";

  private static Region defaultRegion(String regionSetting) {
    try {
      return new DefaultAwsRegionProviderChain().getRegion();
    } catch (SdkClientException e) {
      throw new ConfigurationException(
          "no AWS region: set "
              + regionSetting
              + " in dbrecover.yaml, or AWS_REGION, or a region in the AWS profile",
          e);
    }
  }

  @SuppressWarnings("unchecked")
  private synchronized <T> T cached(
      String service, AwsSettings settings, java.util.function.Supplier<T> make) {
    // Not computeIfAbsent: building a client with a role builds its STS client through here too,
    // and ConcurrentHashMap forbids such nested updates.
    Object key = java.util.List.of(service, settings);
    Object client = clients.get(key);
    if (client == null) {
      client = make.get();
      clients.put(key, client);
    }
    return (T) client;
  }
}
