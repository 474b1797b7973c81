package io.keyport.catalog;

import java.util.Map;

/**
 * How many keys each product or plan has, as {live keys, keys ever made}: the admin pages show the
 * first, and the second decides whether a slug or plan name may still change. Keys are counted by
 * the keys capability, which owns them and depends on the catalogue, not the other way round.
 */
public interface KeyTally {

  /** Per product id; a product without keys is absent. */
  Map<Long, long[]> perProduct();

  long[] ofProduct(long productId);

  /** Per plan id; a plan without keys is absent. */
  Map<Long, long[]> perPlan();

  long[] ofPlan(long planId);
}
