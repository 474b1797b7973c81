package io.keyport.check;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Every hash a key may pass under, in eight bytes each: 64 bits of the hash (from its first eleven
 * base64 characters) in an open-addressing table (linear probing, at most three quarters full). It
 * answers "may this hash be a key?" without PostgreSQL: a hash it lacks is certainly not one it was
 * given; a hash it holds is most likely one (a random hash matches one of n others' 64 bits once in
 * 2^64/n tries), to be confirmed by the key lookup. It only grows; a new index built from the
 * database replaces it to drop revoked keys.
 *
 * <p>Readers never lock: they read the current table through a volatile field and its slots as
 * volatile longs. Writers hold the index's monitor; a reader that races a write may miss the new
 * hash, which the caller treats as "not indexed yet".
 */
final class KeyIndex {

  private static final int MIN_CAPACITY = 1 << 10;

  private volatile AtomicLongArray slots;
  private int size;

  KeyIndex(int expected) {
    slots = new AtomicLongArray(capacityFor(expected));
  }

  /** Whether this hash (base64 of at least eight bytes, as {@code KeyHasher} makes) was added. */
  boolean mayContain(String keyHash) {
    long prefix = prefix(keyHash);
    if (prefix == 0) {
      return false;
    }
    AtomicLongArray table = slots;
    int mask = table.length() - 1;
    for (int i = spread(prefix) & mask; ; i = (i + 1) & mask) {
      long slot = table.get(i);
      if (slot == prefix) {
        return true;
      }
      if (slot == 0) {
        return false;
      }
    }
  }

  /**
   * Adds the hash; a hash that is not base64 of eight bytes or more is not a key's and is ignored.
   */
  synchronized void add(String keyHash) {
    long prefix = prefix(keyHash);
    if (prefix == 0) {
      return;
    }
    if ((size + 1) * 4L > slots.length() * 3L) {
      grow();
    }
    if (insert(slots, prefix)) {
      size++;
    }
  }

  synchronized int size() {
    return size;
  }

  /** The table's own size in memory, in bytes. */
  long bytes() {
    return 8L * slots.length();
  }

  private void grow() {
    AtomicLongArray old = slots;
    AtomicLongArray table = new AtomicLongArray(old.length() * 2);
    for (int i = 0; i < old.length(); i++) {
      long slot = old.get(i);
      if (slot != 0) {
        insert(table, slot);
      }
    }
    slots = table;
  }

  private static boolean insert(AtomicLongArray table, long prefix) {
    int mask = table.length() - 1;
    for (int i = spread(prefix) & mask; ; i = (i + 1) & mask) {
      long slot = table.get(i);
      if (slot == prefix) {
        return false;
      }
      if (slot == 0) {
        table.set(i, prefix);
        return true;
      }
    }
  }

  private static int capacityFor(int expected) {
    long needed = Math.max(MIN_CAPACITY, (Math.max(0, expected) * 4L + 2) / 3);
    return (int) Math.min(1L << 30, Long.highestOneBit(needed - 1) << 1);
  }

  private static int spread(long prefix) {
    long mixed = prefix * 0x9E3779B97F4A7C15L;
    return (int) (mixed >>> 32) ^ (int) mixed;
  }

  /**
   * 64 bits of a base64 hash: the last 64 of the 66 its first eleven characters carry. Never 0 for
   * a hash; 0 when the text is not base64 of eight bytes or more.
   */
  static long prefix(String keyHash) {
    if (keyHash == null || keyHash.length() < 12) {
      return 0;
    }
    long bits = 0;
    for (int i = 0; i < 11; i++) {
      int value = sextet(keyHash.charAt(i));
      if (value < 0) {
        return 0;
      }
      bits = (bits << 6) | value;
    }
    // 66 bits read, the first two shifted out: 64 of the hash's bits; all zero takes 1's place
    return bits == 0 ? 1 : bits;
  }

  private static int sextet(char c) {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    if (c == '+') {
      return 62;
    }
    if (c == '/') {
      return 63;
    }
    return -1;
  }
}
