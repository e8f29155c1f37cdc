package io.dbrecover.aws;

import io.dbrecover.aws.internal.AwsErrors;
import io.dbrecover.aws.internal.SecretValues;
import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.Secret;
import io.dbrecover.engine.spi.UrlTarget;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;

/**
 * DATABASE_URL in an AWS Secrets Manager secret: under {@code key} when the secret is a JSON object
 * (its other keys are kept), else the whole secret string. {@link #write} adds a new version
 * (Secrets Manager moves AWSCURRENT to it and AWSPREVIOUS to the old one) with a client request
 * token derived from the run, so a retry adds no second version; the receipt records the previous
 * version id for {@link #swapBack}.
 */
public final class SecretsManagerUrlTarget implements UrlTarget {
  /** The config type and receipt type. */
  public static final String TYPE = "secretsmanager";

  static final String GET = "secretsmanager:GetSecretValue";
  static final String PUT = "secretsmanager:PutSecretValue";

  private final SecretsManagerClient client;
  private final String secretId;
  private final String key;

  public SecretsManagerUrlTarget(SecretsManagerClient client, String secretId, String key) {
    this.client = Objects.requireNonNull(client, "client");
    this.secretId = Objects.requireNonNull(secretId, "secretId");
    this.key = Objects.requireNonNull(key, "key");
  }

  /**
   * Creates targets from {@code url-target: {type: secretsmanager, location: <name or ARN>, key:
   * <JSON key>}}. The region is the ARN's, else the SDK's default; the endpoint is the SDK's
   * (override with {@code AWS_ENDPOINT_URL_SECRETS_MANAGER}).
   */
  public static final class Factory implements UrlTarget.Factory {
    private final AwsClients clients;
    private final AwsSettings settings;

    public Factory(AwsClients clients, AwsSettings settings) {
      this.clients = Objects.requireNonNull(clients, "clients");
      this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    public UrlTarget create(EnvironmentConfig.UrlTarget config, Path baseDir) {
      if (!TYPE.equals(config.type())) {
        throw new ConfigurationException("url-target type '" + config.type() + "' is not " + TYPE);
      }
      String id = config.location();
      AwsSettings where = arnRegion(id).map(settings::withRegion).orElse(settings);
      return new SecretsManagerUrlTarget(clients.secretsManager(where), id, config.key());
    }
  }

  /** The region of a secret ARN ({@code arn:aws:secretsmanager:<region>:...}). */
  static Optional<String> arnRegion(String id) {
    String[] parts = id.split(":");
    return parts.length > 4 && parts[0].equals("arn") && parts[2].equals("secretsmanager")
        ? Optional.of(parts[3])
        : Optional.empty();
  }

  @Override
  public String describe() {
    return "Secrets Manager secret " + secretId + " (" + key + ")";
  }

  @Override
  public Optional<Secret> read() {
    return get(b -> b.secretId(secretId))
        .flatMap(v -> SecretValues.get(v.secretString(), key, describe()))
        .map(Secret::of);
  }

  @Override
  public Map<String, String> write(Secret value, String runId) {
    String token = token("write", runId);
    Optional<GetSecretValueResponse> current = get(b -> b.secretId(secretId));
    String previousVersion;
    String version;
    if (current.isPresent() && token.equals(current.get().versionId())) {
      // This run's version is already current (a retry): what it replaced is AWSPREVIOUS.
      previousVersion =
          get(b -> b.secretId(secretId).versionStage("AWSPREVIOUS"))
              .map(GetSecretValueResponse::versionId)
              .orElse(null);
      version = token;
    } else {
      String old = current.map(GetSecretValueResponse::secretString).orElse(null);
      version = put(SecretValues.set(old, key, value.reveal(), describe()), token);
      previousVersion = current.map(GetSecretValueResponse::versionId).orElse(null);
    }
    Map<String, String> receipt = new LinkedHashMap<>();
    receipt.put("type", TYPE);
    receipt.put("secret-id", secretId);
    receipt.put("run", runId);
    receipt.put("version-id", version);
    if (previousVersion != null) {
      receipt.put("previous-version-id", previousVersion);
    }
    return receipt;
  }

  @Override
  public void swapBack(Map<String, String> receipt) {
    String previousVersion = receipt.get("previous-version-id");
    if (previousVersion == null) {
      throw new ConfigurationException(
          describe() + " had no value before run " + receipt.get("run") + "; nothing to swap back");
    }
    String previousUrl =
        get(b -> b.secretId(secretId).versionId(previousVersion))
            .flatMap(v -> SecretValues.get(v.secretString(), key, describe()))
            .orElseThrow(
                () ->
                    new ConfigurationException(
                        describe()
                            + ": version "
                            + previousVersion
                            + " holds no "
                            + key
                            + " any more; set the value by hand"));
    String token = token("swap-back", receipt.getOrDefault("run", previousVersion));
    Optional<GetSecretValueResponse> current = get(b -> b.secretId(secretId));
    if (current.isPresent() && token.equals(current.get().versionId())) {
      return;
    }
    String now = current.map(GetSecretValueResponse::secretString).orElse(null);
    put(SecretValues.set(now, key, previousUrl, describe()), token);
  }

  private Optional<GetSecretValueResponse> get(Consumer<GetSecretValueRequest.Builder> request) {
    try {
      return Optional.of(client.getSecretValue(request));
    } catch (SdkException e) {
      if ("ResourceNotFoundException".equals(AwsErrors.code(e))) {
        return Optional.empty();
      }
      throw AwsErrors.map(e, GET, "secret '" + secretId + "'");
    }
  }

  private String put(String secretString, String token) {
    try {
      return client
          .putSecretValue(
              b -> b.secretId(secretId).secretString(secretString).clientRequestToken(token))
          .versionId();
    } catch (SdkException e) {
      throw AwsErrors.map(e, PUT, "secret '" + secretId + "'");
    }
  }

  /** The idempotency token of one step of one run on this secret (also the new version's id). */
  private String token(String step, String runId) {
    return UUID.nameUUIDFromBytes(
            ("dbrecover:" + step + ":" + secretId + ":" + runId).getBytes(StandardCharsets.UTF_8))
        .toString();
  }
}
