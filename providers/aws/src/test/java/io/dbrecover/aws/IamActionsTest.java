package io.dbrecover.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.rds.RdsClient;

class IamActionsTest {
  private static final Pattern ACTION_LITERAL =
      Pattern.compile("\"((?:rds|secretsmanager|ssm|dynamodb|s3|kms|sts):[A-Za-z0-9]+)\"");

  private static List<String> actions() {
    List<String> out = new ArrayList<>();
    IamActionRecorder.list().get("actions").forEach(e -> out.add(e.get("action").asText()));
    return out;
  }

  @Test
  void list_everyEntry_namesAnActionWhatItIsForAndHowItIsCalled() {
    JsonNode entries = IamActionRecorder.list().get("actions");

    assertThat(entries).isNotEmpty();
    for (JsonNode e : entries) {
      assertThat(e.path("action").asText()).matches("[a-z0-9]+:[A-Z][A-Za-z0-9]+");
      assertThat(e.path("usedFor").asText()).as(e.toString()).isNotBlank();
      assertThat(e.path("operations").isArray()).as(e.toString()).isTrue();
      if (e.path("operations").isEmpty()) {
        assertThat(e.path("implicitIn")).as("an action no operation calls: " + e).isNotEmpty();
      }
    }
    assertThat(actions()).doesNotHaveDuplicates();
  }

  @Test
  void list_containsEveryActionTheMainCodeNames() throws IOException {
    Set<String> named = new TreeSet<>();
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        Matcher m = ACTION_LITERAL.matcher(Files.readString(f));
        while (m.find()) {
          named.add(m.group(1));
        }
      }
    }

    assertThat(named).isNotEmpty();
    assertThat(actions()).containsAll(named);
  }

  @Test
  void docs_iamTableListsExactlyTheActionsOfTheList() throws IOException {
    String docs = Files.readString(Path.of("../../docs/providers/aws.md"));
    String table = docs.substring(docs.indexOf("## IAM permissions"));
    table = table.substring(0, table.indexOf("\n## ", 3));
    Set<String> documented = new TreeSet<>();
    Matcher m =
        Pattern.compile("^\\| `([a-z0-9]+:[A-Za-z0-9]+)`", Pattern.MULTILINE).matcher(table);
    while (m.find()) {
      documented.add(m.group(1));
    }

    assertThat(documented).isEqualTo(new TreeSet<>(actions()));
  }

  @Test
  void recorder_operationMissingFromTheList_failsTheTestNamingIt() {
    try (AwsStub aws = new AwsStub()) {
      RdsClient rds =
          AwsStub.clients().rds(new AwsSettings("eu-west-1", java.net.URI.create(aws.endpoint())));
      try {
        rds.describeDBEngineVersions(b -> b.engine("postgres"));
      } catch (SdkException expected) {
        // WireMock has no stub for it; the call was made all the same
      }
    }

    assertThatThrownBy(() -> new IamActionRecorder.Check().afterEach(null))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("[rds:DescribeDBEngineVersions]");
  }

  @Test
  void recorder_listedOperation_passes() {
    try (AwsStub aws = new AwsStub()) {
      aws.rds("DescribeDBInstances", "orders", AwsStub.fixture("rds/describe-source.xml"));
      AwsStub.clients()
          .rds(new AwsSettings("eu-west-1", java.net.URI.create(aws.endpoint())))
          .describeDBInstances(b -> b.dbInstanceIdentifier("orders"));
    }

    assertThat(IamActionRecorder.drainUnlisted()).isEmpty();
    assertThat(IamActionRecorder.seen()).contains("rds:DescribeDBInstances");
  }
}
