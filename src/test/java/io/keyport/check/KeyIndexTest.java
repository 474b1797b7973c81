package io.keyport.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyport.keys.KeyFormat;
import io.keyport.keys.KeyHasher;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The compact index of live hashes: what it holds, what it lacks, its size in memory. */
class KeyIndexTest {

  private static final KeyHasher HASHER = KeyHasher.withSecret("index-test-secret");

  private static List<String> hashes(int count) {
    List<String> hashes = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      hashes.add(HASHER.hash(KeyFormat.generate("kp")));
    }
    return hashes;
  }

  @Test
  void holdsEveryHashItWasGivenThroughGrowthAndLacksOthers() {
    KeyIndex index = new KeyIndex(0);
    List<String> added = hashes(200_000);
    added.forEach(index::add);
    assertEquals(added.size(), index.size());
    for (String hash : added) {
      assertTrue(index.mayContain(hash), hash);
    }
    int falsePositives = 0;
    for (String other : hashes(200_000)) {
      if (index.mayContain(other)) {
        falsePositives++;
      }
    }
    assertEquals(0, falsePositives, "64 bits of a hash tell 200,000 keys from 200,000 others");
  }

  @Test
  void aMillionKeysTakeSixteenMebibytes() {
    KeyIndex index = new KeyIndex(1_000_000);
    long before = index.bytes();
    hashes(100_000).forEach(index::add);
    assertEquals(before, index.bytes(), "sized for a million at the start: no growth");
    assertEquals(16L << 20, index.bytes(), "2^21 slots of 8 bytes, at most three quarters full");
  }

  @Test
  void addingAHashTwiceCountsItOnce() {
    KeyIndex index = new KeyIndex(10);
    String hash = hashes(1).get(0);
    index.add(hash);
    index.add(hash);
    assertEquals(1, index.size());
  }

  @Test
  void textThatIsNoHashIsNeitherAddedNorFound() {
    KeyIndex index = new KeyIndex(10);
    for (String bad : new String[] {null, "", "short", "not*base64!chars", "ééééééééééééé"}) {
      index.add(bad);
      assertFalse(index.mayContain(bad), String.valueOf(bad));
    }
    assertEquals(0, index.size());
  }

  @Test
  void thePrefixIsSixtyFourBitsOfTheHash() {
    String a = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    String b = "AAAAAAAAAACAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    assertEquals(1, KeyIndex.prefix(a), "all zero bits take 1's place, 0 means no hash");
    assertNotEquals(KeyIndex.prefix(a), KeyIndex.prefix(b), "the eleventh character counts");
    assertEquals(
        KeyIndex.prefix("q83vEjxUNGIbaKBcM3xrTcsO1Ri7tZyxm6ZxYnOdL2A="),
        KeyIndex.prefix("q83vEjxUNGIzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz="),
        "only the first eleven characters are read");
  }
}
