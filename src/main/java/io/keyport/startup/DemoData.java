package io.keyport.startup;

import io.keyport.catalog.ApiProduct;
import io.keyport.catalog.RateUnit;
import io.keyport.catalog.UsagePlan;
import io.keyport.identity.Roles;
import io.keyport.identity.Users;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The demo data of SPEC §7, seeded once per database by the embedded default. The marker row is
 * inserted in the same transaction as the data, so two nodes starting together seed it once.
 */
@ApplicationScoped
public class DemoData {

  private static final Logger LOG = Logger.getLogger(DemoData.class.getName());

  @PersistenceContext private EntityManager em;
  @Inject private Users users;

  @Transactional
  public void seedOnce() {
    int claimed =
        em.createNativeQuery(
                "insert into keyport_state (name, value) values ('demo_seeded', 'true')"
                    + " on conflict (name) do nothing")
            .executeUpdate();
    if (claimed == 0) {
      return;
    }
    users.createLocal(
        "admin@example.com",
        "Demo Admin",
        "admin".toCharArray(),
        Set.of(Roles.ADMIN, Roles.DEVELOPER));
    users.createLocal(
        "dev@example.com", "Demo Developer", "dev".toCharArray(), Set.of(Roles.DEVELOPER));

    UsagePlan bronze =
        plan("bronze", "Bronze", "For trying an API out.").limitedTo(1, RateUnit.MINUTE);
    UsagePlan silver =
        plan("silver", "Silver", "For development and small workloads.")
            .limitedTo(3, RateUnit.MINUTE);
    UsagePlan gold =
        plan("gold", "Gold", "For production workloads.").limitedTo(5, RateUnit.MINUTE);
    UsagePlan unlimited = plan("unlimited", "Unlimited", "No rate limit, for trusted services.");

    em.persist(
        new ApiProduct(
                "petstore",
                "Pet Store",
                "Pets, their owners and their orders: the classic sample API.",
                "1.0.0",
                resource("petstore.openapi.json"))
            .route(null, "/petstore/", null)
            .offer(bronze)
            .offer(silver)
            .offer(gold)
            .offer(unlimited));
    em.persist(
        new ApiProduct(
                "tracks",
                "Tracks",
                "Music tracks and their artists, searchable by title.",
                "2.1.0",
                resource("tracks.openapi.json"))
            .route(null, "/trackapi/", null)
            .offer(silver)
            .offer(gold)
            .offer(unlimited));
    LOG.info("Seeded the demo data: users admin@example.com and dev@example.com, two products");
  }

  private UsagePlan plan(String name, String displayName, String description) {
    UsagePlan plan = new UsagePlan(name, displayName, description);
    em.persist(plan);
    return plan;
  }

  private static String resource(String name) {
    try (InputStream in = DemoData.class.getResourceAsStream("/demo/" + name)) {
      if (in == null) {
        throw new IllegalStateException("The WAR lacks the demo resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
