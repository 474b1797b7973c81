package io.keyport.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyport.identity.SignedIn;
import io.keyport.keys.CreditsView;
import io.keyport.keys.KeyScopes;
import io.keyport.keys.KeyStatus;
import io.keyport.keys.KeyView;
import io.keyport.keys.RefillInterval;
import io.keyport.web.portal.MyKeys;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.ConversationScoped;
import jakarta.enterprise.context.RequestScoped;
import jakarta.enterprise.context.SessionScoped;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.lang.annotation.Annotation;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What the portal keeps in an HTTP session travels between nodes (web.xml is distributable): the
 * signed-in record and every view- or session-scoped bean must serialise, and come back usable. The
 * Faces view state and the beans in a real session are tested end to end by FailoverIT.
 */
class SessionStateTest {

  private static final List<Class<? extends Annotation>> PASSIVATING_SCOPES =
      List.of(ViewScoped.class, SessionScoped.class, ConversationScoped.class);
  private static final List<Class<? extends Annotation>> NORMAL_SCOPES =
      List.of(ApplicationScoped.class, RequestScoped.class, SessionScoped.class);

  @Test
  void theSignedInRecordSurvivesSerialisation() throws Exception {
    SignedIn signedIn = new SignedIn("dev@example.com", Set.copyOf(List.of("developer", "admin")));
    assertEquals(signedIn, roundTrip(signedIn));
  }

  @Test
  void theKeyListKeepsItsKeysThroughSerialisation() throws Exception {
    MyKeys page = new MyKeys();
    KeyView key =
        new KeyView(
            UUID.randomUUID(),
            "ci",
            "petstore",
            "Pet Store",
            "gold",
            "Gold",
            "kp_9fA2…",
            Map.copyOf(Map.of("team", "payments")),
            Instant.parse("2026-11-28T16:00:00Z"),
            null,
            null,
            KeyStatus.ACTIVE,
            List.of("203.0.113.0/24"),
            new KeyScopes(List.of("GET"), List.of("/pets")),
            new CreditsView(50, 100L, RefillInterval.DAILY, Instant.parse("2026-11-29T00:00:00Z")));
    page.setFiltered(new ArrayList<>(List.of(key)));
    MyKeys restored = roundTrip(page);
    assertEquals(List.of(key), restored.getFiltered());
  }

  /**
   * Every bean of a passivating scope in the web layer: serialisable, no transient injection (it
   * would be null on the node the session moves to), and every injected bean normal-scoped, whose
   * client proxy serialises and finds the bean again on the other node.
   */
  @Test
  void beansKeptInTheSessionSerialiseAndKeepTheirInjections() throws Exception {
    List<Class<?>> kept = sessionBeans();
    assertTrue(kept.contains(MyKeys.class), "found no view-scoped beans: " + kept);
    List<String> faults = new ArrayList<>();
    for (Class<?> bean : kept) {
      if (!Serializable.class.isAssignableFrom(bean)) {
        faults.add(bean.getName() + " is not Serializable");
      }
      for (Field field : bean.getDeclaredFields()) {
        if (!field.isAnnotationPresent(Inject.class)) {
          continue;
        }
        String where = bean.getSimpleName() + "." + field.getName();
        if (Modifier.isTransient(field.getModifiers())) {
          faults.add(where + " is a transient injection: null after the session moves");
        } else if (NORMAL_SCOPES.stream().noneMatch(field.getType()::isAnnotationPresent)) {
          faults.add(where + " injects " + field.getType().getName() + ", not normal-scoped");
        }
      }
    }
    assertEquals(List.of(), faults);
  }

  private static List<Class<?>> sessionBeans() throws IOException, URISyntaxException {
    Path classes =
        Path.of(MyKeys.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path web = classes.resolve("io/keyport/web");
    List<Class<?>> beans = new ArrayList<>();
    try (Stream<Path> files = Files.walk(web)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
        String name = classes.relativize(file).toString().replace('/', '.').replace(".class", "");
        Class<?> type;
        try {
          type = Class.forName(name, false, SessionStateTest.class.getClassLoader());
        } catch (ClassNotFoundException e) {
          throw new IllegalStateException(e);
        }
        if (PASSIVATING_SCOPES.stream().anyMatch(type::isAnnotationPresent)) {
          beans.add(type);
        }
      }
    }
    assertFalse(beans.isEmpty(), "no session beans under " + web);
    return beans;
  }

  @SuppressWarnings("unchecked")
  private static <T> T roundTrip(T value) throws IOException, ClassNotFoundException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (T) in.readObject();
    }
  }
}
