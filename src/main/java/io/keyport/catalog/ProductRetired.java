package io.keyport.catalog;

/**
 * Fired, synchronously and inside the retiring transaction, when an administrator retires a
 * product: the keys service revokes the product's live keys in that same transaction.
 */
public record ProductRetired(long productId, String slug, String actor) {}
