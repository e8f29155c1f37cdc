package io.dbrecover.aws;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * dynalite (Apache-2.0), a DynamoDB-compatible server on Node.js, in memory on a free port of
 * 127.0.0.1 for the tests of one class: {@code @RegisterExtension static final Dynalite DYNAMODB =
 * new Dynalite();}. The build installs it with {@code npm ci} in {@code src/test/dynalite}
 * (pre-integration-test); {@code server.js} there prints the port, and stops when its stdin closes.
 * Other modules use it from this module's test jar, with the system property {@code dynalite.dir}
 * naming that directory.
 */
public final class Dynalite implements BeforeAllCallback, AfterAllCallback {
  static final Path DIR =
      Path.of(System.getProperty("dynalite.dir", Path.of("src", "test", "dynalite").toString()))
          .toAbsolutePath();

  private Process process;
  private int port;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    if (!Files.isDirectory(DIR.resolve("node_modules/dynalite"))) {
      throw new IllegalStateException(
          "dynalite is not installed in "
              + DIR
              + "; run `npm ci` there (the Maven build does it before the integration tests)");
    }
    process =
        new ProcessBuilder("node", "server.js")
            .directory(DIR.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line;
    try {
      line = CompletableFuture.supplyAsync(() -> readLine(out)).get(30, TimeUnit.SECONDS);
    } catch (TimeoutException | ExecutionException e) {
      stop();
      throw new IllegalStateException("dynalite did not start within 30 s", e);
    }
    if (line == null || !line.startsWith("LISTENING ")) {
      stop();
      throw new IllegalStateException("dynalite did not start: " + line);
    }
    port = Integer.parseInt(line.substring("LISTENING ".length()).trim());
  }

  private static String readLine(BufferedReader in) {
    try {
      return in.readLine();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Creates a table laid out as the state store expects (string keys pk and sk), ACTIVE. */
  public static void createStateTable(DynamoDbClient client, String table) {
    // dbrecover never creates its table (Terraform or the operator does): not held against the
    // IAM action list
    IamActionRecorder.outsideTheList(() -> createTable(client, table));
  }

  private static void createTable(DynamoDbClient client, String table) {
    client.createTable(
        b ->
            b.tableName(table)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                    a -> a.attributeName("pk").attributeType(ScalarAttributeType.S),
                    a -> a.attributeName("sk").attributeType(ScalarAttributeType.S))
                .keySchema(
                    k -> k.attributeName("pk").keyType(KeyType.HASH),
                    k -> k.attributeName("sk").keyType(KeyType.RANGE)));
    // dynalite makes tables ACTIVE at once; the SDK waiter would first sleep 20 s.
    while (client.describeTable(b -> b.tableName(table)).table().tableStatus()
        != TableStatus.ACTIVE) {
      Thread.onSpinWait();
    }
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    stop();
  }

  private void stop() throws InterruptedException {
    if (process == null) {
      return;
    }
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // Already gone.
    }
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    process = null;
  }
}
