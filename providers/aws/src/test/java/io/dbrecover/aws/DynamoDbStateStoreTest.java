package io.dbrecover.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.ProviderException;
import io.dbrecover.engine.api.RateLimitedException;
import io.dbrecover.engine.api.StateStoreConfig;
import io.dbrecover.engine.spi.StateStore;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The DynamoDB store's configuration and its AWS errors, on DynamoDB's AWS JSON 1.0 wire
 * (WireMock); its semantics are tested against dynalite in {@link DynamoDbStateStoreIT}.
 */
class DynamoDbStateStoreTest {
  private static final String PUT_ITEM = "DynamoDB_20120810.PutItem";

  private AwsStub aws;

  @BeforeEach
  void setUp() {
    aws = new AwsStub();
  }

  @AfterEach
  void tearDown() {
    aws.close();
  }

  private StateStore store(Map<String, String> options) {
    return new DynamoDbStateStore.Factory(AwsStub.clients(), Clock.systemUTC())
        .create(new StateStoreConfig("dynamodb", options), Path.of("."));
  }

  private StateStore stubbed() {
    return store(
        Map.of(
            "table",
            "dbrecover-state",
            "region",
            "eu-west-1",
            "endpoint-override",
            aws.endpoint()));
  }

  private void putItemAnswers(int status, String body) {
    aws.server.stubFor(
        post(urlEqualTo("/"))
            .withHeader("X-Amz-Target", equalTo(PUT_ITEM))
            .willReturn(
                aResponse()
                    .withStatus(status)
                    .withHeader("Content-Type", "application/x-amz-json-1.0")
                    .withHeader("x-amzn-RequestId", "req-" + status)
                    .withBody(body)));
  }

  @Test
  void factory_withoutTable_configurationErrorSayingWhatToName() {
    assertThatThrownBy(() -> store(Map.of("region", "eu-west-1")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("state-store.options.table: missing; name the table");
  }

  @Test
  void factory_unknownOption_configurationErrorListingTheValidOnes() {
    assertThatThrownBy(() -> store(Map.of("table", "t-1", "tabel", "x")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "state-store.options.tabel is not a dynamodb option; valid: endpoint-override, lease,"
                + " region, role-arn, table");
  }

  @Test
  void factory_leaseTooShortOrMalformed_configurationError() {
    assertThatThrownBy(() -> store(Map.of("table", "t-1", "lease", "5s")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "state-store.options.lease: '5s' is not a lease of at least 10s; write it like 30s,"
                + " 5m or 1h");
    assertThatThrownBy(() -> store(Map.of("table", "t-1", "lease", "five minutes")))
        .isInstanceOf(ConfigurationException.class);
  }

  @Test
  void lock_accessDenied_exit8NamingTheAction() {
    putItemAnswers(
        400,
        "{\"__type\":\"com.amazon.coral.service#AccessDeniedException\",\"Message\":\"User:"
            + " arn:aws:sts::123456789012:assumed-role/dbrecover/x is not authorized to perform:"
            + " dynamodb:PutItem on resource: arn:aws:dynamodb:eu-west-1:123456789012:table/"
            + "dbrecover-state because no identity-based policy allows the dynamodb:PutItem"
            + " action\"}");

    assertThatThrownBy(() -> stubbed().lock("prod", "run a"))
        .isInstanceOf(ProviderException.class)
        .satisfies(
            e -> assertThat(((DbRecoverException) e).code()).isEqualTo(ErrorCode.PROVIDER_API))
        .hasMessageStartingWith("AWS denied dynamodb:PutItem on DynamoDB table 'dbrecover-state'")
        .hasMessageContaining("allow dynamodb:PutItem");
  }

  @Test
  void append_throughputExceeded_retriedThenExit8() {
    putItemAnswers(
        400,
        "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException\","
            + "\"message\":\"The level of configured provisioned throughput for the table was"
            + " exceeded. Consider increasing your provisioning level with the UpdateTable API.\"}");

    assertThatThrownBy(() -> stubbed().create("prod", "run-20250610-120000-aaaa"))
        .isInstanceOf(RateLimitedException.class)
        .hasMessageStartingWith(
            "AWS throttled dynamodb:PutItem on DynamoDB table 'dbrecover-state'");
    assertThat(
            aws.server.findAll(
                postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(PUT_ITEM))))
        .hasSize(AwsStub.ATTEMPTS);
  }
}
