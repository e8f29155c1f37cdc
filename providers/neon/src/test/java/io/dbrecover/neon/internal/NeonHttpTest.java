package io.dbrecover.neon.internal;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.dbrecover.neon.testing.NeonApiStub.API_KEY;
import static io.dbrecover.neon.testing.NeonApiStub.BASE;
import static io.dbrecover.neon.testing.NeonApiStub.PROJECT;
import static io.dbrecover.neon.testing.NeonApiStub.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.ProviderException;
import io.dbrecover.engine.api.Secret;
import io.dbrecover.neon.internal.NeonModel.BranchCreate;
import io.dbrecover.neon.testing.NeonApiStub;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The transport under {@link NeonClient}: what goes on the wire and what a broken call becomes. */
class NeonHttpTest {
  private static final String PROJECT_PATH = BASE + "/projects/" + PROJECT;
  private static final String MAIN = "br-aged-salad-637688";
  private static final String NEW = "br-quiet-rain-123456";

  @RegisterExtension final NeonApiStub neon = new NeonApiStub();
  private final NeonClient client = neon.client();

  @Test
  void queryValues_arePercentEncodedAsOneComponent() {
    neon.stub(
        get(urlPathEqualTo(PROJECT_PATH + "/branches"))
            .willReturn(json(200, "branches-empty.json")));

    client.listBranches(PROJECT, "a b+c&d=e/f:g?h#i%j é~!");

    List<LoggedRequest> sent =
        neon.server().findAll(getRequestedFor(urlPathEqualTo(PROJECT_PATH + "/branches")));
    assertThat(sent)
        .singleElement()
        .extracting(LoggedRequest::getUrl)
        .isEqualTo(
            PROJECT_PATH + "/branches?search=a%20b%2Bc%26d%3De%2Ff%3Ag%3Fh%23i%25j%20%C3%A9%7E%21");
  }

  @Test
  void pathSegments_arePercentEncodedOneByOne() {
    neon.stub(
        get(urlEqualTo(PROJECT_PATH + "/branches/br%20x%3Fz%23%C3%A9"))
            .willReturn(json(200, "branch-main.json")));

    // An id the document's pattern forbids, as a mistyped setting would be: sent as one segment.
    assertThat(client.getBranch(PROJECT, "br x?z#é")).isPresent();
    neon.server().resetRequests();
  }

  @Test
  void post_sendsJsonWithItsContentType_andAcceptsJson() {
    neon.stub(
        post(urlEqualTo(PROJECT_PATH + "/branches")).willReturn(json(201, "branch-created.json")));

    client.createBranch(PROJECT, new BranchCreate(MAIN, "x", null, null, true));

    neon.server()
        .verify(
            postRequestedFor(urlEqualTo(PROJECT_PATH + "/branches"))
                .withHeader("Authorization", equalTo("Bearer " + API_KEY))
                .withHeader("Accept", equalTo("application/json"))
                .withHeader("Content-Type", equalTo("application/json")));
  }

  @Test
  void postWithoutABody_sendsAnEmptyBodyWithoutAContentType() {
    neon.stub(
        post(urlEqualTo(PROJECT_PATH + "/branches/" + NEW + "/set_as_default"))
            .willReturn(json(200, "branch-deleted.json")));

    client.setDefaultBranch(PROJECT, NEW);

    neon.server()
        .verify(
            postRequestedFor(urlEqualTo(PROJECT_PATH + "/branches/" + NEW + "/set_as_default"))
                .withHeader("Content-Type", absent())
                .withHeader("Content-Length", equalTo("0")));
  }

