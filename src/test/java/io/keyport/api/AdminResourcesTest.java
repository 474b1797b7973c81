package io.keyport.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Path;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every admin resource carries its own role check, not only web.xml's URL constraint. */
class AdminResourcesTest {

  @Test
  void everyAdminClassOfTheApiAllowsOnlyAdmins() throws Exception {
    List<Class<?>> admin = adminClasses();
    assertFalse(admin.isEmpty(), "the api package has admin resources");
    for (Class<?> resource : admin) {
      RolesAllowed allowed = resource.getAnnotation(RolesAllowed.class);
      assertNotNull(allowed, resource.getName() + " carries @RolesAllowed(\"admin\")");
      assertArrayEquals(new String[] {"admin"}, allowed.value(), resource.getName());
    }
  }

  @Test
  void everyOtherResourceOfTheApiNamesItsRolesToo() throws Exception {
    for (Class<?> resource : classes()) {
      if (resource.isAnnotationPresent(Path.class)) {
        assertNotNull(
            resource.getAnnotation(RolesAllowed.class),
            resource.getName() + " carries @RolesAllowed");
      }
    }
  }

  private static List<Class<?>> adminClasses() throws Exception {
    return classes().stream().filter(c -> c.getSimpleName().startsWith("Admin")).toList();
  }

  private static List<Class<?>> classes() throws IOException {
    var folder =
        Paths.get(
            RolesCheck.class.getProtectionDomain().getCodeSource().getLocation().getPath(),
            "io",
            "keyport",
            "api");
    try (Stream<java.nio.file.Path> files = Files.list(folder)) {
      return files
          .map(f -> f.getFileName().toString())
          .filter(n -> n.endsWith(".class") && !n.contains("$"))
          .<Class<?>>map(
              n -> load("io.keyport.api." + n.substring(0, n.length() - ".class".length())))
          .toList();
    }
  }

  private static Class<?> load(String name) {
    try {
      return Class.forName(name);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
  }
}
