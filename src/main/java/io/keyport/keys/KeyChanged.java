package io.keyport.keys;

/** Fired when a key's state changes; observers act after the transaction commits. */
public record KeyChanged(String keyHash) {}
