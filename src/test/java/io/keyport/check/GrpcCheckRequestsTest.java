package io.keyport.check;

import static io.keyport.testsupport.CheckRequestBytes.concat;
import static io.keyport.testsupport.CheckRequestBytes.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.keyport.testsupport.EnvoyCalls;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** A CheckRequest whose header values are not UTF-8, as Envoy forwards them from a client. */
class GrpcCheckRequestsTest {

  @Test
  void aHeaderValueThatIsNotUtf8IsReadWithReplacementCharactersInsteadOfFailingTheCall()
      throws IOException {
    CheckRequest valid = request("/petstore/pets?x=1", "kp_abc");
    byte[] bytes = concat(valid.toByteArray(), header("x-binary", new byte[] {(byte) 0xff, 'a'}));
    assertThrows(InvalidProtocolBufferException.class, () -> CheckRequest.parseFrom(bytes));

    CheckRequest read = GrpcCheckRequests.parse(bytes);

    AttributeContext.HttpRequest http = read.getAttributes().getRequest().getHttp();
    assertEquals("/petstore/pets?x=1", http.getPath());
    assertEquals("GET", http.getMethod());
    assertEquals("kp_abc", http.getHeadersMap().get("api-key"));
    assertEquals("\ufffda", http.getHeadersMap().get("x-binary"));
  }

  @Test
  void aKeyThatIsNotUtf8IsNoLongerTheKeyItLookedLike() throws IOException {
    byte[] key = "kp_abc".getBytes();
    key[3] = (byte) 0xc3;
    byte[] bytes = concat(request("/petstore/", null).toByteArray(), header("api-key", key));

    CheckRequest read = GrpcCheckRequests.parse(bytes);

    assertEquals(
        "kp_\ufffdbc", read.getAttributes().getRequest().getHttp().getHeadersMap().get("api-key"));
  }

  @Test
  void bytesThatAreNotProtobufAreReadAsUnreadableForTheServiceToRefuseNotThrown() {
    byte[] garbage = {0x0a, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f, 0x01};
    assertSame(GrpcCheckRequests.UNREADABLE, GrpcCheckRequests.parse(garbage));
  }

  private static CheckRequest request(String path, String key) {
    return EnvoyCalls.get(path, "h", key);
  }
}
