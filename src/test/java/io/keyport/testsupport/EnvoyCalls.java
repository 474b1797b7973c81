package io.keyport.testsupport;

import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Envoy's ext_authz calls as the gRPC tests make them, from Envoy's generated API. */
public final class EnvoyCalls {

  /**
   * {@code Authorization/Check} with the request sent as the bytes given, for what stubs refuse.
   */
  public static final MethodDescriptor<byte[], CheckResponse> RAW_CHECK =
      AuthorizationGrpc.getCheckMethod().toBuilder(
              new RawBytes(), AuthorizationGrpc.getCheckMethod().getResponseMarshaller())
          .build();

  private EnvoyCalls() {}

  /** The CheckRequest Envoy sends for {@code GET path} on {@code host}; the key in api-key. */
  public static CheckRequest get(String path, String host, String key) {
    AttributeContext.HttpRequest.Builder http =
        AttributeContext.HttpRequest.newBuilder().setMethod("GET").setPath(path).setHost(host);
    if (key != null) {
      http.putHeaders("api-key", key);
    }
    return CheckRequest.newBuilder()
        .setAttributes(
            AttributeContext.newBuilder()
                .setRequest(AttributeContext.Request.newBuilder().setHttp(http)))
        .build();
  }

  /** A message as its bytes, either way. */
  public static final class RawBytes implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
