package io.dbrecover.aws.internal;

import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.ProviderException;
import io.dbrecover.engine.api.RateLimitedException;
import java.time.Duration;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sts.model.StsException;

/**
 * The one place where AWS SDK errors become dbrecover errors with an exit code. By then the SDK has
 * already retried what is retryable (throttling, 5xx, I/O) with backoff and jitter.
 */
public final class AwsErrors {
  private static final Set<String> ACCESS_DENIED =
      Set.of(
          "AccessDenied",
          "AccessDeniedException",
          "AuthorizationError",
          "UnauthorizedOperation",
          "NotAuthorized");
  private static final Set<String> BAD_CREDENTIALS =
      Set.of(
          "InvalidClientTokenId",
          "UnrecognizedClientException",
          "SignatureDoesNotMatch",
          "ExpiredToken",
          "ExpiredTokenException",
          "IncompleteSignature",
          "InvalidSignatureException",
          "MissingAuthenticationToken");
  private static final Set<String> NOT_FOUND =
      Set.of(
          "DBInstanceNotFound",
          "DBClusterNotFoundFault",
          "DBSubnetGroupNotFoundFault",
          "DBParameterGroupNotFound",
          "OptionGroupNotFoundFault",
          "ResourceNotFoundException",
          "ParameterNotFound");
  private static final Set<String> NO_RECOVERY_POINT =
      Set.of("PointInTimeRestoreNotEnabled", "DBInstanceAutomatedBackupNotFound");
  private static final Set<String> QUOTA =
      Set.of(
          "StorageQuotaExceeded",
          "InstanceQuotaExceeded",
          "InsufficientDBInstanceCapacity",
          "DBClusterQuotaExceededFault",
          "InsufficientDBClusterCapacityFault",
          "SnapshotQuotaExceeded",
          "LimitExceededException");

  private AwsErrors() {}

  /**
   * Maps a failed call.
   *
   * @param e what the SDK threw
   * @param action the IAM action of the call, e.g. {@code rds:DescribeDBInstances}
   * @param resource what the call was about, e.g. {@code RDS instance orders}; no secrets
   */
  public static DbRecoverException map(SdkException e, String action, String resource) {
    if (e instanceof StsException) {
      // The call never ran: assuming the configured role-arn for it failed.
      return service((StsException) e, "sts:AssumeRole", "the role-arn used for " + resource);
    }
    if (e instanceof AwsServiceException) {
      return service((AwsServiceException) e, action, resource);
    }
    if (e instanceof SdkClientException) {
      return new ProviderException(
          action
              + " on "
              + resource
              + " did not reach AWS: "
              + clean(e.getMessage())
              + "; check the network, the region and the endpoint",
          null,
          e);
    }
    return new ProviderException(
        action + " on " + resource + " failed: " + clean(e.getMessage()), null, e);
  }

  /** A resource that a successful call did not return (exit 1). */
  public static DbRecoverException notFound(String action, String resource) {
    return new ConfigurationException(
        resource
            + " does not exist ("
            + action
            + " returned nothing); check the name and the"
            + " region in dbrecover.yaml");
  }

  /** The AWS error code of a service error, or empty. */
  public static String code(SdkException e) {
    if (e instanceof AwsServiceException && ((AwsServiceException) e).awsErrorDetails() != null) {
      String code = ((AwsServiceException) e).awsErrorDetails().errorCode();
      return code == null ? "" : code;
    }
    return "";
  }

  private static DbRecoverException service(AwsServiceException e, String action, String resource) {
    String code = code(e);
    String requestId = e.requestId();
    String detail = " (" + code + ", request " + requestId + "): " + awsMessage(e);
    if (ACCESS_DENIED.contains(code)) {
      return new ProviderException(
          "AWS denied "
              + action
              + " on "
              + resource
              + detail
              + "; allow "
              + action
              + " in the IAM policy of the role dbrecover runs as (docs/providers/aws.md lists"
              + " every action)",
          requestId,
          e);
    }
    if (BAD_CREDENTIALS.contains(code)) {
      return new ProviderException(
          "AWS rejected the credentials for "
              + action
              + detail
              + "; check AWS_PROFILE / AWS_ACCESS_KEY_ID or renew the session",
          requestId,
          e);
    }
    if (NOT_FOUND.contains(code)) {
      return new ConfigurationException(
          resource
              + " does not exist"
              + detail
              + "; check the name and the region in dbrecover.yaml",
          e);
    }
    if (NO_RECOVERY_POINT.contains(code)) {
      return new DbRecoverException(
          ErrorCode.NO_RECOVERY_POINT,
          resource
              + " cannot be restored to a point in time"
              + detail
              + "; enable automated backups (backup retention of at least 1 day)",
          e);
    }
    if (e.isThrottlingException()) {
      return new RateLimitedException(
          "AWS throttled "
              + action
              + " on "
              + resource
              + " after retries"
              + detail
              + "; try again in a minute or raise the API rate quota",
          requestId,
          Duration.ofMinutes(1));
    }
    if (QUOTA.contains(code)) {
      return new ProviderException(
          action
              + " on "
              + resource
              + " hit an account quota or capacity limit"
              + detail
              + "; free capacity, request a quota increase or choose another instance class",
          requestId,
          e);
    }
    if (e.statusCode() >= 500) {
      return new ProviderException(
          "AWS failed "
              + action
              + " on "
              + resource
              + " after retries, HTTP "
              + e.statusCode()
              + detail
              + "; try again later, and check the AWS Health Dashboard",
          requestId,
          e);
    }
    return new ProviderException(
        "AWS refused " + action + " on " + resource + detail, requestId, e);
  }

  /** The request id of a service error, or "none". */
  public static String requestId(SdkException e) {
    return e instanceof AwsServiceException ? ((AwsServiceException) e).requestId() : "none";
  }

  /** The AWS message of a service error, redacted; "no message" otherwise. */
  public static String message(SdkException e) {
    return e instanceof AwsServiceException ? awsMessage((AwsServiceException) e) : "no message";
  }

  private static String awsMessage(AwsServiceException e) {
    String message = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
    return clean(message == null ? "no message" : message);
  }

  private static String clean(String s) {
    return DbUrl.redact(s == null ? "" : s);
  }
}
