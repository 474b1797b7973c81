package io.keyport.e2e;

import io.keyport.it.SpecKeys;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Random;

/**
 * One hostile request for the check's fuzz run: random and malformed paths, keys and header values,
 * sent as raw bytes. It knows whether it carries the real key (the only thing that may earn a 200)
 * and whether it is well-formed HTTP of ordinary size (which must get an answer; a malformed or
 * oversized one may also be dropped by the HTTP layer).
 */
record Probe(
    String front,
    int port,
    String kind,
    byte[] bytes,
    boolean carriesRealKey,
    boolean wellFormed,
    boolean requestLineMalformed) {

  private static final String CHECK = "/auth/check";
  private static final String TCHAR =
      "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final List<String> SEGMENTS =
      List.of(
          "petstore",
          "trackapi",
          "pets",
          "tracks",
          "..",
          ".",
          "%2e%2e",
          "%2E",
          "%2f",
          "%2F",
          "%00",
          "%ff",
          "%c3%a9",
          "%",
          "%zz",
          "%e2%82",
          "",
          "~",
          ";jsessionid=1",
          "a%20b",
          "%252e%252e",
          "..;",
          "\\..\\",
          "auth",
          "check");
  private static final List<String> METHODS =
      List.of(
          "GET",
          "HEAD",
          "POST",
          "PUT",
          "DELETE",
          "PATCH",
          "OPTIONS",
          "TRACE",
          "CONNECT",
          "PURGE",
          "get",
          "M-SEARCH",
          "PROPFIND",
          "X".repeat(64),
          "GET\u0000",
          "G(T",
          "\u00c4\u00d6");
  private static final List<String> IDENTITY =
      List.of(
          "x-solo-plan",
          "x-user-id",
          "x-api-key-id",
          "x-api-product",
          "x-team",
          "X-Forwarded-Uri",
          "X-Original-URI",
          "X-Forwarded-Method",
          "X-Original-Method",
          "X-Forwarded-Host",
          "Host",
          "api-key",
          "Authorization",
          "x-keyport-deny");

  /** A description for a failure message, with control and non-ASCII bytes escaped. */
  String describe() {
    StringBuilder text = new StringBuilder(kind).append(" at the ").append(front).append(": ");
    int shown = Math.min(bytes.length, 400);
    for (int i = 0; i < shown; i++) {
      int b = bytes[i] & 0xff;
      if (b >= 0x20 && b < 0x7f) {
        text.append((char) b);
      } else if (b == '\r') {
        text.append("\\r");
      } else if (b == '\n') {
        text.append("\\n");
      } else {
        text.append(String.format("\\x%02x", b));
      }
    }
    if (shown < bytes.length) {
      text.append("… (").append(bytes.length).append(" bytes)");
    }
    return text.toString();
  }

  static Probe random(Random random, String front, int port, String realKey) {
    return new Generator(random, port, realKey).probe(front);
  }

  private static final class Generator {
    private final Random random;
    private final int port;
    private final String real;
    private String kind;
    private String method = "GET";
    private byte[] target = ascii(CHECK + "/petstore/pets");
    private boolean host = true;
    private final RawHttp.Request extra = new RawHttp.Request("GET", "/");

    Generator(Random random, int port, String real) {
      this.random = random;
      this.port = port;
      this.real = real;
    }

    Probe probe(String front) {
      int roll = random.nextInt(100);
      if (roll < 15) {
        realKeyRandomPath();
      } else if (roll < 30) {
        kind = "key one character off";
        key(oneOff(real));
      } else if (roll < 45) {
        kind = "unknown key with a valid checksum";
        key(SpecKeys.wellFormed(random));
      } else if (roll < 53) {
        huge();
      } else if (roll < 63) {
        controlCharacters();
      } else if (roll < 73) {
        nonUtf8();
      } else if (roll < 81) {
        manyKeys();
      } else if (roll < 87) {
        kind = "odd method";
        method = pick(METHODS);
        if (random.nextBoolean()) {
          key(real);
        }
      } else if (roll < 93) {
        authorization();
      } else {
        randomHeaders();
      }
      RawHttp.Request request = new RawHttp.Request(method, target);
      if (host) {
        request.header("Host", "127.0.0.1:" + port);
      }
      extra.headers().forEach(header -> request.header(header[0], header[1]));
      byte[] bytes = request.bytes();
      return new Probe(
          front,
          port,
          kind,
          bytes,
          carriesRealKey(request),
          wellFormed(request, bytes.length),
          !requestLineWellFormed(request));
    }

    private void realKeyRandomPath() {
      kind = "real key, random path";
      if (random.nextBoolean()) {
        target = concat(ascii(CHECK), path(random.nextInt(4) == 0));
      } else {
        header(random.nextBoolean() ? "X-Forwarded-Uri" : "X-Original-URI", path(true));
      }
      if (random.nextInt(3) == 0) {
        header("X-Forwarded-Method", ascii(pick(METHODS)));
      }
      if (random.nextInt(4) == 0) {
        header("X-Forwarded-Host", text(1 + random.nextInt(40), true));
      }
      key(real);
    }

    private void huge() {
      kind = "huge values";
      int size = 10_000 + random.nextInt(70_000);
      switch (random.nextInt(5)) {
        case 0 -> header("api-key", ascii(base62(size)));
        case 1 -> {
          key(real);
          header("X-Forwarded-Uri", concat(ascii("/petstore/"), text(size, false)));
        }
        case 2 -> header("X-" + base62(8), text(size, random.nextBoolean()));
        case 3 -> {
          int count = 50 + random.nextInt(250);
          for (int i = 0; i < count; i++) {
            header(
                random.nextInt(10) == 0 ? "api-key" : "X-Filler-" + i,
                text(200 + random.nextInt(300), false));
          }
          if (random.nextBoolean()) {
            key(real);
          }
        }
        default -> {
          target = concat(ascii(CHECK + "/petstore/"), text(size, false));
          key(real);
        }
      }
    }

    private void controlCharacters() {
      kind = "control characters";
      switch (random.nextInt(5)) {
        case 0 -> header("api-key", withControls(ascii(real)));
        case 1 -> {
          key(real);
          header("X-Forwarded-Uri", withControls(ascii("/petstore/pets")));
        }
        case 2 -> {
          host = false;
          header("Host", withControls(ascii("127.0.0.1:" + port)));
          key(real);
        }
        case 3 -> {
          key(real);
          header("X-Forwarded-Method", withControls(ascii("GET")));
        }
        default -> header("api-key", withControls(text(10 + random.nextInt(60), false)));
      }
    }

    private void nonUtf8() {
      kind = "non-UTF-8 bytes";
      switch (random.nextInt(5)) {
        case 0 -> header("api-key", concat(ascii(real), highBytes()));
        case 1 -> header("api-key", concat(highBytes(), ascii(real.substring(1))));
        case 2 -> {
          key(real);
          header("X-Forwarded-Uri", concat(ascii("/petstore/"), highBytes()));
        }
        case 3 -> {
          key(real);
          target = concat(ascii(CHECK + "/petstore/"), highBytes());
        }
        default -> {
          key(real);
          header(concat(ascii("x-"), highBytes()), highBytes());
        }
      }
    }

    private void manyKeys() {
      kind = "many api-key headers";
      int count = 2 + random.nextInt(99);
      int realAt = random.nextInt(10) < 3 ? random.nextInt(count) : -1;
      for (int i = 0; i < count; i++) {
        String value =
            i == realAt
                ? real
                : switch (random.nextInt(4)) {
                  case 0 -> "";
                  case 1 -> oneOff(real);
                  case 2 -> SpecKeys.wellFormed(random);
                  default -> base62(1 + random.nextInt(60));
                };
        header("api-key", ascii(value));
      }
    }

    private void authorization() {
      kind = "Authorization variants";
      String value =
          switch (random.nextInt(9)) {
            case 0 -> "Bearer " + real;
            case 1 -> "bearer " + real;
            case 2 -> "BEARER    " + real + "  ";
            case 3 -> "Bearer" + real;
            case 4 -> "Basic " + Base64.getEncoder().encodeToString(ascii(real + ":x"));
            case 5 -> "Bearer " + oneOff(real);
            case 6 -> "Bearer " + real + " " + real;
            case 7 -> "Bearer ";
            default -> "Bearer " + SpecKeys.wellFormed(random);
          };
      header("Authorization", ascii(value));
      if (random.nextInt(4) == 0) {
        // Keyport reads the api-key header first, whatever it holds.
        header("api-key", ascii(random.nextBoolean() ? "" : oneOff(real)));
      }
    }

    private void randomHeaders() {
      kind = "random headers";
      int count = 1 + random.nextInt(30);
      for (int i = 0; i < count; i++) {
        String name =
            switch (random.nextInt(3)) {
              case 0 -> pick(IDENTITY);
              case 1 -> token(1 + random.nextInt(30));
              default ->
                  new String(text(1 + random.nextInt(20), true), StandardCharsets.ISO_8859_1);
            };
        if (name.equalsIgnoreCase("Host")) {
          host = random.nextBoolean();
        }
        header(name, random.nextBoolean() ? path(true) : text(random.nextInt(200), true));
      }
    }

    private void key(String key) {
      if (random.nextInt(5) == 0) {
        header("Authorization", ascii("Bearer " + key));
      } else {
        header("api-key", ascii(key));
      }
    }

    private void header(String name, byte[] value) {
      extra.header(name, value);
    }

    private void header(byte[] name, byte[] value) {
      extra.header(name, value);
    }

    /** A path of random segments: dot segments, escapes good and bad, maybe raw bytes. */
    private byte[] path(boolean raw) {
      ByteArrayOutputStream path = new ByteArrayOutputStream();
      if (random.nextInt(8) != 0) {
        path.write('/');
      }
      int segments = random.nextInt(8);
      for (int i = 0; i < segments; i++) {
        if (i > 0) {
          path.write('/');
        }
        if (raw && random.nextInt(6) == 0) {
          path.writeBytes(text(1 + random.nextInt(12), true));
        } else if (random.nextInt(5) == 0) {
          path.writeBytes(ascii(base62(1 + random.nextInt(20))));
        } else {
          path.writeBytes(ascii(pick(SEGMENTS)));
        }
      }
      if (random.nextInt(4) == 0) {
        path.writeBytes(ascii("?" + pick(SEGMENTS) + "=" + pick(SEGMENTS)));
      }
      if (random.nextInt(10) == 0) {
        path.writeBytes(ascii("#" + base62(4)));
      }
      return path.toByteArray();
    }

    /** Printable ASCII, or with {@code anyByte} any byte but CR and LF. */
    private byte[] text(int length, boolean anyByte) {
      byte[] text = new byte[length];
      for (int i = 0; i < length; i++) {
        int b;
        do {
          b = anyByte ? random.nextInt(256) : 0x21 + random.nextInt(0x7e - 0x21);
        } while (b == '\r' || b == '\n');
        text[i] = (byte) b;
      }
      return text;
    }

    /** {@code value} with a few control characters put in; a bare CR or LF now and then. */
    private byte[] withControls(byte[] value) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      int count = 1 + random.nextInt(3);
      int[] at = new int[count];
      for (int i = 0; i < count; i++) {
        at[i] = random.nextInt(value.length + 1);
      }
      for (int i = 0; i <= value.length; i++) {
        for (int position : at) {
          if (position == i) {
            int control = random.nextInt(10) == 0 ? 0x7f : random.nextInt(0x20);
            if ((control == '\r' || control == '\n') && random.nextInt(4) != 0) {
              control = 0x01;
            }
            out.write(control);
          }
        }
        if (i < value.length) {
          out.write(value[i]);
        }
      }
      return out.toByteArray();
    }

    private byte[] highBytes() {
      byte[] bytes = new byte[1 + random.nextInt(8)];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = (byte) (0x80 + random.nextInt(0x80));
      }
      return bytes;
    }

    /** The key changed in one place: replaced, inserted, dropped, swapped or re-cased. */
    private String oneOff(String key) {
      while (true) {
        StringBuilder changed = new StringBuilder(key);
        int at = random.nextInt(key.length());
        switch (random.nextInt(5)) {
          case 0 -> changed.setCharAt(at, randomKeyChar());
          case 1 -> changed.insert(at, randomKeyChar());
          case 2 -> changed.deleteCharAt(at);
          case 3 -> {
            int next = Math.min(at + 1, key.length() - 1);
            changed.setCharAt(at, key.charAt(next));
            changed.setCharAt(next, key.charAt(at));
          }
          default -> {
            char c = key.charAt(at);
            changed.setCharAt(
                at, Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c));
          }
        }
        if (!changed.toString().equals(key)) {
          return changed.toString();
        }
      }
    }

    private char randomKeyChar() {
      return random.nextInt(8) == 0
          ? "_-.!~ ".charAt(random.nextInt(6))
          : SpecKeys.BASE62.charAt(random.nextInt(62));
    }

    private String base62(int length) {
      StringBuilder text = new StringBuilder(length);
      for (int i = 0; i < length; i++) {
        text.append(SpecKeys.BASE62.charAt(random.nextInt(62)));
      }
      return text.toString();
    }

    private String token(int length) {
      StringBuilder text = new StringBuilder(length);
      for (int i = 0; i < length; i++) {
        text.append(TCHAR.charAt(random.nextInt(TCHAR.length())));
      }
      return text.toString();
    }

    private String pick(List<String> choices) {
      return choices.get(random.nextInt(choices.size()));
    }

    /** Whether the real key is what the check would read as a key, in any of these headers. */
    private boolean carriesRealKey(RawHttp.Request request) {
      for (byte[][] header : request.headers()) {
        String name = new String(header[0], StandardCharsets.ISO_8859_1);
        String value = new String(header[1], StandardCharsets.ISO_8859_1).strip();
        if (name.equalsIgnoreCase("api-key") && value.equals(real)) {
          return true;
        }
        if (name.equalsIgnoreCase("Authorization")
            && value.regionMatches(true, 0, "Bearer ", 0, 7)
            && value.substring(7).strip().equals(real)) {
          return true;
        }
      }
      return false;
    }

    /** A token method and a target of visible ASCII, so the request line splits in three. */
    private boolean requestLineWellFormed(RawHttp.Request request) {
      if (!isToken(ascii(request.method()))) {
        return false;
      }
      for (byte b : request.target()) {
        if (b < 0x21 || b > 0x7e) {
          return false;
        }
      }
      return true;
    }

    /** HTTP/1.1 that every server must read: tokens, visible values, one Host, ordinary size. */
    private boolean wellFormed(RawHttp.Request request, int length) {
      if (length > 6_000 || request.target().length > 2_000 || !requestLineWellFormed(request)) {
        return false;
      }
      int hosts = 0;
      for (byte[][] header : request.headers()) {
        if (!isToken(header[0])) {
          return false;
        }
        for (byte b : header[1]) {
          if ((b < 0x20 && b != '\t') || b > 0x7e) {
            return false;
          }
        }
        if (new String(header[0], StandardCharsets.ISO_8859_1).equalsIgnoreCase("Host")) {
          hosts++;
        }
      }
      return hosts == 1;
    }

    private static boolean isToken(byte[] name) {
      if (name.length == 0) {
        return false;
      }
      for (byte b : name) {
        if (b < 0 || TCHAR.indexOf(b) < 0) {
          return false;
        }
      }
      return true;
    }
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] concat(byte[] first, byte[] second) {
    byte[] both = new byte[first.length + second.length];
    System.arraycopy(first, 0, both, 0, first.length);
    System.arraycopy(second, 0, both, first.length, second.length);
    return both;
  }
}
