package io.dbrecover.cli;

import java.text.Normalizer;
import java.util.List;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Loads and initialises, on a background thread while the command line is parsed and the
 * configuration read, what the first database connection needs: the JDBC driver's connection and
 * SCRAM classes and the JDK's PBKDF2, HMAC and Unicode normalisation behind them. The first
 * connection then takes a fraction of its otherwise 0.1-0.2 s. Best effort: a failure only means
 * the classes load when they are first used, as they would anyway.
 */
final class Warmup {
  private static final List<String> CLASSES =
      List.of(
          "org.postgresql.Driver",
          "org.postgresql.jdbc.PgConnection",
          "org.postgresql.core.v3.ConnectionFactoryImpl",
          "org.postgresql.core.v3.QueryExecutorImpl",
          "org.postgresql.core.v3.ScramAuthenticator",
          "org.postgresql.core.v3.AuthenticationPluginManager",
          "org.postgresql.core.PGStream",
          "org.postgresql.core.Parser",
          "org.postgresql.core.SetupQueryRunner",
          "org.postgresql.shaded.com.ongres.scram.client.ScramClient",
          "org.postgresql.shaded.com.ongres.scram.client.ServerFirstProcessor",
          "org.postgresql.shaded.com.ongres.scram.client.ClientFinalProcessor",
          "org.postgresql.shaded.com.ongres.scram.common.ScramFunctions",
          "org.postgresql.shaded.com.ongres.scram.common.StringPreparation",
          "org.postgresql.shaded.com.ongres.scram.common.ClientFirstMessage",
          "org.postgresql.jdbc.PgStatement",
          "org.postgresql.jdbc.PgResultSet",
          "org.postgresql.jdbc.PgDatabaseMetaData");

  private Warmup() {}

  /** Starts the warm-up on a daemon thread (it never delays the exit). */
  static void start() {
    Thread t = new Thread(Warmup::run, "dbrecover-warmup");
    t.setDaemon(true);
    t.setPriority(Thread.MIN_PRIORITY);
    t.start();
  }

  private static void run() {
    try {
      ClassLoader loader = Warmup.class.getClassLoader();
      for (String name : CLASSES) {
        Class.forName(name, true, loader);
      }
      // SCRAM-SHA-256 (PostgreSQL's default password method): SASLprep, then PBKDF2 and HMAC.
      Normalizer.normalize("warm-up", Normalizer.Form.NFKC);
      SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
          .generateSecret(new PBEKeySpec("warm-up".toCharArray(), new byte[16], 4096, 256));
    } catch (ReflectiveOperationException | java.security.GeneralSecurityException | Error e) {
      // nothing to do: the classes load on first use instead
    }
  }
}
