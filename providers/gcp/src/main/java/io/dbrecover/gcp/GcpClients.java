package io.dbrecover.gcp;

import com.google.api.client.http.HttpRequestFactory;
import com.google.api.client.http.HttpRequestInitializer;
import com.google.api.client.http.HttpTransport;
import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.api.client.json.JsonFactory;
import com.google.api.client.json.gson.GsonFactory;
import com.google.api.services.sqladmin.SQLAdmin;
import com.google.api.services.sqladmin.SQLAdminScopes;
import com.google.auth.http.HttpCredentialsAdapter;
import com.google.auth.oauth2.GoogleCredentials;
import io.dbrecover.gcp.internal.CloudSqlApi;
import io.dbrecover.gcp.internal.GoogleCalls;
import io.dbrecover.gcp.internal.RetryPolicy;
import io.dbrecover.gcp.internal.Sleeper;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Builds the Google clients once and keeps them: the light {@link NetHttpTransport} (java.net only)
 * with explicit timeouts, Application Default Credentials resolved on first use (so a CLI start
 * that never calls Google needs none), and {@link GoogleCalls} for retries and error mapping.
 */
public final class GcpClients {
  /** Where credentials come from; called on the first request, its IOException is mapped. */
  @FunctionalInterface
  public interface CredentialsSource {
    GoogleCredentials get() throws IOException;
  }

  static final JsonFactory JSON = GsonFactory.getDefaultInstance();
  private static final int CONNECT_TIMEOUT_MS = 10_000;
  private static final int READ_TIMEOUT_MS = 60_000;

  private final HttpTransport transport;
  private final CredentialsSource credentials;
  private final GoogleCalls calls;
  private final Map<URI, SQLAdmin> admins = new ConcurrentHashMap<>();
  private volatile HttpCredentialsAdapter adapter;

  public GcpClients(HttpTransport transport, CredentialsSource credentials, GoogleCalls calls) {
    this.transport = Objects.requireNonNull(transport, "transport");
    this.credentials = Objects.requireNonNull(credentials, "credentials");
    this.calls = Objects.requireNonNull(calls, "calls");
  }

  /** Production clients: Application Default Credentials, standard retries, real sleeping. */
  public static GcpClients applicationDefault() {
    return new GcpClients(
        new NetHttpTransport(),
        () -> GoogleCredentials.getApplicationDefault().createScoped(SQLAdminScopes.CLOUD_PLATFORM),
        new GoogleCalls(
            RetryPolicy.DEFAULT, Sleeper.SYSTEM, () -> ThreadLocalRandom.current().nextDouble()));
  }

  /** The Cloud SQL Admin API of the settings' project, at the settings' root URL. */
  public CloudSqlApi cloudSql(GcpSettings settings) {
    SQLAdmin admin =
        admins.computeIfAbsent(
            settings.apiUrl(),
            root ->
                new SQLAdmin.Builder(transport, JSON, initializer())
                    .setRootUrl(root.toString())
                    .setApplicationName("dbrecover")
                    .build());
    return new CloudSqlApi(admin, calls, settings.project());
  }

  /** Plain authenticated HTTP requests (Secret Manager's REST API). */
  public HttpRequestFactory requestFactory() {
    return transport.createRequestFactory(initializer());
  }

  public GoogleCalls calls() {
    return calls;
  }

  private HttpRequestInitializer initializer() {
    return request -> {
      request.setConnectTimeout(CONNECT_TIMEOUT_MS);
      request.setReadTimeout(READ_TIMEOUT_MS);
      // GoogleCalls retries with backoff; the HTTP client must not retry on its own as well.
      request.setNumberOfRetries(0);
      credentialsAdapter().initialize(request);
    };
  }

  private HttpCredentialsAdapter credentialsAdapter() throws IOException {
    HttpCredentialsAdapter a = adapter;
    if (a == null) {
      synchronized (this) {
        if (adapter == null) {
          adapter = new HttpCredentialsAdapter(credentials.get());
        }
        a = adapter;
      }
    }
    return a;
  }
}
