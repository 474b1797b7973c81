package io.keyport.check;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.rpc.Code;
import com.google.rpc.Status;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption.HeaderAppendAction;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.envoyproxy.envoy.service.auth.v3.DeniedHttpResponse;
import io.envoyproxy.envoy.service.auth.v3.OkHttpResponse;
import io.envoyproxy.envoy.type.v3.HttpStatus;
import io.keyport.limits.Admission;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Envoy's {@code envoy.service.auth.v3.Authorization/Check} (SPEC §9), answered with the same
 * {@link AuthCheck} verdict as the HTTP fronts. Runs on the {@link GrpcConnection}'s event loop: a
 * key the check has in memory is answered there, one that needs PostgreSQL or Redis is handed to
 * the check's managed workers, and a call whose deadline has passed by then is not decided at all.
 *
 * <p>Every verdict becomes a {@code CheckResponse}, never a gRPC error: Envoy turns an error into
 * its own 403 (or lets the request through with {@code failure_mode_allow}), and both would hide
 * Keyport's answer.
 */
final class GrpcCheckService {

  private final AuthCheck check;
  private final Executor workers;

  /**
   * @param workers where a check that needs PostgreSQL or Redis runs, off the event loop
   */
  GrpcCheckService(AuthCheck check, Executor workers) {
    this.check = check;
    this.workers = workers;
  }

  void check(io.envoyproxy.envoy.service.auth.v3.CheckRequest request, GrpcCall call) {
    if (request == GrpcCheckRequests.UNREADABLE) {
      call.close(Code.INVALID_ARGUMENT, "The message is not an envoy.service.auth.v3.CheckRequest");
      return;
    }
    AttributeContext.HttpRequest http = request.getAttributes().getRequest().getHttp();
    CheckRequest.Headers headers = headersOf(http);
    String keySource = CheckRequest.keySource(headers, check.keyHeader());
    CheckRequest checked =
        new CheckRequest(
            http.getMethod(),
            http.getPath(),
            http.getHost().isEmpty() ? null : http.getHost(),
            CheckRequest.apiKey(headers, check.keyHeader()),
            clientAddress(request));
    Optional<Verdict> fast = check.decideFromMemory(checked, Front.GRPC);
    if (fast.isPresent()) {
      reply(call, fast.get(), keySource);
      return;
    }
    try {
      workers.execute(
          () -> {
            if (call.isGone()) {
              return; // given up by Envoy while it waited: nobody reads the answer
            }
            if (call.isPastDeadline()) {
              call.close(Code.DEADLINE_EXCEEDED, "The call's deadline passed before its check");
              return;
            }
            try {
              reply(call, check.decide(checked, Front.GRPC), keySource);
            } catch (RuntimeException e) {
              // decide() answers its own failures; this is building or sending the answer.
              call.close(Code.INTERNAL, "The call could not be answered; see Keyport's log");
              throw e;
            }
          });
    } catch (RejectedExecutionException overloaded) {
      reply(call, check.overloaded(Front.GRPC), keySource);
    }
  }

  /**
   * The request's headers by lower-case name, as Envoy sends them: the {@code headers} map, or with
   * {@code encode_raw_headers} the {@code header_map} list, whose raw values are read as UTF-8 (a
   * byte that is not becomes U+FFFD, so a binary key is simply not a well-formed one).
   */
  static CheckRequest.Headers headersOf(AttributeContext.HttpRequest http) {
    Map<String, String> map = http.getHeadersMap();
    if (map.isEmpty() && http.hasHeaderMap()) {
      Map<String, String> raw = new HashMap<>();
      for (HeaderValue header : http.getHeaderMap().getHeadersList()) {
        String value =
            header.getRawValue().isEmpty()
                ? header.getValue()
                : header.getRawValue().toString(StandardCharsets.UTF_8);
        raw.putIfAbsent(header.getKey().toLowerCase(Locale.ROOT), value);
      }
      map = raw;
    }
    Map<String, String> byName = map;
    return name -> byName.get(name.toLowerCase(Locale.ROOT));
  }

