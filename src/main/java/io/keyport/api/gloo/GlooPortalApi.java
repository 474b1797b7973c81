package io.keyport.api.gloo;

import io.keyport.api.RestApi;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import java.util.HashSet;
import java.util.Set;

/**
 * Gloo Portal's portal server API (SPEC §10), the calls solo-io's dev-portal-starter front end
 * makes, over the same services as Keyport's own REST API, with the same errors, audit, limits and
 * isolation. Its resources are listed here, not scanned, so they never appear under {@code /api/v1}
 * too, nor Keyport's own under {@code /v1}.
 */
@ApplicationPath("/v1")
public class GlooPortalApi extends Application {

  public static final Set<Class<?>> RESOURCES =
      Set.of(
          GlooMeResource.class,
          GlooApisResource.class,
          GlooUsagePlansResource.class,
          GlooApiKeysResource.class,
          GlooSessionResource.class);

  @Override
  public Set<Class<?>> getClasses() {
    Set<Class<?>> classes = new HashSet<>(RESOURCES);
    classes.addAll(RestApi.PROVIDERS);
    return classes;
  }
}
