package io.keyport;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dependency rules of STYLE.md, read from the compiled classes: capability packages in one
 * direction only, the front doors on the outside, start-up in a room of its own.
 */
class ArchitectureTest {

  private static final String[] CAPABILITIES = {
    "io.keyport.catalog..",
    "io.keyport.keys..",
    "io.keyport.identity..",
    "io.keyport.check..",
    "io.keyport.limits..",
    "io.keyport.mirror..",
    "io.keyport.audit..",
    "io.keyport.notifications..",
    "io.keyport.leaks..",
    "io.keyport.platform.."
  };

  private static JavaClasses main;

  @BeforeAll
  static void importMain() {
    main =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.keyport");
  }

  @Test
  void noPackageDependsOnItselfThroughAnother() {
    slices().matching("io.keyport.(**)").should().beFreeOfCycles().check(main);
  }

  @Test
  void capabilitiesNeverReachTheFrontDoorsOrStartUp() {
    noClasses()
        .that()
        .resideInAnyPackage(CAPABILITIES)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.keyport.web..", "io.keyport.api..", "io.keyport.startup..")
        .check(main);
  }

  @Test
  void theTwoFrontDoorsAreIndependent() {
    noClasses()
        .that()
        .resideInAPackage("io.keyport.web..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.keyport.api..")
        .check(main);
    noClasses()
        .that()
        .resideInAPackage("io.keyport.api..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.keyport.web..")
        .check(main);
  }

  @Test
  void platformServesEveryCapabilityAndKnowsNone() {
    noClasses()
        .that()
        .resideInAPackage("io.keyport.platform..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.keyport.catalog..",
            "io.keyport.keys..",
            "io.keyport.identity..",
            "io.keyport.check..",
            "io.keyport.limits..",
            "io.keyport.mirror..",
            "io.keyport.audit..",
            "io.keyport.notifications..")
        .check(main);
  }

  @Test
  void notificationsKnowNoCapabilityThatTellsThem() {
    // keys, identity and the others call notifications inside their transactions; the outbox
    // reads what its sweeps need with SQL, so it never reaches back into them.
    noClasses()
        .that()
        .resideInAPackage("io.keyport.notifications..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.keyport.catalog..",
            "io.keyport.keys..",
            "io.keyport.identity..",
            "io.keyport.check..",
            "io.keyport.limits..",
            "io.keyport.mirror..")
        .check(main);
  }

  @Test
  void entitiesAreNoBeansServletsOrRestTypes() {
    noClasses()
        .that()
        .areAnnotatedWith(jakarta.persistence.Entity.class)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "jakarta.servlet..",
            "jakarta.ws.rs..",
            "jakarta.faces..",
            "jakarta.enterprise..",
            "io.keyport.web..",
            "io.keyport.api..")
        .check(main);
  }

  @Test
  void theCheckNeverOpensATransaction() {
    noClasses()
        .that()
        .resideInAPackage("io.keyport.check..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("jakarta.transaction..", "jakarta.persistence..")
        .check(main);
  }
}
