package io.dbrecover.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.bertramlabs.plugins.hcl4j.HCLParser;
import com.fasterxml.jackson.databind.JsonNode;
import io.dbrecover.engine.api.ConfigLoader;
import io.dbrecover.engine.api.DbRecoverConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Terraform under terraform/, checked without terraform or its providers: every file parses as
 * HCL2, every variable referenced is declared, every module an example uses resolves and gets only
 * (and all required) declared variables, and the recovery role grants exactly the actions the
 * packaged providers call, none with a wildcard.
 */
class TerraformTest {
  static final Path ROOT = Path.of("../terraform");
  private static final Pattern VAR_REF = Pattern.compile("\\bvar\\.([A-Za-z_][A-Za-z0-9_]*)");
  private static final Pattern IAM_ACTION = Pattern.compile("\"([a-z0-9-]+:[A-Za-z0-9*]+)\"");

  static List<Path> tfFiles(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(p -> p.toString().endsWith(".tf")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Directories holding .tf files: the modules and the examples. */
  static List<Path> configurations() {
    return tfFiles(ROOT).stream().map(Path::getParent).distinct().sorted().toList();
  }

  /** hcl4j's parse (strict: evaluation errors fail), after a lexical check it does not make. */
  static Map<String, Object> parse(Path file) {
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      HclLexicalCheck.check(file.toString(), text);
      return new HCLParser().parse(file.toFile(), "UTF-8", false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (com.bertramlabs.plugins.hcl4j.HCLParserException e) {
      throw new AssertionError(file + " is not HCL2: " + e.getMessage(), e);
    }
  }

  /** All files of a configuration merged by top-level block type. */
  @SuppressWarnings("unchecked")
  static Map<String, Map<String, Object>> blocks(Path dir) {
    Map<String, Map<String, Object>> out = new TreeMap<>();
    for (Path f : tfFiles(dir)) {
      if (!f.getParent().equals(dir)) {
        continue;
      }
      for (Map.Entry<String, Object> e : parse(f).entrySet()) {
        if (e.getValue() instanceof Map) {
          merge(
              out.computeIfAbsent(e.getKey(), k -> new TreeMap<>()),
              (Map<String, Object>) e.getValue());
        }
      }
    }
    return out;
  }

  /** Blocks of one type from several files: {@code data.aws_iam_policy_document} from each. */
  @SuppressWarnings("unchecked")
  private static void merge(Map<String, Object> into, Map<String, Object> from) {
    for (Map.Entry<String, Object> e : from.entrySet()) {
      Object existing = into.get(e.getKey());
      if (existing instanceof Map && e.getValue() instanceof Map) {
        Map<String, Object> copy = new TreeMap<>((Map<String, Object>) existing);
        merge(copy, (Map<String, Object>) e.getValue());
        into.put(e.getKey(), copy);
      } else {
        into.put(e.getKey(), e.getValue());
      }
    }
  }

  @Test
  void everyTfFile_parsesAsHcl2() {
    List<Path> files = tfFiles(ROOT);

    assertThat(files).hasSizeGreaterThanOrEqualTo(15);
    for (Path f : files) {
      assertThat(parse(f)).as(f.toString()).isNotEmpty();
    }
  }

  @Test
  void lexicalCheck_unclosedBlockOrString_rejected() {
    assertThatThrownBy(() -> HclLexicalCheck.check("a.tf", "variable \"x\" {\n  default = 1\n"))
        .hasMessage("a.tf: 1 '{' never closed");
    assertThatThrownBy(() -> HclLexicalCheck.check("b.tf", "locals {\n  a = \"open\n}\n"))
        .hasMessage("b.tf:2: string not closed on its line");
    assertThatThrownBy(() -> HclLexicalCheck.check("c.tf", "locals {\n  a = [1, 2\n}\n"))
        .hasMessage("c.tf:3: '}' closes '['");
  }

  @Test
  void everyModule_hasTheConventionFilesAndDescribesEveryVariableAndOutput() {
    for (Path module : modules()) {
      for (String f : List.of("variables.tf", "outputs.tf", "versions.tf")) {
        assertThat(module.resolve(f)).as(module + " has " + f).exists();
      }
      Map<String, Map<String, Object>> b = blocks(module);
      for (String kind : List.of("variable", "output")) {
        b.getOrDefault(kind, Map.of())
            .forEach(
                (name, body) ->
                    assertThat(((Map<?, ?>) body).get("description"))
                        .as(module + ": " + kind + " " + name + " has a description")
                        .isNotNull());
      }
    }
  }

  @Test
  void everyReferencedVariable_isDeclaredInItsConfiguration() throws IOException {
    for (Path dir : configurations()) {
      Set<String> declared = blocks(dir).getOrDefault("variable", Map.of()).keySet();
      Set<String> referenced = new TreeSet<>();
      for (Path f : tfFiles(dir)) {
        if (!f.getParent().equals(dir)) {
          continue;
        }
        Matcher m = VAR_REF.matcher(withoutComments(Files.readString(f)));
        while (m.find()) {
          referenced.add(m.group(1));
        }
      }
      assertThat(declared)
          .as(dir + ": variables referenced but not declared")
          .containsAll(referenced);
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void examples_moduleSourcesResolve_andGetAllRequiredAndOnlyDeclaredVariables() {
    int modulesUsed = 0;
    for (Path dir : configurations()) {
      if (!dir.startsWith(ROOT.resolve("examples"))) {
        continue;
      }
      for (Map.Entry<String, Object> use :
          blocks(dir).getOrDefault("module", Map.of()).entrySet()) {
        modulesUsed++;
        Map<String, Object> args = (Map<String, Object>) use.getValue();
        Path source = dir.resolve(String.valueOf(args.get("source"))).normalize();
        assertThat(source).as(dir + ": module " + use.getKey() + " source").isDirectory();
        assertThat(tfFiles(source)).as(source + " holds a module").isNotEmpty();
        Map<String, Object> variables = blocks(source).get("variable");
        Set<String> passed = new TreeSet<>(args.keySet());
        passed.removeAll(
            Set.of("source", "version", "providers", "depends_on", "count", "for_each"));
        assertThat(variables.keySet()).as(dir + ": module " + use.getKey()).containsAll(passed);
        Set<String> required =
            variables.entrySet().stream()
                .filter(v -> !((Map<?, ?>) v.getValue()).containsKey("default"))
                .map(Map.Entry::getKey)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(passed).as(dir + ": module " + use.getKey() + " required").containsAll(required);
      }
    }
    assertThat(modulesUsed).isGreaterThanOrEqualTo(2);
  }

  @Test
  void recoveryRole_grantsExactlyTheProvidersActions_noneWithAWildcard() throws IOException {
    Set<String> granted = policyActions(ROOT.resolve("modules/recovery"), "recovery");
    JsonNode listed =
        Harness.JSON.readTree(ROOT.resolve("modules/recovery/provider-actions.json").toFile());
    Set<String> infrastructure = new TreeSet<>();
    listed.get("infrastructure").forEach(a -> infrastructure.add(a.asText()));
    Set<String> providerActions = providerActions(listed);

    Set<String> grantedForProviders = new TreeSet<>(granted);
    grantedForProviders.removeAll(infrastructure);

    assertThat(grantedForProviders).isEqualTo(providerActions);
    assertThat(infrastructure)
        .containsAll(granted.stream().filter(a -> !providerActions.contains(a)).toList());
    assertThat(granted).allSatisfy(a -> assertThat(a).doesNotContain("*"));
  }

  @Test
  void approverPolicy_answersTasksAndTouchesOnlyTheApprovalItems_andIsAnOutput()
      throws IOException {
    Path module = ROOT.resolve("modules/recovery");

    assertThat(policyActions(module, "approver"))
        .containsExactlyInAnyOrder(
            "states:SendTaskSuccess",
            "states:SendTaskFailure",
            "dynamodb:GetItem",
            "dynamodb:Query",
            "dynamodb:PutItem");
    assertThat(Files.readString(module.resolve("iam.tf")))
        .contains("values   = [\"doc#approvals\", \"doc#approval-answers\"]");
    assertThat(blocks(module).get("output")).containsKey("approver_policy_json");
    assertThat(blocks(ROOT.resolve("examples/rds-data-corruption")).get("output"))
        .containsKey("approver_policy_json");
    // The step and snapshot role never answers an approval.
    assertThat(policyActions(module, "recovery")).doesNotContain("states:SendTaskSuccess");
  }

  @Test
  void everyPolicyInEveryModule_namesActionsWithoutWildcards() {
    for (Path module : modules()) {
      Map<String, Object> docs =
          asMap(blocks(module).getOrDefault("data", Map.of()).get("aws_iam_policy_document"));
      for (String doc : docs.keySet()) {
        Set<String> actions = policyActions(module, doc);
        assertThat(actions).as(module + " " + doc).isNotEmpty();
        assertThat(actions)
            .as(module + " " + doc)
            .allSatisfy(a -> assertThat(a).matches("[a-z0-9-]+:[A-Za-z0-9]+"));
      }
    }
  }

  @Test
  void exampleConfiguration_loadsAsTheLambdaLoadsIt() {
    DbRecoverConfig config =
        ConfigLoader.load(
            ROOT.resolve("examples/rds-data-corruption/dbrecover.yaml"),
            Map.of(
                "ORDERS_DATABASE_URL",
                "postgresql://dbrecover@orders.internal:5432/orders",
                "DBRECOVER_STATE_TABLE",
                "dbrecover-journal"));

    assertThat(config.environment("production").database().provider()).isEqualTo("rds");
    assertThat(config.environment("production").urlTarget().type()).isEqualTo("secretsmanager");
    assertThat(config.stateStore().type()).isEqualTo("dynamodb");
    assertThat(config.stateStore().options()).containsEntry("table", "dbrecover-journal");
  }

  /**
   * The actions the packaged providers call: from the providers' own machine-readable lists when
   * they ship any (providers/STAR/src/main/resources, a JSON file named like iam-actions), else
   * from terraform/modules/recovery/provider-actions.json.
   */
  static Set<String> providerActions(JsonNode listed) throws IOException {
    Set<String> out = new TreeSet<>();
    List<Path> shipped = new ArrayList<>();
    try (Stream<Path> files = Files.walk(Path.of("../providers"))) {
      files
          .filter(p -> p.toString().contains("/src/main/resources/"))
          .filter(p -> p.getFileName().toString().matches("(?i).*iam.*actions.*\\.json"))
          .forEach(shipped::add);
    }
    if (!shipped.isEmpty()) {
      for (Path f : shipped) {
        Matcher m = IAM_ACTION.matcher(Files.readString(f));
        while (m.find()) {
          out.add(m.group(1));
        }
      }
      return out;
    }
    listed.get("aws").forEach(service -> service.forEach(a -> out.add(a.asText())));
    return out;
  }

  /** Every string in an "actions" list of a policy document, dynamic statements included. */
  static Set<String> policyActions(Path module, String document) {
    Object doc =
        asMap(blocks(module).getOrDefault("data", Map.of()).get("aws_iam_policy_document"))
            .get(document);
    assertThat(doc).as(module + ": policy document " + document).isNotNull();
    Set<String> out = new TreeSet<>();
    collect(doc, out);
    return out;
  }

  private static void collect(Object node, Set<String> out) {
    if (node instanceof Map) {
      for (Map.Entry<?, ?> e : ((Map<?, ?>) node).entrySet()) {
        if ("actions".equals(e.getKey()) && e.getValue() instanceof Collection) {
          ((Collection<?>) e.getValue()).forEach(a -> out.add(String.valueOf(a)));
        } else {
          collect(e.getValue(), out);
        }
      }
    } else if (node instanceof Collection) {
      ((Collection<?>) node).forEach(n -> collect(n, out));
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Object o) {
    return o instanceof Map ? (Map<String, Object>) o : Map.of();
  }

  private static List<Path> modules() {
    return configurations().stream().filter(d -> d.startsWith(ROOT.resolve("modules"))).toList();
  }

  private static String withoutComments(String text) {
    return text.lines()
        .filter(l -> !l.stripLeading().startsWith("#") && !l.stripLeading().startsWith("//"))
        .collect(Collectors.joining("\n"));
  }
}
