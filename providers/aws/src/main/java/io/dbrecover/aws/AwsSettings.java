package io.dbrecover.aws;

import io.dbrecover.engine.api.ConfigurationException;
import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * Where AWS calls go: the region (null: the SDK's default chain, {@code AWS_REGION} or the
 * profile), an endpoint override (null: the service's public endpoint), and a role to assume (null:
 * act as the default chain's identity). Credentials never appear here; they come from the SDK's
 * default chain, and with a role from STS AssumeRole called with them.
 *
 * @param region e.g. {@code eu-west-1}, or null
 * @param endpointOverride a base URL such as {@code http://127.0.0.1:8080}, or null
 * @param roleArn e.g. {@code arn:aws:iam::123456789012:role/dbrecover-prod}, or null
 */
public record AwsSettings(String region, URI endpointOverride, String roleArn) {
  /** The database option naming the region. */
  public static final String REGION = "region";

  /** The database option overriding the endpoint (a stub or a VPC endpoint). */
  public static final String ENDPOINT_OVERRIDE = "endpoint-override";

  /** The option naming an IAM role to assume for every call of the environment. */
  public static final String ROLE_ARN = "role-arn";

  public static final AwsSettings DEFAULT = new AwsSettings(null, null);

  /** Settings that act as the default chain's identity. */
  public AwsSettings(String region, URI endpointOverride) {
    this(region, endpointOverride, null);
  }

  public AwsSettings {
    if (roleArn != null && !roleArn.matches("arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]+")) {
      throw new ConfigurationException(
          "role-arn '"
              + roleArn
              + "' is not an IAM role ARN; expected arn:aws:iam::<12-digit account>:role/<name>");
    }
    if (region != null && !region.matches("[a-z]{2}(-[a-z]+)+-\\d+")) {
      throw new ConfigurationException(
          "'" + region + "' is not an AWS region; expected a name such as eu-west-1");
    }
    if (endpointOverride != null
        && (endpointOverride.getScheme() == null || endpointOverride.getHost() == null)) {
      throw new ConfigurationException(
          "endpoint-override '"
              + endpointOverride
              + "' must be an absolute URL such as https://rds.eu-west-1.amazonaws.com");
    }
  }

  /** Reads {@code region}, {@code endpoint-override} and {@code role-arn} from options. */
  public static AwsSettings fromOptions(Map<String, String> options) {
    String endpoint = blankToNull(options.get(ENDPOINT_OVERRIDE));
    URI uri;
    try {
      uri = endpoint == null ? null : URI.create(endpoint);
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException(
          "endpoint-override '" + endpoint + "' is not a URL: " + e.getMessage(), e);
    }
    return new AwsSettings(
        blankToNull(options.get(REGION)), uri, blankToNull(options.get(ROLE_ARN)));
  }

  public Optional<String> regionOpt() {
    return Optional.ofNullable(region);
  }

  public Optional<URI> endpointOpt() {
    return Optional.ofNullable(endpointOverride);
  }

  public Optional<String> roleArnOpt() {
    return Optional.ofNullable(roleArn);
  }

  /** The same settings in another region, e.g. the one named by a resource's ARN. */
  public AwsSettings withRegion(String otherRegion) {
    return new AwsSettings(otherRegion, endpointOverride, roleArn);
  }

  /** The same settings acting as the default chain's identity (for the STS call itself). */
  public AwsSettings withoutRole() {
    return new AwsSettings(region, endpointOverride, null);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
