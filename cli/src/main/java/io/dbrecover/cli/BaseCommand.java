package io.dbrecover.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.dbrecover.engine.api.DbRecoverConfig;
import io.dbrecover.engine.api.RecoveryEngine;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every subcommand shares: the engine, the configuration, and text or JSON output. */
@Command(mixinStandardHelpOptions = true)
abstract class BaseCommand implements Callable<Integer> {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .registerModule(new Jdk8Module())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .enable(SerializationFeature.INDENT_OUTPUT);

  @Spec CommandSpec spec;

  /** The top-level command, also for commands nested below a group such as {@code pitr}. */
  DbRecoverCommand root() {
    return (DbRecoverCommand) spec.root().userObject();
  }

  RecoveryEngine engine() {
    return root().engine();
  }

  DbRecoverConfig config() {
    return root().loadConfig();
  }

  boolean json() {
    return root().output == DbRecoverCommand.Format.JSON;
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  /** Prints {@code value} as JSON in JSON mode, else {@code text}. */
  void print(Object value, String text) {
    if (json()) {
      try {
        out().println(JSON.writeValueAsString(value));
      } catch (JsonProcessingException e) {
        throw new UncheckedIOException(e);
      }
    } else {
      out().print(text);
    }
    out().flush();
  }

  static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A JSON file as a tree, to embed in a document of the command's own. */
  static com.fasterxml.jackson.databind.JsonNode readJson(java.nio.file.Path file)
      throws java.io.IOException {
    return JSON.readTree(file.toFile());
  }

  ConsoleInteraction interaction() {
    return new ConsoleInteraction(err(), System.in, root().engine().clock());
  }
}
