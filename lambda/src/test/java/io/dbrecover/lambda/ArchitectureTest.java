package io.dbrecover.lambda;

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
  void lambda_usesEngineApiOnly() {
    noClasses()
        .that()
        .resideInAPackage("io.dbrecover.lambda..")
        .and()
        .haveNameNotMatching(".*\\.Dagger.*|.*_.*")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.dbrecover.engine.internal..", "io.dbrecover.engine.spi..")
        .because("the Lambda is a thin shell over the engine api, as the CLI is")
        .check(CLASSES);
  }

  @Test
  void alarmEntry_neverReachesTheEngineOrAProvider() {
    noClasses()
        .that()
        .haveFullyQualifiedName(AlarmHandler.class.getName())
        .or()
        .haveFullyQualifiedName("io.dbrecover.lambda.DaggerAlarmComponent")
        .should()
        .transitivelyDependOnClassesThat()
        .resideInAnyPackage(
            "io.dbrecover.postgres..",
            "io.dbrecover.aws..",
            "io.dbrecover.neon..",
            "software.amazon.awssdk.services.rds..")
        .orShould()
        .transitivelyDependOnClassesThat()
        .haveFullyQualifiedName("io.dbrecover.engine.api.RecoveryEngine")
        .because("the alarm entry ships in a small jar without the providers (see lambda/pom.xml)")
        .check(CLASSES);
  }
}
