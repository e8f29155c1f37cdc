package io.dbrecover.gcp.internal;

import com.google.api.client.googleapis.json.GoogleJsonError;
import com.google.api.client.googleapis.json.GoogleJsonResponseException;
import com.google.api.client.http.HttpResponseException;
import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.ProviderException;
import io.dbrecover.engine.api.RateLimitedException;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;

/**
 * The one place where Google API errors become dbrecover errors with an exit code. Retrying is
 * {@link GoogleCalls}'s job; by the time an error gets here the retries are spent.
 */
public final class GcpErrors {
  /** 403 reasons that mean "too many calls", not "not allowed". */
  private static final Set<String> QUOTA_REASONS =
      Set.of("rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded", "RATE_LIMIT_EXCEEDED");

  private static final Set<String> API_DISABLED_REASONS =
      Set.of("accessNotConfigured", "SERVICE_DISABLED");

  private GcpErrors() {}

  /** The HTTP status of a failed call, or 0 for an error that got no HTTP answer. */
  public static int status(IOException e) {
    return e instanceof HttpResponseException ? ((HttpResponseException) e).getStatusCode() : 0;
  }

  /** The first {@code reason} of Google's error envelope, or empty. */
  public static String reason(IOException e) {
    if (e instanceof GoogleJsonResponseException) {
      GoogleJsonError details = ((GoogleJsonResponseException) e).getDetails();
      if (details != null && details.getErrors() != null && !details.getErrors().isEmpty()) {
        String reason = details.getErrors().get(0).getReason();
        return reason == null ? "" : reason;
      }
    }
    return "";
  }

  /** Whether another attempt may succeed: throttling, quota, 5xx, a busy instance. */
  public static boolean retryable(IOException e) {
    int status = status(e);
    return status == 429
        || status >= 500
        || (status == 403 && QUOTA_REASONS.contains(reason(e)))
        || (status == 409 && "operationInProgress".equals(reason(e)));
  }

  /**
   * Maps a failed call.
   *
   * @param e what the client threw
   * @param call the call, naming its IAM permission
   * @param resource what the call was about, e.g. {@code Cloud SQL instance 'orders'}; no secrets
   * @param attempts how many attempts were made
   */
  public static DbRecoverException map(IOException e, ApiCall call, String resource, int attempts) {
    int status = status(e);
    if (status == 0) {
      return clientSide(e, call, resource, attempts);
    }
    String reason = reason(e);
    String detail =
        " (HTTP " + status + (reason.isEmpty() ? "" : " " + reason) + "): " + message(e);
    String permission = call.permission();
    if (status == 401) {
      return new ProviderException(
          "Google rejected the credentials for "
              + call.restMethod()
              + " on "
              + resource
              + detail
              + "; run `gcloud auth application-default login` or point"
              + " GOOGLE_APPLICATION_CREDENTIALS at a service account key. The account needs "
              + permission,
          null,
          e);
    }
    if (status == 403 && API_DISABLED_REASONS.contains(reason)) {
      return new ProviderException(
          call.restMethod()
              + " on "
              + resource
              + " failed: the API is not enabled in the project"
              + detail
              + "; enable it (gcloud services enable "
              + (permission.startsWith("secretmanager")
                  ? "secretmanager.googleapis.com"
                  : "sqladmin.googleapis.com")
              + ")",
          null,
          e);
    }
    if (status == 429 || (status == 403 && QUOTA_REASONS.contains(reason))) {
      return new RateLimitedException(
          "Google throttled "
              + call.restMethod()
              + " on "
              + resource
              + " after "
              + attempts
              + " attempts"
              + detail
              + "; try again in a minute or raise the quota (IAM & Admin > Quotas)",
          null,
          Duration.ofMinutes(1));
    }
    if (status == 403) {
      return new ProviderException(
          "Google denied "
              + call.restMethod()
              + " on "
              + resource
              + detail
              + "; the account dbrecover runs as needs the permission "
              + permission
              + " (docs/providers/gcp.md lists every permission)",
          null,
          e);
    }
    if (status == 404) {
      return new ConfigurationException(
          resource
              + " does not exist"
              + detail
              + "; check database.options.project and database.options.instance in dbrecover.yaml",
          e);
    }
    if (status == 409) {
      return new ProviderException(
          call.restMethod()
              + " on "
              + resource
              + " conflicts with the instance's state"
              + detail
              + ("instanceAlreadyExists".equals(reason)
                  ? "; the name is taken by another instance, or by one deleted in the last week"
                      + " (Cloud SQL keeps deleted names); delete or rename it, or start a new run"
                  : "; wait for the instance's running operation and try again"),
          null,
          e);
    }
    if (status >= 500) {
      return new ProviderException(
          "Google failed "
              + call.restMethod()
              + " on "
              + resource
              + " after "
              + attempts
              + " attempts"
              + detail
              + "; try again later and check status.cloud.google.com",
          null,
          e);
    }
    return new ProviderException(
        "Google refused " + call.restMethod() + " on " + resource + detail, null, e);
  }

  private static DbRecoverException clientSide(
      IOException e, ApiCall call, String resource, int attempts) {
    String text = clean(e.getMessage());
    // google-auth's errors when ADC are missing or a token cannot be had.
    if (text.contains("Application Default Credentials")
        || text.contains("access token")
        || text.contains("invalid_grant")) {
      return new ProviderException(
          "no usable Google credentials for "
              + call.restMethod()
              + " on "
              + resource
              + ": "
              + text
              + "; run `gcloud auth application-default login`, or set"
              + " GOOGLE_APPLICATION_CREDENTIALS to a service account key file. The account"
              + " needs "
              + call.permission(),
          null,
          e);
    }
    return new ProviderException(
        call.restMethod()
            + " on "
            + resource
            + " did not reach Google after "
            + attempts
            + (attempts == 1 ? " attempt: " : " attempts: ")
            + text
            + "; check the network and database.options.api-url",
        null,
        e);
  }

  private static String message(IOException e) {
    if (e instanceof GoogleJsonResponseException
        && ((GoogleJsonResponseException) e).getDetails() != null) {
      return clean(((GoogleJsonResponseException) e).getDetails().getMessage());
    }
    if (e instanceof HttpResponseException) {
      return clean(((HttpResponseException) e).getStatusMessage());
    }
    return clean(e.getMessage());
  }

  private static String clean(String s) {
    return DbUrl.redact(s == null ? "no message" : s);
  }
}
