package io.keyport.testsupport;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * Envoy CheckRequests as raw wire bytes, for what the generated builders refuse to write: header
 * values that are not UTF-8, as Envoy forwards them.
 */
public final class CheckRequestBytes {

  private CheckRequestBytes() {}

  /**
   * {@code attributes.request.http.headers[name] = value} as wire bytes, which protobuf merges into
   * the message they are appended to.
   */
  public static byte[] header(String name, byte[] value) throws IOException {
    byte[] entry =
        message(
            out -> {
              out.writeBytes(1, ByteString.copyFromUtf8(name));
              out.writeBytes(2, ByteString.copyFrom(value));
            });
    byte[] http =
        message(
            out ->
                out.writeBytes(
                    AttributeContext.HttpRequest.HEADERS_FIELD_NUMBER, ByteString.copyFrom(entry)));
    byte[] request =
        message(
            out ->
                out.writeBytes(
                    AttributeContext.Request.HTTP_FIELD_NUMBER, ByteString.copyFrom(http)));
    byte[] attributes =
        message(
            out ->
                out.writeBytes(
                    AttributeContext.REQUEST_FIELD_NUMBER, ByteString.copyFrom(request)));
    return message(
        out ->
            out.writeBytes(CheckRequest.ATTRIBUTES_FIELD_NUMBER, ByteString.copyFrom(attributes)));
  }

  /** Two messages' bytes one after the other: protobuf reads them as one merged message. */
  public static byte[] concat(byte[] a, byte[] b) {
    byte[] both = new byte[a.length + b.length];
    System.arraycopy(a, 0, both, 0, a.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }

  private interface Writer {
    void write(CodedOutputStream out) throws IOException;
  }

  private static byte[] message(Writer writer) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    writer.write(out);
    out.flush();
    return bytes.toByteArray();
  }
}
