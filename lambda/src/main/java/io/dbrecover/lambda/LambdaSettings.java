package io.dbrecover.lambda;

import io.dbrecover.engine.api.ConfigurationException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the handlers read from their environment, read in one place ({@link #fromEnv}).
 *
 * @param configFile {@code dbrecover.yaml} ({@code DBRECOVER_CONFIG}); null: the built-in embedded
 *     default, for tests and trials only
 * @param stateDir journals, locks and reports ({@code DBRECOVER_STATE_DIR}, default {@code
 *     /tmp/dbrecover}); see docs/lambda.md for why it must be shared storage for now
 * @param stateMachineArn the recovery state machine the alarm entry starts ({@code
 *     DBRECOVER_STATE_MACHINE_ARN}); null where the alarm entry is not deployed
 * @param routes alarm name to environment ({@code DBRECOVER_ALARM_ROUTES})
 * @param stepMargin time left unused at the end of a step invocation ({@code
 *     DBRECOVER_STEP_MARGIN_SECONDS}, default 20)
 * @param region the Step Functions region ({@code AWS_REGION}, set by Lambda)
 * @param sfnEndpoint a Step Functions endpoint override ({@code DBRECOVER_SFN_ENDPOINT}): a VPC
 *     endpoint, or a stub in tests; null: the public endpoint
 * @param cloudWatchEndpoint a CloudWatch endpoint override ({@code DBRECOVER_CLOUDWATCH_ENDPOINT}),
 *     for tag routes; null: the public endpoint
 * @param env the variables {@code ${VAR}} in {@code dbrecover.yaml} are interpolated from
 */
public record LambdaSettings(
    Path configFile,
    Path stateDir,
    String stateMachineArn,
    AlarmRoutes routes,
    Duration stepMargin,
    String region,
    URI sfnEndpoint,
    URI cloudWatchEndpoint,
    Map<String, String> env) {

  public static final String CONFIG = "DBRECOVER_CONFIG";
  public static final String STATE_DIR = "DBRECOVER_STATE_DIR";
  public static final String STATE_MACHINE_ARN = "DBRECOVER_STATE_MACHINE_ARN";
  public static final String ALARM_ROUTES = "DBRECOVER_ALARM_ROUTES";
  public static final String STEP_MARGIN_SECONDS = "DBRECOVER_STEP_MARGIN_SECONDS";
  public static final String SFN_ENDPOINT = "DBRECOVER_SFN_ENDPOINT";
  public static final String CLOUDWATCH_ENDPOINT = "DBRECOVER_CLOUDWATCH_ENDPOINT";

  public LambdaSettings {
    if (stateDir == null) {
      throw new ConfigurationException(STATE_DIR + " must name a directory");
    }
    if (stateMachineArn != null && !stateMachineArn.startsWith("arn:aws")) {
      throw new ConfigurationException(
          STATE_MACHINE_ARN
              + " must be a state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>),"
              + " not '"
              + stateMachineArn
              + "'");
    }
    routes = routes == null ? AlarmRoutes.none() : routes;
    stepMargin = stepMargin == null ? Duration.ofSeconds(20) : stepMargin;
    if (stepMargin.isNegative()) {
      throw new ConfigurationException(STEP_MARGIN_SECONDS + " must not be negative");
    }
    env = Map.copyOf(env);
  }

  /** Reads the settings from a process environment, e.g. {@code System.getenv()}. */
  public static LambdaSettings fromEnv(Map<String, String> env) {
    String config = blankToNull(env.get(CONFIG));
    String margin = blankToNull(env.get(STEP_MARGIN_SECONDS));
    String endpoint = blankToNull(env.get(SFN_ENDPOINT));
    Duration stepMargin;
    try {
      stepMargin = margin == null ? null : Duration.ofSeconds(Long.parseLong(margin));
    } catch (NumberFormatException e) {
      throw new ConfigurationException(
          STEP_MARGIN_SECONDS + " must be a whole number of seconds, not '" + margin + "'");
    }
    URI sfn = uri(SFN_ENDPOINT, endpoint);
    URI cloudWatch = uri(CLOUDWATCH_ENDPOINT, blankToNull(env.get(CLOUDWATCH_ENDPOINT)));
    return new LambdaSettings(
        config == null ? null : Path.of(config),
        Path.of(Optional.ofNullable(blankToNull(env.get(STATE_DIR))).orElse("/tmp/dbrecover")),
        blankToNull(env.get(STATE_MACHINE_ARN)),
        AlarmRoutes.parse(env.get(ALARM_ROUTES)),
        stepMargin,
        blankToNull(env.get("AWS_REGION")),
        sfn,
        cloudWatch,
        env);
  }

  private static URI uri(String name, String value) {
    try {
      return value == null ? null : URI.create(value);
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException(name + " '" + value + "' is not a URL");
    }
  }

  public Optional<Path> configFileOpt() {
    return Optional.ofNullable(configFile);
  }

  /** Without {@link #env()}: its values may be secrets (database URLs for interpolation). */
  @Override
  public String toString() {
    return "LambdaSettings[configFile="
        + configFile
        + ", stateDir="
        + stateDir
        + ", stateMachineArn="
        + stateMachineArn
        + ", routes="
        + routes.routes().size()
        + ", stepMargin="
        + stepMargin
        + ", region="
        + region
        + ", sfnEndpoint="
        + sfnEndpoint
        + "]";
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
