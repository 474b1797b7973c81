package io.keyport.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keyport.web.portal.MyKeys;
import jakarta.enterprise.context.ConversationScoped;
import jakarta.enterprise.context.SessionScoped;
import jakarta.faces.view.ViewScoped;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A password (temporary or typed) never sits in a bean that lives in the view state or the session,
 * which outlive the response and travel between nodes; request-scoped holders show it once.
 */
class SecretsOutOfStateTest {

  @Test
  void noViewOrSessionScopedBeanHoldsAPassword() throws Exception {
    Path classes =
        Path.of(MyKeys.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> holders = new ArrayList<>();
    try (Stream<Path> files = Files.walk(classes.resolve("io/keyport/web"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
        String name = classes.relativize(file).toString().replace('/', '.').replace(".class", "");
        Class<?> type = Class.forName(name, false, getClass().getClassLoader());
        boolean lasting =
            type.isAnnotationPresent(ViewScoped.class)
                || type.isAnnotationPresent(SessionScoped.class)
                || type.isAnnotationPresent(ConversationScoped.class);
        if (!lasting) {
          continue;
        }
        for (Field field : type.getDeclaredFields()) {
          String lower = field.getName().toLowerCase(Locale.ROOT);
          if ((lower.contains("password") || lower.contains("secret"))
              && field.getType() == String.class) {
            holders.add(type.getSimpleName() + "." + field.getName());
          }
        }
      }
    }
    assertEquals(List.of(), holders);
  }
}
