package io.keyport.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyport.platform.Database;
import io.keyport.platform.PrometheusText;
import io.keyport.testsupport.Http;
import io.keyport.testsupport.KeyportServers;
import io.keyport.testsupport.Shared;
import jakarta.annotation.sql.DataSourceDefinition;
import java.net.URL;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The JDBC pool in {@code /metrics} ({@code platform/DatabasePool}): Payara's pool of {@link
 * Database}, read while the portal uses it.
 */
@ExtendWith(KeyportServers.class)
class DatabasePoolIT {

  @Shared URL base;

  @Test
  void thePoolsConnectionsAreGauges() throws Exception {
    Http http = new Http(base);
    String dev = Http.basic("dev@example.com", "dev");
    // one sign-in first: then the Basic header is remembered, and the calls below read the
    // database without queueing for the password check (keyport.auth.basic-cache-seconds)
    assertEquals(
        200, http.send(http.request("api/v1/api-keys").header("Authorization", dev)).statusCode());
    // some work for the pool: sign-ins and catalogue reads from several threads at once
    ExecutorService clients = Executors.newFixedThreadPool(8);
    try {
      List<Future<HttpResponse<String>>> calls = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        calls.add(
            clients.submit(
                () -> http.send(http.request("api/v1/api-keys").header("Authorization", dev))));
      }
      for (Future<HttpResponse<String>> call : calls) {
        assertEquals(200, call.get().statusCode());
      }
    } finally {
      clients.shutdownNow();
    }
    HttpResponse<String> response = http.send(http.request("metrics"));
    assertEquals(200, response.statusCode());
    PrometheusText metrics = PrometheusText.parse(response.body());
    for (String gauge : List.of("active", "idle", "waiting", "max")) {
      String name = "keyport_db_pool_connections_" + gauge;
      assertEquals("gauge", metrics.families().get(name).type(), name);
    }
    DataSourceDefinition pool = Database.class.getAnnotation(DataSourceDefinition.class);
    double max = metrics.value("keyport_db_pool_connections_max", Map.of());
    double active = metrics.value("keyport_db_pool_connections_active", Map.of());
    double idle = metrics.value("keyport_db_pool_connections_idle", Map.of());
    double waiting = metrics.value("keyport_db_pool_connections_waiting", Map.of());
    assertEquals(pool.maxPoolSize(), max);
    assertTrue(active >= 0 && idle >= 0 && waiting >= 0, active + " " + idle + " " + waiting);
    assertTrue(
        active + idle >= pool.minPoolSize(),
        "the pool keeps its steady size: " + active + " + " + idle);
    assertTrue(active + idle <= max, active + " + " + idle + " <= " + max);
  }
}
