package io.keyport.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.keyport.api.gloo.GlooPortalApi;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.ext.Provider;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The two REST applications list their classes (see {@link RestApi#RESOURCES}): every resource of
 * the WAR is in exactly one, every provider in both, so nothing is served twice or not at all.
 */
class RestApplicationsTest {

  private final Set<JavaClass> classes =
      new ClassFileImporter()
              .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
              .importPackages("io.keyport")
              .stream()
              .collect(java.util.stream.Collectors.toSet());

  @Test
  void everyResourceIsInExactlyOneApplication() {
    Set<String> resources = names(classes.stream().filter(c -> c.isAnnotatedWith(Path.class)));
    Set<String> keyport = names(RestApi.RESOURCES);
    Set<String> gloo = names(GlooPortalApi.RESOURCES);
    Set<String> both = new TreeSet<>(keyport);
    both.retainAll(gloo);
    assertEquals(Set.of(), both, "in both applications");
    Set<String> listed = new TreeSet<>(keyport);
    listed.addAll(gloo);
    assertEquals(resources, listed, "resources (left) and what the applications list (right)");
  }

  @Test
  void everyProviderServesBothApplications() {
    Set<String> providers = names(classes.stream().filter(c -> c.isAnnotatedWith(Provider.class)));
    assertEquals(providers, names(RestApi.PROVIDERS));
    Set<String> glooClasses = names(new GlooPortalApi().getClasses());
    assertTrue(glooClasses.containsAll(providers), glooClasses::toString);
    assertTrue(names(new RestApi().getClasses()).containsAll(providers));
  }

  private static Set<String> names(java.util.stream.Stream<JavaClass> classes) {
    return classes
        .map(JavaClass::getName)
        .collect(java.util.stream.Collectors.toCollection(TreeSet::new));
  }

  private static Set<String> names(Set<Class<?>> classes) {
    Set<String> names = new TreeSet<>();
    classes.forEach(c -> names.add(c.getName()));
    return names;
  }
}
