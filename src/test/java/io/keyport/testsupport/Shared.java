package io.keyport.testsupport;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a field or parameter of type {@link KeyportServer} or {@link java.net.URL} (the portal's
 * base URL) that {@link KeyportServers} fills with the run's shared node of a configuration. Static
 * fields are filled before {@code @BeforeAll} methods run.
 */
@Target({ElementType.FIELD, ElementType.PARAMETER})
@Retention(RetentionPolicy.RUNTIME)
public @interface Shared {
  ServerConfig value() default ServerConfig.DEFAULT;
}
