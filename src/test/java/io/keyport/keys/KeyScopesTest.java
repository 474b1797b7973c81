package io.keyport.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyport.platform.RequestRefused;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyScopesTest {

  private static final KeyScopes PETS_READ = new KeyScopes(List.of("GET"), List.of("/pets"));

  @Test
  void aPrefixMatchesWholeSegmentsOnly() {
    assertTrue(PETS_READ.admits("GET", "/pets", false));
    assertTrue(PETS_READ.admits("GET", "/pets/", false));
    assertTrue(PETS_READ.admits("GET", "/pets/1/photos", false));
    assertFalse(PETS_READ.admits("GET", "/petsadmin", false));
    assertFalse(PETS_READ.admits("GET", "/pets-admin/x", false));
    assertFalse(PETS_READ.admits("GET", "/pet", false));
    assertFalse(PETS_READ.admits("GET", "/", false));
    assertFalse(PETS_READ.admits("GET", "/store/pets", false));
    assertFalse(PETS_READ.admits("GET", null, false));
    KeyScopes slash = new KeyScopes(List.of(), List.of("/pets/"));
    assertTrue(slash.admits("DELETE", "/pets", false));
    assertTrue(slash.admits("DELETE", "/pets/9", false));
    assertFalse(slash.admits("DELETE", "/petsadmin", false));
  }

  @Test
  void methodsAreCompared() {
    assertTrue(PETS_READ.admits("get", "/pets", false));
    assertFalse(PETS_READ.admits("POST", "/pets", false));
    assertFalse(PETS_READ.admits(null, "/pets", false));
    assertTrue(new KeyScopes(List.of("POST"), List.of()).admits("POST", "/anything", false));
    assertTrue(KeyScopes.NONE.admits("PURGE", "/x", false));
  }

  @Test
  void caseIsFoldedOnlyWhenRoutesIgnoreCase() {
    assertFalse(PETS_READ.admits("GET", "/PETS/1", false));
    assertTrue(PETS_READ.admits("GET", "/PETS/1", true));
    assertFalse(PETS_READ.admits("GET", "/PETSADMIN", true));
  }

  @Test
  void scopesAreCheckedAsWritten() {
    KeyScopes clean =
        KeyRules.scopes(new KeyScopes(List.of("get", " POST", "GET"), List.of("/pets", "/store/")));
    assertEquals(List.of("GET", "POST"), clean.methods());
    assertEquals(List.of("/pets", "/store/"), clean.pathPrefixes());
    assertEquals(KeyScopes.NONE, KeyRules.scopes(new KeyScopes(null, null)));
    for (String bad :
        List.of("pets", "/pets/../admin", "/pets//x", "/a/./b", "/p%2e", "/a b", "/a;b")) {
      RequestRefused refused =
          assertThrows(
              RequestRefused.class,
              () -> KeyRules.scopes(new KeyScopes(List.of(), List.of(bad))),
              bad);
      assertEquals("scopes.pathPrefixes", refused.field(), bad);
    }
    RequestRefused method =
        assertThrows(
            RequestRefused.class,
            () -> KeyRules.scopes(new KeyScopes(Arrays.asList("FETCH"), List.of())));
    assertEquals("scopes.methods", method.field());
    assertThrows(
        RequestRefused.class,
        () -> KeyRules.scopes(new KeyScopes(Arrays.asList((String) null), List.of())));
  }
}
