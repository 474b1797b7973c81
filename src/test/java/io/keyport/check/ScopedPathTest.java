package io.keyport.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keyport.keys.KeyScopes;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Scopes as the check applies them: on {@link RequestPath}'s normalised path. */
class ScopedPathTest {

  private static final KeyScopes PETS_READ = new KeyScopes(List.of("GET"), List.of("/pets"));

  /** The check matches scopes on its normalised path: traversal cannot climb out of a prefix. */
  @Test
  void traversalSpellingsDoNotEscapeThePrefix() {
    String[][] cases = {
      {"/pets/../admin", "/admin"},
      {"/pets/%2e%2e/admin", null},
      {"/pets/%2E%2E/admin", null},
      {"/pets//admin", null},
      {"/pets/..%2fadmin", null},
      {"/pets/.%2e/admin", null},
      {"/pets;/../admin", null},
      {"/pets/./1", "/pets/1"},
      {"/petsadmin/../pets/1", "/pets/1"},
    };
    for (String[] c : cases) {
      String normalised = RequestPath.normalise(c[0]);
      assertEquals(c[1], normalised, c[0]);
      boolean expected = c[1] != null && c[1].startsWith("/pets/");
      assertEquals(expected, PETS_READ.admits("GET", normalised, false), c[0]);
    }
  }
}
