package io.keyport.check;

import com.google.rpc.Code;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code grpc.health.v1.Health} on the gRPC check's port, for Envoy's gRPC health checks,
 * Kubernetes gRPC probes and {@code grpc_health_probe}: the server ({@code ""}) and {@code
 * envoy.service.auth.v3.Authorization} are SERVING from start until the server stops, then
 * NOT_SERVING. {@code Check} of another service is NOT_FOUND; {@code Watch} of one is
 * SERVICE_UNKNOWN, as the protocol says. A {@code Watch} stays open and hears NOT_SERVING when the
 * server stops.
 */
final class GrpcHealth {

  private static final Set<String> SERVICES = Set.of("", AuthorizationGrpc.SERVICE_NAME);

  private final Set<GrpcCall> watching = ConcurrentHashMap.newKeySet();
  private volatile boolean serving;

  void serving() {
    serving = true;
  }

  void check(HealthCheckRequest request, GrpcCall call) {
    if (!SERVICES.contains(request.getService())) {
      call.close(Code.NOT_FOUND, "No health is reported for service " + request.getService());
      return;
    }
    call.reply(status(serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING));
  }

  void watch(HealthCheckRequest request, GrpcCall call) {
    watching.add(call);
    if (!SERVICES.contains(request.getService())) {
      call.send(status(ServingStatus.SERVICE_UNKNOWN));
      return;
    }
    call.send(status(serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING));
  }

  /** The call's stream is closed; it hears nothing more. */
  void forget(GrpcCall call) {
    watching.remove(call);
  }

  /** Tells every watcher NOT_SERVING and ends its call (OK), before the server closes. */
  void stopServing() {
    serving = false;
    for (GrpcCall call : watching) {
      call.send(status(ServingStatus.NOT_SERVING));
      call.close(Code.OK, null);
    }
    watching.clear();
  }

  private static HealthCheckResponse status(ServingStatus status) {
    return HealthCheckResponse.newBuilder().setStatus(status).build();
  }
}
