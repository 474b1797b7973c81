package io.keyport.testsupport;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestInstancePostProcessor;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * One Keyport node per {@link ServerConfig} for the whole test run, shared by every class that asks
 * for it: {@code @ExtendWith(KeyportServers.class)} on the class and a {@link Shared} field or
 * parameter of type {@link KeyportServer} or {@link URL}. A node starts the first time a class asks
 * for its configuration (all the configurations a class asks for start at once, side by side), or
 * earlier, in the background once the first node is up, when the run's plan shows a later class
 * will ask ({@link RunPlan}); it stops when the run ends, with the run's Redis and OpenID Connect
 * provider; they live in the root extension context's store, which JUnit closes after the last
 * test.
 *
 * <p>Before each test the parts the class's nodes use are brought back if an earlier test killed
 * them and failed before restarting them (Redis), so one failure does not cascade.
 */
public final class KeyportServers
    implements BeforeAllCallback, TestInstancePostProcessor, ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(KeyportServers.class);
  static final Duration START_PATIENCE = Duration.ofSeconds(600);

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    Class<?> test = context.getRequiredTestClass();
    Running running = running(context);
    Map<ServerConfig, KeyportServer> servers = running.ensure(configsOf(test));
    if (cutsTheDatabaseLink(test)) {
      // Nodes launched ahead of need migrate and seed through the link: they finish first. A pair
      // launched while GrpcCheckIT froze the link never deployed, and ClusterIT waited for it.
      running.awaitLaunched();
    }
    for (Field field : sharedFields(test, f -> Modifier.isStatic(f.getModifiers()))) {
      inject(field, null, servers);
    }
  }

  @Override
  public void postProcessTestInstance(Object instance, ExtensionContext context) throws Exception {
    Map<ServerConfig, KeyportServer> servers =
        running(context).ensure(configsOf(instance.getClass()));
    for (Field field :
        sharedFields(instance.getClass(), f -> !Modifier.isStatic(f.getModifiers()))) {
      inject(field, instance, servers);
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return parameter.isAnnotated(Shared.class)
        && (type == KeyportServer.class || type == URL.class);
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    ServerConfig config = parameter.findAnnotation(Shared.class).orElseThrow().value();
    KeyportServer server;
    try {
      server = running(context).ensure(EnumSet.of(config)).get(config);
    } catch (IOException e) {
      throw new ParameterResolutionException("Keyport (" + config + ") did not start", e);
    }
    return parameter.getParameter().getType() == URL.class ? server.url() : server;
  }

  private static Running running(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(Running.class, type -> new Running(), Running.class);
  }

  /** Whether {@code test} runs on shared nodes ({@code @ExtendWith(KeyportServers.class)}). */
  static boolean isUsedBy(Class<?> test) {
    return AnnotationSupport.findRepeatableAnnotations(test, ExtendWith.class).stream()
        .anyMatch(extend -> List.of(extend.value()).contains(KeyportServers.class));
  }

  /** The configurations a class asks for, in its fields and its test methods' parameters. */
  static Set<ServerConfig> configsOf(Class<?> test) {
    Set<ServerConfig> configs = EnumSet.noneOf(ServerConfig.class);
    for (Field field : sharedFields(test, f -> true)) {
      configs.add(field.getAnnotation(Shared.class).value());
    }
    for (Method method :
        ReflectionSupport.findMethods(test, m -> true, HierarchyTraversalMode.TOP_DOWN)) {
      for (Parameter parameter : method.getParameters()) {
        Shared shared = parameter.getAnnotation(Shared.class);
        if (shared != null) {
          configs.add(shared.value());
        }
      }
    }
    return configs;
  }

  /** Whether the class holds {@link Locks#DATABASE_LINK} to write: it cuts or freezes the link. */
  static boolean cutsTheDatabaseLink(Class<?> test) {
    return AnnotationSupport.findRepeatableAnnotations(test, ResourceLock.class).stream()
        .anyMatch(
            lock ->
                Locks.DATABASE_LINK.equals(lock.value())
                    && lock.mode() == ResourceAccessMode.READ_WRITE);
  }

  private static List<Field> sharedFields(Class<?> test, Predicate<Field> which) {
    return AnnotationSupport.findAnnotatedFields(
        test, Shared.class, which, HierarchyTraversalMode.TOP_DOWN);
  }

  private static void inject(Field field, Object instance, Map<ServerConfig, KeyportServer> servers)
      throws IllegalAccessException {
    KeyportServer server = servers.get(field.getAnnotation(Shared.class).value());
    Object value;
    if (field.getType() == KeyportServer.class) {
      value = server;
    } else if (field.getType() == URL.class) {
      value = server.url();
    } else {
      throw new IllegalStateException(
          "@Shared " + field + " must be a KeyportServer or a URL, not " + field.getType());
    }
    field.setAccessible(true);
    field.set(instance, value);
  }

  /** The run's shared nodes and the parts they use, closed by JUnit after the last test. */
  private static final class Running implements AutoCloseable {

    private final Map<ServerConfig, KeyportServer> servers = new EnumMap<>(ServerConfig.class);

    /** Nodes launched ahead of need, not yet awaited. */
    private final Map<ServerConfig, KeyportServer> launched = new EnumMap<>(ServerConfig.class);

    private final Thread stopAtExit = new Thread(this::stopAll, "keyport-servers-stop");
    private RedisServer redis;
    private OidcProvider oidc;

    Running() {
      // If the JVM ends without JUnit closing the store (killed by a timeout), no node outlives it.
      Runtime.getRuntime().addShutdownHook(stopAtExit);
    }

    /**
     * Starts the nodes of {@code configs} not running yet, side by side, and waits for them; then
     * launches, without waiting, the nodes the rest of the run will ask for ({@link RunPlan}).
     */
    synchronized Map<ServerConfig, KeyportServer> ensure(Set<ServerConfig> configs)
        throws IOException {
      try {
        for (ServerConfig config : configs) {
          if (!servers.containsKey(config) && !launched.containsKey(config)) {
            launched.put(config, launch(config));
          }
        }
        for (ServerConfig config : configs) {
          KeyportServer server = launched.get(config);
          if (server != null) {
            server.node().awaitReady(START_PATIENCE);
            launched.remove(config);
            servers.put(config, server);
          }
        }
      } catch (IOException | RuntimeException | Error e) {
        for (ServerConfig config : configs) {
          KeyportServer failed = launched.remove(config);
          if (failed != null) {
            failed.node().close();
          }
        }
        throw e;
      }
      for (ServerConfig config : RunPlan.wanted()) {
        if (!servers.containsKey(config) && !launched.containsKey(config)) {
          launched.put(config, launch(config));
        }
      }
      return Map.copyOf(servers);
    }

    private KeyportServer launch(ServerConfig config) throws IOException {
      RedisServer usedRedis = config.needsRedis() ? redis() : null;
      OidcProvider usedOidc = config.needsOidcProvider() ? oidc() : null;
      String options =
          config.javaOptions(
              usedRedis == null ? null : usedRedis.url(),
              usedOidc == null ? null : usedOidc.issuer());
      KeyportNode node =
          KeyportNode.launch("shared-" + config.label(), Map.of("KEYPORT_JAVA_OPTS", options));
      return new KeyportServer(config, node, usedRedis, usedOidc);
    }

    /** Waits until every node launched ahead of need is ready. */
    synchronized void awaitLaunched() {
      for (Map.Entry<ServerConfig, KeyportServer> ahead : Map.copyOf(launched).entrySet()) {
        ahead.getValue().node().awaitReady(START_PATIENCE);
        launched.remove(ahead.getKey());
        servers.put(ahead.getKey(), ahead.getValue());
      }
    }

    private RedisServer redis() throws IOException {
      if (redis == null) {
        String reserved = System.getProperty("it.redis.port");
        RedisServer started =
            new RedisServer(reserved == null ? Ports.free() : Integer.parseInt(reserved));
        try {
          redis = started.start();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
      return redis;
    }

    private OidcProvider oidc() {
      if (oidc == null) {
        oidc = OidcProvider.start();
      }
      return oidc;
    }

    @Override
    public void close() {
      stopAll();
      try {
        Runtime.getRuntime().removeShutdownHook(stopAtExit);
      } catch (IllegalStateException exiting) {
        // the JVM is already shutting down; the hook has run
      }
    }

    /** Stops every node at once (each flushes its metering on the way), then their parts. */
    private synchronized void stopAll() {
      List<Thread> stopping = new ArrayList<>();
      List<KeyportServer> all = new ArrayList<>(servers.values());
      all.addAll(launched.values());
      for (KeyportServer server : all) {
        Thread stop = new Thread(server.node()::close, "stop-" + server.config().label());
        stop.start();
        stopping.add(stop);
      }
      for (Thread stop : stopping) {
        try {
          stop.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      servers.clear();
      launched.clear();
      if (oidc != null) {
        oidc.close();
        oidc = null;
      }
      if (redis != null) {
        redis.close();
        redis = null;
      }
    }
  }
}
