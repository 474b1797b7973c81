package io.keyport.mirror;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class RedisNamesTest {

  @Test
  void aUsernameShapedLikeAKeysIdOrHashIsRefused() {
    assertNotNull(RedisNames.usernameConflict("0b7c6e2a-4b6f-4f43-9d7e-2f1c8a9b0c1d"));
    assertNotNull(RedisNames.usernameConflict("0B7C6E2A-4B6F-4F43-9D7E-2F1C8A9B0C1D"));
    assertNotNull(RedisNames.usernameConflict("q83vEjxUNGIbaKBcM3xrTcsO1Ri7tZyxm6ZxYnOdL2A="));
  }

  @Test
  void keyportsOwnNamespaceIsRefused() {
    assertNotNull(RedisNames.usernameConflict("keyport:rate:x"));
    assertNotNull(RedisNames.usernameConflict("KEYPORT:quota@example.com"));
  }

  @Test
  void ordinaryUsernamesAreFine() {
    assertNull(RedisNames.usernameConflict("jane@example.com"));
    assertNull(RedisNames.usernameConflict("keyport@example.com"));
    assertNull(RedisNames.usernameConflict("0b7c6e2a-4b6f-4f43-9d7e-2f1c8a9b0c1d@example.com"));
  }
}
