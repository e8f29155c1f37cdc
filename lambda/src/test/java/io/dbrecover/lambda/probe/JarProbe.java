package io.dbrecover.lambda.probe;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs in a child JVM whose class path is a packaged Lambda jar and this class only: constructs the
 * handler named by the first argument as the Lambda runtime does, invokes it once with the event in
 * the file named by the second, and prints its answer.
 */
public final class JarProbe {
  private JarProbe() {}

  public static void main(String[] args) throws Exception {
    RequestStreamHandler handler =
        (RequestStreamHandler) Class.forName(args[0]).getConstructor().newInstance();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    handler.handleRequest(
        new ByteArrayInputStream(Files.readAllBytes(Path.of(args[1]))), out, null);
    System.out.println(out.toString(StandardCharsets.UTF_8));
  }
}
