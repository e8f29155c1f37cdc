package io.dbrecover.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Sees every AWS SDK call made in this module's tests (a global interceptor, listed in {@code
 * software/amazon/awssdk/global/handlers/execution.interceptors}) and notes each operation that
 * {@code iam-actions.json} does not list. {@link Check}, a JUnit extension every test of the module
 * runs (autodetected), fails the test that made such a call.
 */
public final class IamActionRecorder implements ExecutionInterceptor {
  static final String RESOURCE = "/io/dbrecover/aws/iam-actions.json";
  private static final Set<String> LISTED = listedOperations();
  private static final List<String> UNLISTED = new ArrayList<>();
  private static final Set<String> SEEN = new HashSet<>();

  @Override
  public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
    String operation =
        prefix(attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME))
            + ":"
            + attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
    synchronized (UNLISTED) {
      SEEN.add(operation);
      if (!LISTED.contains(operation)) {
        UNLISTED.add(operation);
      }
    }
  }

  /** The operations called since the last drain that the list lacks; clears them. */
  static List<String> drainUnlisted() {
    synchronized (UNLISTED) {
      List<String> out = List.copyOf(UNLISTED);
      UNLISTED.clear();
      return out;
    }
  }

  /**
   * Runs test set-up or clean-up whose AWS calls dbrecover itself never makes (a live test deleting
   * what it restored); those calls are not held against the list.
   */
  static void outsideTheList(Runnable calls) {
    synchronized (UNLISTED) {
      int before = UNLISTED.size();
      calls.run();
      UNLISTED.subList(before, UNLISTED.size()).clear();
    }
  }

  /** Every operation called so far in this JVM, as {@code <iam prefix>:<operation>}. */
  static Set<String> seen() {
    synchronized (UNLISTED) {
      return Set.copyOf(SEEN);
    }
  }

  /** The SDK's service name ({@code RDS}, {@code Secrets Manager}) as an IAM prefix. */
  static String prefix(String serviceName) {
    return serviceName.toLowerCase(Locale.ROOT).replace(" ", "");
  }

  static JsonNode list() {
    try (InputStream in = IamActionRecorder.class.getResourceAsStream(RESOURCE)) {
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code <iam prefix>:<SDK operation>} for every operation the list names. */
  static Set<String> listedOperations() {
    Set<String> ops = new HashSet<>();
    for (JsonNode entry : list().get("actions")) {
      String prefix = entry.get("action").asText().split(":")[0];
      entry.get("operations").forEach(op -> ops.add(prefix + ":" + op.asText()));
    }
    return ops;
  }

  /** Fails a test whose code called an operation the list lacks. */
  public static final class Check implements AfterEachCallback {
    @Override
    public void afterEach(ExtensionContext context) {
      List<String> unlisted = drainUnlisted();
      if (!unlisted.isEmpty()) {
        throw new AssertionError(
            "the code called AWS operations that "
                + RESOURCE
                + " does not list: "
                + new java.util.TreeSet<>(unlisted)
                + "; add an entry per IAM action (with usedFor) and the IAM permissions table in"
                + " docs/providers/aws.md");
      }
    }
  }
}
