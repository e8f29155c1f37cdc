package io.dbrecover.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class ArchitectureTest {
  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.dbrecover");

  @Test
  void cli_usesEngineApiOnly() {
    noClasses()
        .that()
        .resideInAPackage("io.dbrecover.cli..")
        .and()
        .haveNameNotMatching(".*\\.Dagger.*|.*_.*")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.dbrecover.engine.internal..", "io.dbrecover.engine.spi..")
        .because("the CLI is a thin shell over the engine api; providers plug in through Dagger")
        .check(CLASSES);
  }

  @Test
  void providers_neverReachIntoEngineInternals() {
    noClasses()
        .that()
        .resideInAnyPackage("io.dbrecover.postgres..", "io.dbrecover.aws..", "io.dbrecover.neon..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.dbrecover.engine.internal..")
        .because("providers see the engine's api and spi only, so the engine can change freely")
        .check(CLASSES);
  }

  @Test
  void engine_knowsNoProviderAndNoCli() {
    noClasses()
        .that()
        .resideInAPackage("io.dbrecover.engine..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.dbrecover.postgres..",
            "io.dbrecover.aws..",
            "io.dbrecover.neon..",
            "io.dbrecover.cli..",
            "picocli..")
        .because("the engine is provider-neutral and shared by the CLI and the Lambda")
        .check(CLASSES);
  }

  @Test
  void spiAndApi_neverDependOnInternal() {
    noClasses()
        .that()
        .resideInAnyPackage("io.dbrecover.engine.spi..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.dbrecover.engine.internal..")
        .because("the SPI is the providers' contract and must not leak engine internals")
        .check(CLASSES);
  }

  @Test
  void cli_usesForwardFixApiOnly() {
    noClasses()
        .that()
        .resideInAPackage("io.dbrecover.cli..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.dbrecover.forwardfix.internal..")
        .because("the forward-fix catalog model and diff may change without touching the CLI")
        .check(CLASSES);
  }

  @Test
  void forwardFix_seesEngineApiAndSpiOnly() {
    noClasses()
        .that()
        .resideInAPackage("io.dbrecover.forwardfix..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.dbrecover.engine.internal..",
            "io.dbrecover.postgres..",
            "io.dbrecover.cli..",
            "picocli..")
        .because("forward-fix works on any provider's database through JDBC; the CLI wires it")
        .check(CLASSES);
  }
}
