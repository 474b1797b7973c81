package io.keyport.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyport.keys.CreatedKey;
import io.keyport.keys.RolledKey;
import io.keyport.web.portal.MyKeys;
import io.keyport.web.portal.NewKeyDialog;
import io.keyport.web.portal.RollKeyDialog;
import jakarta.enterprise.context.ConversationScoped;
import jakarta.enterprise.context.RequestScoped;
import jakarta.enterprise.context.SessionScoped;
import jakarta.faces.view.ViewScoped;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A password (temporary or typed) or a key's value (made or rolled) never sits in a bean that lives
 * in the view state or the session, which outlive the response and travel between nodes (state is
 * saved on the server, in the session); request-scoped holders show it once. On the pages the value
 * is template text, which Facelets never saves in a view's state.
 */
class SecretsOutOfStateTest {

  /** The types that carry a key's value, shown once. */
  private static final Set<Class<?>> KEY_VALUES = Set.of(CreatedKey.class, RolledKey.class);

  @Test
  void noViewOrSessionScopedBeanHoldsAPassword() throws Exception {
    List<String> holders = new ArrayList<>();
    for (Class<?> type : lastingBeans()) {
      for (Field field : type.getDeclaredFields()) {
        String lower = field.getName().toLowerCase(Locale.ROOT);
        if ((lower.contains("password") || lower.contains("secret"))
            && field.getType() == String.class) {
          holders.add(type.getSimpleName() + "." + field.getName());
        }
      }
    }
    assertEquals(List.of(), holders);
  }

  @Test
  void noViewOrSessionScopedBeanHoldsAKeyValueMadeOrRolled() throws Exception {
    List<String> holders = new ArrayList<>();
    for (Class<?> type : lastingBeans()) {
      for (Field field : type.getDeclaredFields()) {
        String lower = field.getName().toLowerCase(Locale.ROOT);
        if (KEY_VALUES.contains(field.getType())
            || (field.getType() == String.class
                && (lower.contains("keyvalue")
                    || lower.equals("value")
                    || lower.equals("apikey")))) {
          holders.add(type.getSimpleName() + "." + field.getName());
        }
      }
    }
    assertEquals(List.of(), holders);
    assertTrue(NewKeyDialog.class.isAnnotationPresent(RequestScoped.class));
    assertTrue(RollKeyDialog.class.isAnnotationPresent(RequestScoped.class));
  }

  @Test
  void thePagesWriteAKeyValueAsTemplateTextOnly() throws Exception {
    Pattern valueInText =
        Pattern.compile(">\\s*#\\{(newKeyDialog|rollKeyDialog)\\.keyValue}\\s*</code>");
    Pattern anyUse = Pattern.compile("#\\{[^}]*\\.keyValue}");
    List<String> uses = new ArrayList<>();
    int shown = 0;
    try (Stream<Path> pages = Files.walk(Path.of("src/main/webapp"))) {
      for (Path page : pages.filter(p -> p.toString().endsWith(".xhtml")).toList()) {
        String text = Files.readString(page);
        Matcher use = anyUse.matcher(text);
        while (use.find()) {
          uses.add(page.getFileName() + ": " + use.group());
        }
        Matcher shownAsText = valueInText.matcher(text);
        while (shownAsText.find()) {
          shown++;
        }
      }
    }
    assertEquals(
        2, uses.size(), "the new-key and roll dialogs show the value, nothing else: " + uses);
    assertEquals(uses.size(), shown, "a key value outside a <code> element's text: " + uses);
  }

  private static List<Class<?>> lastingBeans() throws Exception {
    Path classes =
        Path.of(MyKeys.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<Class<?>> lasting = new ArrayList<>();
    try (Stream<Path> files = Files.walk(classes.resolve("io/keyport/web"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
        String name = classes.relativize(file).toString().replace('/', '.').replace(".class", "");
        Class<?> type = Class.forName(name, false, SecretsOutOfStateTest.class.getClassLoader());
        if (type.isAnnotationPresent(ViewScoped.class)
            || type.isAnnotationPresent(SessionScoped.class)
            || type.isAnnotationPresent(ConversationScoped.class)) {
          lasting.add(type);
        }
      }
    }
    return lasting;
  }
}
