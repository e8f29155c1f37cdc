package io.dbrecover.lambda;

import dagger.Module;
import dagger.Provides;
import io.dbrecover.engine.api.ConfigurationException;
import java.time.Duration;
import javax.inject.Singleton;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClientBuilder;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.SfnClientBuilder;

/** The alarm entry's AWS clients (Step Functions; CloudWatch for tag routes), built once. */
@Module
public final class StepFunctionsModule {
  private StepFunctionsModule() {}

  @Provides
  @Singleton
  static StepFunctions stepFunctions(LambdaSettings settings) {
    if (settings.stateMachineArn() == null) {
      throw new ConfigurationException(
          LambdaSettings.STATE_MACHINE_ARN
              + " is not set: the alarm entry needs the recovery state machine's ARN (the"
              + " terraform recovery module sets it)");
    }
    SfnClientBuilder builder =
        SfnClient.builder()
            .credentialsProvider(DefaultCredentialsProvider.builder().build())
            .httpClientBuilder(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(Duration.ofSeconds(5))
                    .socketTimeout(Duration.ofSeconds(20)))
            .overrideConfiguration(
                ClientOverrideConfiguration.builder()
                    .retryStrategy(
                        AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(4).build())
                    .apiCallTimeout(Duration.ofSeconds(60))
                    .build());
    String region = settings.region();
    if (region == null) {
      region = regionOf(settings.stateMachineArn());
    }
    builder.region(Region.of(region));
    if (settings.sfnEndpoint() != null) {
      builder.endpointOverride(settings.sfnEndpoint());
    }
    return new StepFunctions(builder.build(), settings.stateMachineArn());
  }

  /** CloudWatch for alarm routes by tag; no client at all when no route matches by tag. */
  @Provides
  @Singleton
  static AlarmTags alarmTags(LambdaSettings settings) {
    if (!settings.routes().anyByTag()) {
      return new AlarmTags(null);
    }
    CloudWatchClientBuilder builder =
        CloudWatchClient.builder()
            .credentialsProvider(DefaultCredentialsProvider.builder().build())
            .httpClientBuilder(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(Duration.ofSeconds(5))
                    .socketTimeout(Duration.ofSeconds(20)))
            .overrideConfiguration(
                ClientOverrideConfiguration.builder()
                    .retryStrategy(
                        AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(4).build())
                    .apiCallTimeout(Duration.ofSeconds(30))
                    .build());
    String region = settings.region();
    if (region == null && settings.stateMachineArn() != null) {
      region = regionOf(settings.stateMachineArn());
    }
    if (region == null) {
      throw new ConfigurationException("no region for CloudWatch: set AWS_REGION");
    }
    builder.region(Region.of(region));
    if (settings.cloudWatchEndpoint() != null) {
      builder.endpointOverride(settings.cloudWatchEndpoint());
    }
    return new AlarmTags(builder.build());
  }

  /** The region field of an ARN: arn:aws:states:REGION:account:stateMachine:name. */
  static String regionOf(String arn) {
    String[] parts = arn.split(":");
    if (parts.length < 4 || parts[3].isEmpty()) {
      throw new ConfigurationException(
          "no region: set AWS_REGION, or give a state machine ARN with a region, not " + arn);
    }
    return parts[3];
  }
}
