package io.keyport.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.FeatureContext;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The second wall on its own: {@link RolesCheck} refuses a caller without the role a resource
 * names, whatever path brought the call there (web.xml's URL constraint plays no part here). The
 * JAX-RS parts are plain test doubles; Jersey (on the test class path) builds the responses.
 */
class RolesCheckTest {

  private static final List<Class<?>> ADMIN_RESOURCES =
      List.of(
          AdminUsersResource.class,
          AdminKeysResource.class,
          AdminAuditResource.class,
          AdminDashboardResource.class,
          AdminProductsResource.class,
          AdminUsagePlansResource.class,
          AdminMirrorResource.class);

  @Test
  void aDeveloperIsRefusedByEveryAdminResource() {
    for (Class<?> resource : ADMIN_RESOURCES) {
      Response refused = call(resource, caller("dev@example.com", "developer"));
      assertNotNull(refused, resource.getSimpleName() + " let a developer in");
      assertEquals(403, refused.getStatus(), resource.getSimpleName());
      assertTrue(refused.getEntity().toString().contains("\"error\":\"forbidden\""));
    }
  }

  @Test
  void anAdminPassesEveryAdminResource() {
    for (Class<?> resource : ADMIN_RESOURCES) {
      assertNull(call(resource, caller("admin@example.com", "admin")), resource.getSimpleName());
    }
  }

  @Test
  void nobodySignedInIsRefusedWith401() {
    Response refused = call(AdminUsersResource.class, caller(null));
    assertNotNull(refused);
    assertEquals(401, refused.getStatus());
    assertNotNull(call(MeResource.class, null), "no security context at all");
  }

  @Test
  void aDeveloperPassesTheDeveloperResources() {
    for (Class<?> resource :
        List.of(
            MeResource.class,
            ApiKeysResource.class,
            ApiProductsResource.class,
            UsagePlansResource.class)) {
      assertNull(call(resource, caller("dev@example.com", "developer")), resource.getName());
    }
  }

  @Test
  void aCallerWithNoKeyportRoleIsRefusedEverywhere() {
    assertEquals(403, call(MeResource.class, caller("someone@example.com", "guest")).getStatus());
  }

  /** Runs RolesCheck's filter for one GET method of {@code resource}; the abort, or null. */
  private static Response call(Class<?> resource, SecurityContext security) {
    Method method =
        Arrays.stream(resource.getDeclaredMethods())
            .filter(m -> m.isAnnotationPresent(GET.class))
            .findFirst()
            .orElseThrow(() -> new AssertionError(resource + " has no GET method"));
    List<Object> registered = new ArrayList<>();
    new RolesCheck().configure(resourceInfo(resource, method), featureContext(registered));
    assertEquals(1, registered.size(), resource.getSimpleName() + " gets one role filter");
    Response[] aborted = new Response[1];
    ContainerRequestContext request =
        proxy(
            ContainerRequestContext.class,
            (name, args) ->
                switch (name) {
                  case "getSecurityContext" -> security;
                  case "abortWith" -> aborted[0] = (Response) args[0];
                  default -> throw new UnsupportedOperationException(name);
                });
    try {
      ((ContainerRequestFilter) registered.get(0)).filter(request);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
    return aborted[0];
  }

  private static SecurityContext caller(String username, String... roles) {
    Set<String> held = Set.of(roles);
    Principal principal = username == null ? null : () -> username;
    return proxy(
        SecurityContext.class,
        (name, args) ->
            switch (name) {
              case "getUserPrincipal" -> principal;
              case "isUserInRole" -> principal != null && held.contains((String) args[0]);
              case "isSecure" -> false;
              case "getAuthenticationScheme" -> "BASIC";
              default -> throw new UnsupportedOperationException(name);
            });
  }

  private static ResourceInfo resourceInfo(Class<?> resource, Method method) {
    return proxy(
        ResourceInfo.class,
        (name, args) ->
            switch (name) {
              case "getResourceClass" -> resource;
              case "getResourceMethod" -> method;
              default -> throw new UnsupportedOperationException(name);
            });
  }

  private static FeatureContext featureContext(List<Object> registered) {
    FeatureContext[] self = new FeatureContext[1];
    self[0] =
        proxy(
            FeatureContext.class,
            (name, args) -> {
              if (!name.equals("register")) {
                throw new UnsupportedOperationException(name);
              }
              registered.add(args[0]);
              return self[0];
            });
    return self[0];
  }

  private interface Answer {
    Object answer(String method, Object[] args);
  }

  @SuppressWarnings("unchecked")
  private static <T> T proxy(Class<T> type, Answer answer) {
    return (T)
        Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (self, method, args) ->
                switch (method.getName()) {
                  case "toString" -> type.getSimpleName() + " double";
                  case "hashCode" -> System.identityHashCode(self);
                  case "equals" -> self == args[0];
                  default -> answer.answer(method.getName(), args);
                });
  }
}
