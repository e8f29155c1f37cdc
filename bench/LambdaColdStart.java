import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The cold-start probe of bench/lambda-cold-start.sh: in a fresh JVM, constructs a handler as the
 * Lambda runtime does (class init + public constructor: the init phase) and invokes it once with
 * an event file. Prints the milliseconds from JVM start to handler ready, and of the first call.
 */
public final class LambdaColdStart {
  public static void main(String[] args) throws Exception {
    long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
    RequestStreamHandler handler =
        (RequestStreamHandler) Class.forName(args[0]).getConstructor().newInstance();
    long ready = System.currentTimeMillis();
    byte[] event = Files.readAllBytes(Path.of(args[1]));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    handler.handleRequest(new ByteArrayInputStream(event), out, null);
    long answered = System.currentTimeMillis();
    System.err.println(out);
    System.out.println("init_ms=" + (ready - jvmStart) + " first_ms=" + (answered - ready));
  }
}
