package io.keyport.identity;

import java.util.Map;

/**
 * How many live keys each user holds, for the admin's user list. Counted by the keys capability,
 * which owns the keys and depends on identity, not the other way round.
 */
public interface OwnedKeys {

  /** Per user id; a user without live keys is absent. */
  Map<Long, Long> livePerUser();

  long liveOf(long userId);
}
