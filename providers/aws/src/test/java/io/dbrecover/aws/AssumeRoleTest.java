package io.dbrecover.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.ProviderException;
import io.dbrecover.engine.spi.UrlTarget;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code role-arn}: every call of the environment signs with credentials from STS AssumeRole (Query
 * protocol, XML), taken with the default chain's credentials.
 */
class AssumeRoleTest {
  private static final String STS_XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/";
  private static final String ROLE = "arn:aws:iam::123456789012:role/dbrecover-prod";
  private static final String GET = "AmazonSSM.GetParameter";

  private AwsStub aws;

  @BeforeEach
  void setUp() {
    aws = new AwsStub();
    aws.json(
        GET,
        200,
        "{\"Parameter\":{\"ARN\":\"arn:aws:ssm:eu-west-1:123456789012:parameter/app/db\","
            + "\"DataType\":\"text\",\"LastModifiedDate\":1.736935200123E9,\"Name\":\"/app/db\","
            + "\"Type\":\"SecureString\",\"Value\":\"postgresql://app:pw@db.example:5432/app\","
            + "\"Version\":1}}");
  }

  @AfterEach
  void tearDown() {
    aws.close();
  }

  private void assumeRoleAnswers() {
    aws.server.stubFor(
        post(urlEqualTo("/"))
            .withRequestBody(containing("Action=AssumeRole&"))
            .willReturn(
                AwsStub.xml(
                    200,
                    "<AssumeRoleResponse xmlns=\""
                        + STS_XMLNS
                        + "\">\n  <AssumeRoleResult>\n    <AssumedRoleUser>\n"
                        + "      <AssumedRoleId>AROA3XFRBF535PLBIFPI4:dbrecover</AssumedRoleId>\n"
                        + "      <Arn>arn:aws:sts::123456789012:assumed-role/dbrecover-prod/dbrecover"
                        + "</Arn>\n    </AssumedRoleUser>\n    <Credentials>\n"
                        + "      <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>\n"
                        + "      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
                        + "</SecretAccessKey>\n"
                        + "      <SessionToken>session-token-from-sts</SessionToken>\n"
                        + "      <Expiration>2099-01-01T00:00:00Z</Expiration>\n"
                        + "    </Credentials>\n  </AssumeRoleResult>\n  <ResponseMetadata>\n"
                        + "    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>\n"
                        + "  </ResponseMetadata>\n</AssumeRoleResponse>\n")));
  }

  private UrlTarget ssmTarget(AwsSettings settings) {
    return new SsmParameterUrlTarget.Factory(AwsStub.clients(), settings)
        .create(new EnvironmentConfig.UrlTarget("ssm", "/app/db", null), Path.of("."));
  }

  private List<LoggedRequest> ssmCalls() {
    return aws.server.findAll(
        postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(GET)));
  }

  @Test
  void call_withRoleArn_assumesTheRoleAndSignsWithItsSessionCredentials() {
    assumeRoleAnswers();

    ssmTarget(new AwsSettings("eu-west-1", URI.create(aws.endpoint()), ROLE)).read();

    List<Map<String, String>> assume = aws.rdsRequests("AssumeRole");
    assertThat(assume).hasSize(1);
    assertThat(assume.get(0))
        .containsEntry("RoleArn", ROLE)
        .containsEntry("RoleSessionName", "dbrecover")
        .containsEntry("Version", "2011-06-15");
    LoggedRequest ssm = ssmCalls().get(0);
    assertThat(ssm.getHeader("Authorization")).contains("Credential=ASIAIOSFODNN7EXAMPLE/");
    assertThat(ssm.getHeader("X-Amz-Security-Token")).isEqualTo("session-token-from-sts");
  }

  @Test
  void call_withoutRoleArn_signsWithTheDefaultChainAndCallsNoSts() {
    ssmTarget(new AwsSettings("eu-west-1", URI.create(aws.endpoint()))).read();

    assertThat(aws.rdsRequests("AssumeRole")).isEmpty();
    assertThat(ssmCalls().get(0).getHeader("Authorization")).contains("Credential=AKIDTEST/");
  }

  @Test
  void call_assumeRoleDenied_exit8NamingStsAssumeRole() {
    aws.server.stubFor(
        post(urlEqualTo("/"))
            .withRequestBody(containing("Action=AssumeRole&"))
            .willReturn(
                AwsStub.xml(
                    403,
                    "<ErrorResponse xmlns=\""
                        + STS_XMLNS
                        + "\">\n  <Error>\n    <Type>Sender</Type>\n    <Code>AccessDenied</Code>\n"
                        + "    <Message>User: arn:aws:iam::123456789012:user/ops is not authorized"
                        + " to perform: sts:AssumeRole on resource: "
                        + ROLE
                        + "</Message>\n  </Error>\n  <RequestId>req-denied</RequestId>\n"
                        + "</ErrorResponse>\n")));

    UrlTarget target = ssmTarget(new AwsSettings("eu-west-1", URI.create(aws.endpoint()), ROLE));

    assertThatThrownBy(target::read)
        .isInstanceOf(ProviderException.class)
        .satisfies(
            e -> assertThat(((DbRecoverException) e).code()).isEqualTo(ErrorCode.PROVIDER_API))
        .hasMessageStartingWith(
            "AWS denied sts:AssumeRole on the role-arn used for SSM parameter '/app/db'"
                + " (AccessDenied, request req-denied)")
        .hasMessageContaining("allow sts:AssumeRole");
    assertThat(ssmCalls()).isEmpty();
  }

  @Test
  void fromOptions_roleArn_isRead() {
    assertThat(AwsSettings.fromOptions(Map.of("role-arn", ROLE)).roleArnOpt()).contains(ROLE);
    assertThat(AwsSettings.fromOptions(Map.of()).roleArnOpt()).isEmpty();
  }

  @Test
  void fromOptions_notARoleArn_configurationErrorWithTheExpectedShape() {
    assertThatThrownBy(
            () -> AwsSettings.fromOptions(Map.of("role-arn", "arn:aws:iam::123:user/ops")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "role-arn 'arn:aws:iam::123:user/ops' is not an IAM role ARN; expected"
                + " arn:aws:iam::<12-digit account>:role/<name>");
  }
}
