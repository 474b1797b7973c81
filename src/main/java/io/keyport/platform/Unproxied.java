package io.keyport.platform;

/**
 * A normal-scoped bean's own instance, handed out past its CDI client proxy for code that calls it
 * on every request (the check's Netty event loops): each call through a proxy looks the bean up in
 * the container again (Payara's Weld asks ACLSingletonProvider for the class loader every time). It
 * is a wrapper because Weld hands back the proxy from a method that returns {@code this}. Only for
 * application-scoped beans without interceptors, whose instance is the one the proxy would find for
 * the application's life.
 */
public record Unproxied<T>(T bean) {}
