package io.dbrecover.aws;

import io.dbrecover.aws.internal.AwsErrors;
import io.dbrecover.aws.internal.SecretValues;
import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.Secret;
import io.dbrecover.engine.spi.UrlTarget;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterHistory;
import software.amazon.awssdk.services.ssm.model.ParameterType;
import software.amazon.awssdk.services.ssm.model.PutParameterRequest;

/**
 * DATABASE_URL in an SSM Parameter Store parameter: the whole value, or under {@code key} when the
 * value is a JSON object. {@link #write} puts a new version (a new parameter is a {@code
 * SecureString}; an existing one keeps its type, KMS key and tier) and records the version it
 * replaced; {@link #swapBack} puts that version's value back as a newer version. SSM has no
 * idempotency token, so a write whose URL is already current (the retry of a run that crashed after
 * its swap) puts nothing and records the newest earlier version with another URL.
 */
public final class SsmParameterUrlTarget implements UrlTarget {
  /** The config type and receipt type. */
  public static final String TYPE = "ssm";

  static final String GET = "ssm:GetParameter";
  static final String HISTORY = "ssm:GetParameterHistory";
  static final String PUT = "ssm:PutParameter";

  private final SsmClient client;
  private final String name;
  private final String key;

  public SsmParameterUrlTarget(SsmClient client, String name, String key) {
    this.client = Objects.requireNonNull(client, "client");
    this.name = Objects.requireNonNull(name, "name");
    this.key = Objects.requireNonNull(key, "key");
  }

  /**
   * Creates targets from {@code url-target: {type: ssm, location: <parameter name or ARN>, key:
   * <JSON key>}}. The region is the ARN's, else the SDK's default.
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
      String location = config.location();
      Optional<String[]> arn = arn(location);
      AwsSettings where = arn.map(a -> settings.withRegion(a[0])).orElse(settings);
      String parameter = arn.map(a -> a[1]).orElse(location);
      return new SsmParameterUrlTarget(clients.ssm(where), parameter, config.key());
    }
  }

  /**
   * The region and parameter name of a parameter ARN ({@code
   * arn:aws:ssm:<region>:<account>:parameter/<name>}); PutParameter takes names only.
   */
  static Optional<String[]> arn(String location) {
    String[] parts = location.split(":", 6);
    if (parts.length < 6 || !parts[0].equals("arn") || !parts[2].equals("ssm")) {
      return Optional.empty();
    }
    if (!parts[5].startsWith("parameter/")) {
      throw new ConfigurationException(
          "url-target location '"
              + location
              + "' is an SSM ARN but not of a parameter; use arn:aws:ssm:<region>:<account>:"
              + "parameter/<name> or the parameter's name");
    }
    String rest = parts[5].substring("parameter".length());
    // A hierarchical name keeps its leading slash; "parameter/name" is the flat name "name".
    String parameter = rest.indexOf('/', 1) > 0 ? rest : rest.substring(1);
    return Optional.of(new String[] {parts[3], parameter});
  }

  @Override
  public String describe() {
    return "SSM parameter " + name + " (" + key + ")";
  }

  @Override
  public Optional<Secret> read() {
    String value;
    try {
      value = client.getParameter(b -> b.name(name).withDecryption(true)).parameter().value();
    } catch (SdkException e) {
      if ("ParameterNotFound".equals(AwsErrors.code(e))) {
        return Optional.empty();
      }
      throw AwsErrors.map(e, GET, "SSM parameter '" + name + "'");
    }
    return SecretValues.get(value, key, describe()).map(Secret::of);
  }

  @Override
  public Map<String, String> write(Secret value, String runId) {
    String url = value.reveal();
    List<ParameterHistory> history = history();
    ParameterHistory current = history.isEmpty() ? null : history.get(history.size() - 1);
    long version;
    Long previous;
    if (current != null && url.equals(urlOf(current))) {
      // Already this URL: a retry after a crash between the swap and its journal record.
      version = current.version();
      previous =
          history.stream()
              .filter(h -> h.version() < current.version() && !url.equals(urlOf(h)))
              .map(ParameterHistory::version)
              .reduce((a, b) -> b)
              .orElse(null);
    } else {
      version =
          put(
              SecretValues.set(current == null ? null : current.value(), key, url, describe()),
              current);
      previous = current == null ? null : current.version();
    }
    Map<String, String> receipt = new LinkedHashMap<>();
    receipt.put("type", TYPE);
    receipt.put("parameter", name);
    receipt.put("run", runId);
    receipt.put("version", Long.toString(version));
    if (previous != null) {
      receipt.put("previous-version", Long.toString(previous));
    }
    return receipt;
  }

  @Override
  public void swapBack(Map<String, String> receipt) {
    String previousVersion = receipt.get("previous-version");
    if (previousVersion == null) {
      throw new ConfigurationException(
          describe() + " had no value before run " + receipt.get("run") + "; nothing to swap back");
    }
    List<ParameterHistory> history = history();
    String previousUrl =
        history.stream()
            .filter(h -> Long.toString(h.version()).equals(previousVersion))
            .findFirst()
            .map(SsmParameterUrlTarget.this::urlOf)
            .orElseThrow(
                () ->
                    new ConfigurationException(
                        describe()
                            + ": version "
                            + previousVersion
                            + " is not in the parameter's history any more (SSM keeps the"
                            + " last 100 versions); set the value by hand"));
    ParameterHistory current = history.get(history.size() - 1);
    if (previousUrl.equals(urlOf(current))) {
      return;
    }
    put(SecretValues.set(current.value(), key, previousUrl, describe()), current);
  }

  private String urlOf(ParameterHistory h) {
    return SecretValues.get(h.value(), key, describe()).orElse(null);
  }

  /** Every version, oldest first; empty when the parameter does not exist. */
  private List<ParameterHistory> history() {
    List<ParameterHistory> all = new ArrayList<>();
    try {
      client
          .getParameterHistoryPaginator(b -> b.name(name).withDecryption(true).maxResults(50))
          .forEach(page -> all.addAll(page.parameters()));
    } catch (SdkException e) {
      if ("ParameterNotFound".equals(AwsErrors.code(e))) {
        return List.of();
      }
      throw AwsErrors.map(e, HISTORY, "SSM parameter '" + name + "'");
    }
    all.sort(Comparator.comparingLong(ParameterHistory::version));
    return all;
  }

  /** Puts a new version like {@code current} (type, KMS key, tier), or a new SecureString. */
  private long put(String value, ParameterHistory current) {
    PutParameterRequest.Builder b = PutParameterRequest.builder().name(name).value(value);
    if (current == null) {
      b.type(ParameterType.SECURE_STRING).overwrite(false);
    } else {
      b.type(current.type()).overwrite(true);
      if (current.type() == ParameterType.SECURE_STRING && current.keyId() != null) {
        // Without KeyId an overwrite would move the parameter to the account's default key.
        b.keyId(current.keyId());
      }
      if (current.tier() != null) {
        b.tier(current.tier());
      }
    }
    try {
      return client.putParameter(b.build()).version();
    } catch (SdkException e) {
      throw AwsErrors.map(e, PUT, "SSM parameter '" + name + "'");
    }
  }
}