  @Test
  void connectionReset_onARead_isRetried_thenAProviderErrorNamingTheHost() {
    neon.stub(
        get(urlEqualTo(PROJECT_PATH))
            .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

    ProviderException e =
        catchThrowableOfType(ProviderException.class, () -> client.getProject(PROJECT));

    assertThat(e.code()).isEqualTo(ErrorCode.PROVIDER_API);
    assertThat(e)
        .hasMessageStartingWith(
            "could not reach the Neon API to read Neon project '" + PROJECT + "'")
        .hasMessageContaining("check the network and localhost")
        .hasMessageNotContaining(API_KEY);
    assertThat(neon.sleeps)
        .containsExactly(Duration.ofMillis(750), Duration.ofMillis(1500), Duration.ofMillis(3000));
    // Four attempts; the JDK client itself sends a GET (never a POST) once more on a connection
    // that died before any answer, so the server sees four to eight.
    assertThat(neon.server().findAll(getRequestedFor(urlEqualTo(PROJECT_PATH))))
        .hasSizeBetween(4, 8);
    // A dropped connection has no answer for the document to check.
    neon.server().resetRequests();
  }

  @Test
  void connectionReset_onACreate_isNotRetried_andSaysTheChangeMayHaveBeenMade() {
    neon.stub(
        post(urlEqualTo(PROJECT_PATH + "/branches"))
            .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

    ProviderException e =
        catchThrowableOfType(
            ProviderException.class,
            () -> client.createBranch(PROJECT, new BranchCreate(MAIN, "x", null, null, true)));

    assertThat(e)
        .hasMessageContaining("may or may not have been made")
        .hasMessageContaining("dbrecover resume");
    neon.server().verify(1, postRequestedFor(urlEqualTo(PROJECT_PATH + "/branches")));
    assertThat(neon.sleeps).isEmpty();
    // A dropped connection has no answer for the document to check.
    neon.server().resetRequests();
  }

  @Test
  void interrupted_beforeARead_isCancelled_andSendsNothing() {
    Thread.currentThread().interrupt();
    try {
      DbRecoverException e =
          catchThrowableOfType(DbRecoverException.class, () -> client.getProject(PROJECT));

      assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED);
      assertThat(e)
          .hasMessage("interrupted while waiting for Neon to read Neon project '" + PROJECT + "'");
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
    assertThat(neon.server().getAllServeEvents()).isEmpty();
    assertThat(neon.sleeps).isEmpty();
  }

  @Test
  void interrupted_duringACreate_isCancelledAtOnce_andSaysTheChangeMayHaveBeenMade()
      throws InterruptedException {
    neon.stub(
        post(urlEqualTo(PROJECT_PATH + "/branches"))
            .willReturn(json(201, "branch-created.json").withFixedDelay(5_000)));
    Thread caller = Thread.currentThread();
    Thread interrupter =
        new Thread(
            () -> {
              // once the request is at the server (bounded, should it never come)
              long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
              try {
                while (neon.server().getAllServeEvents().isEmpty() && System.nanoTime() < until) {
                  Thread.sleep(20);
                }
              } catch (InterruptedException stop) {
                return;
              }
              caller.interrupt();
            });
    long start = System.nanoTime();
    interrupter.start();
    DbRecoverException e;
    boolean stillInterrupted;
    try {
      e =
          catchThrowableOfType(
              DbRecoverException.class,
              () -> client.createBranch(PROJECT, new BranchCreate(MAIN, "x", null, null, true)));
    } finally {
      // cleared before the join, which would otherwise throw while the interrupter ends
      stillInterrupted = Thread.interrupted();
      interrupter.join();
    }

    assertThat(stillInterrupted).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
    assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED);
    assertThat(e)
        .hasMessageStartingWith("interrupted while waiting for Neon to create Neon branch 'x'")
        .hasMessageContaining("may or may not have been made");
    neon.server().verify(1, postRequestedFor(urlEqualTo(PROJECT_PATH + "/branches")));
  }

  @Test
  void noAnswerWithinTheResponseTimeout_onARead_isRetried_thenAProviderError() {
    NeonClient impatient =
        neon.client(
            new NeonHttp.Timeouts(
                Duration.ofSeconds(2), Duration.ofMillis(300), Duration.ofSeconds(10)));
    neon.stub(
        get(urlEqualTo(PROJECT_PATH)).willReturn(json(200, "project.json").withFixedDelay(3_000)));

    ProviderException e =
        catchThrowableOfType(ProviderException.class, () -> impatient.getProject(PROJECT));

    assertThat(e.code()).isEqualTo(ErrorCode.PROVIDER_API);
    assertThat(e)
        .hasMessageStartingWith(
            "could not reach the Neon API to read Neon project '"
                + PROJECT
                + "' (HttpTimeoutException: ")
        .hasMessageContaining("timed out")
        .hasMessageEndingWith("; check the network and localhost");
    assertThat(e.requestId()).isEmpty();
    neon.server().verify(4, getRequestedFor(urlEqualTo(PROJECT_PATH)));
    assertThat(neon.sleeps).hasSize(3);
  }

  @Test
  void anAnswerWhoseBodyOutlastsTheCallTimeout_brokeOff_andIsNotRetried() {
    NeonClient impatient =
        neon.client(
            new NeonHttp.Timeouts(
                Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofMillis(800)));
    neon.stub(
        get(urlEqualTo(PROJECT_PATH))
            .willReturn(json(200, "project.json").withChunkedDribbleDelay(10, 4_000)));

    ProviderException e =
        catchThrowableOfType(ProviderException.class, () -> impatient.getProject(PROJECT));

    assertThat(e)
        .hasMessageStartingWith(
            "the Neon API's answer to read Neon project '" + PROJECT + "' broke off: ")
        .hasMessageContaining("PT0.8S");
    neon.server().verify(1, getRequestedFor(urlEqualTo(PROJECT_PATH)));
    assertThat(neon.sleeps).isEmpty();
  }

  @Test
  void refusedConnection_namesTheFailure_withoutANullMessage() throws IOException {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    NeonHttp.Timeouts t = NeonHttp.Timeouts.DEFAULT;
    NeonClient nowhere =
        new NeonClient(
            new NeonHttp(
                t.newClient(),
                URI.create("http://localhost:" + closed + BASE),
                Secret.of(API_KEY),
                t,
                RetryPolicy.DEFAULT,
                d -> {},
                Clock.systemUTC(),
                () -> 0.5));

    ProviderException e =
        catchThrowableOfType(ProviderException.class, () -> nowhere.getProject(PROJECT));

    assertThat(e)
        .hasMessageStartingWith(
            "could not reach the Neon API to read Neon project '" + PROJECT + "' (ConnectException")
        .hasMessageNotContaining("null")
        .hasMessageNotContaining(API_KEY)
        .hasMessageEndingWith("; check the network and localhost");
  }

  @Test
  void aRedirect_isNotFollowed_soTheKeyGoesNowhereElse() {
    neon.stub(
        get(urlEqualTo(PROJECT_PATH))
            .willReturn(
                aResponse()
                    .withStatus(302)
                    .withHeader("Location", neon.server().baseUrl() + "/elsewhere")));

    ProviderException e =
        catchThrowableOfType(ProviderException.class, () -> client.getProject(PROJECT));

    assertThat(e).hasMessageContaining("refused").hasMessageContaining("HTTP 302");
    assertThat(neon.server().getAllServeEvents())
        .singleElement()
        .satisfies(event -> assertThat(event.getRequest().getUrl()).isEqualTo(PROJECT_PATH));
    // Neon's document has no redirects: nothing for it to check.
    neon.server().resetRequests();
  }

  @Test
  void everyRequest_namesDbrecoverAsItsUserAgent() {
    neon.stub(get(urlEqualTo(PROJECT_PATH)).willReturn(json(200, "project.json")));

    client.getProject(PROJECT);

    neon.server()
        .verify(
            getRequestedFor(urlEqualTo(PROJECT_PATH))
                .withHeader("User-Agent", equalTo("dbrecover")));
  }

  @Test
  void timeouts_mustBePositive() {
    assertThatThrownBy(
            () ->
                new NeonHttp.Timeouts(Duration.ofSeconds(1), Duration.ZERO, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be positive");
  }
}