  private void reply(GrpcCall call, Verdict verdict, String keySource) {
    call.reply(verdict.allowed() ? allowed(verdict, keySource) : denied(verdict));
  }

  /**
   * SPEC §9 on a 200: the identity headers overwrite whatever the client sent under those names,
   * the ones this key does not set are removed, and so is the header that carried the key.
   */
  private CheckResponse allowed(Verdict verdict, String keySource) {
    OkHttpResponse.Builder ok = OkHttpResponse.newBuilder();
    Map<String, String> set = new HashMap<>();
    for (Map.Entry<String, String> header : verdict.headers().entrySet()) {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      set.put(name, header.getValue());
      ok.addHeaders(option(name, header.getValue()));
      if (Admission.isRateLimitHeader(name)) {
        ok.addResponseHeadersToAdd(option(name, header.getValue()));
      }
    }
    for (String name : check.upstreamHeaders()) {
      if (!set.containsKey(name)) {
        ok.addHeadersToRemove(name);
      }
    }
    if (keySource != null) {
      ok.addHeadersToRemove(keySource.toLowerCase(Locale.ROOT));
    }
    Struct metadata =
        Struct.newBuilder()
            .putFields("plan", text(set.get(Verdict.PLAN_HEADER)))
            .putFields("user", text(set.get(Verdict.USER_HEADER)))
            .putFields("apiKeyId", text(set.get(Verdict.KEY_ID_HEADER)))
            .putFields("apiProduct", text(set.get(Verdict.PRODUCT_HEADER)))
            .build();
    return CheckResponse.newBuilder()
        .setStatus(Status.newBuilder().setCode(Code.OK_VALUE))
        .setOkResponse(ok)
        .setDynamicMetadata(metadata)
        .build();
  }

  /** SPEC §9 on a denial: the §3 status, headers and JSON body, and the matching gRPC code. */
  private static CheckResponse denied(Verdict verdict) {
    DeniedHttpResponse.Builder denied =
        DeniedHttpResponse.newBuilder()
            .setStatus(HttpStatus.newBuilder().setCodeValue(verdict.status()))
            .setBody(verdict.body());
    for (Map.Entry<String, String> header : verdict.headers().entrySet()) {
      denied.addHeaders(option(header.getKey().toLowerCase(Locale.ROOT), header.getValue()));
    }
    denied.addHeaders(option(Verdict.DENY_HEADER, verdict.error()));
    denied.addHeaders(option("content-type", "application/json"));
    return CheckResponse.newBuilder()
        .setStatus(
            Status.newBuilder().setCode(codeFor(verdict.status())).setMessage(verdict.error()))
        .setDeniedResponse(denied)
        .build();
  }

  /** The gRPC code Envoy logs and that a gRPC upstream sees, for each §3 status. */
  static int codeFor(int httpStatus) {
    return switch (httpStatus) {
      case 401 -> Code.UNAUTHENTICATED_VALUE;
      case 403 -> Code.PERMISSION_DENIED_VALUE;
      case 429 -> Code.RESOURCE_EXHAUSTED_VALUE;
      default -> Code.UNAVAILABLE_VALUE;
    };
  }

  /**
   * One header, replacing any the request already has: {@code OVERWRITE_IF_EXISTS_OR_ADD} for the
   * Envoys that read {@code append_action}, and no {@code append} (which older ones read as false).
   */
  private static HeaderValueOption option(String name, String value) {
    return HeaderValueOption.newBuilder()
        .setHeader(HeaderValue.newBuilder().setKey(name).setValue(value))
        .setAppendAction(HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD)
        .build();
  }

  private static Value text(String value) {
    return Value.newBuilder().setStringValue(value == null ? "" : value).build();
  }

  /** The client Envoy serves: the downstream source address it reports, null without one. */
  private static String clientAddress(io.envoyproxy.envoy.service.auth.v3.CheckRequest request) {
    String address =
        request.getAttributes().getSource().getAddress().getSocketAddress().getAddress();
    return address.isEmpty() ? null : address;
  }
}
