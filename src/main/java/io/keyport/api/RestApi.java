package io.keyport.api;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import java.util.HashSet;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/** Keyport's REST API (SPEC §8), for scripts, CLIs and other front ends. */
@ApplicationPath("/api/v1")
@OpenAPIDefinition(
    info =
        @Info(
            title = "Keyport API",
            version = "1",
            description =
                "API products, usage plans and the caller's API keys. Errors are"
                    + " {\"error\":\"<word>\",\"message\":\"<sentence>\"}."),
    security = @SecurityRequirement(name = "basic"))
@SecurityScheme(securitySchemeName = "basic", type = SecuritySchemeType.HTTP, scheme = "basic")
public class RestApi extends Application {

  /**
   * Keyport's own resources, listed rather than scanned: a WAR with two applications (this one and
   * Gloo Portal's {@code /v1}) would otherwise serve every resource under both paths.
   * RestApplicationsTest fails when a resource is in neither list.
   */
  public static final Set<Class<?>> RESOURCES =
      Set.of(
          MeResource.class,
          ApiProductsResource.class,
          UsagePlansResource.class,
          ApiKeysResource.class,
          AdminAuditResource.class,
          AdminDashboardResource.class,
          AdminKeysResource.class,
          AdminMirrorResource.class,
          AdminProductsResource.class,
          AdminUsagePlansResource.class,
          AdminUsersResource.class,
          AdminWebhooksResource.class);

  /** The error mappers, JSON settings and role checks every application of Keyport's uses. */
  public static final Set<Class<?>> PROVIDERS =
      Set.of(
          RefusalMapper.class,
          FailureMapper.class,
          JsonbSettings.class,
          RolesCheck.class,
          NoPathParameters.class);

  @Override
  public Set<Class<?>> getClasses() {
    Set<Class<?>> classes = new HashSet<>(RESOURCES);
    classes.addAll(PROVIDERS);
    return classes;
  }
}
