package io.gatehouse.server.http.routes;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

/**
 * One area of the HTTP edge: a module built once with exactly its dependencies, then mounted on the
 * router of every HTTP verticle instance ({@code vertx}: the instance's, for what a module builds per
 * instance, such as template engines).
 */
public interface Routes {
  void mount(Vertx vertx, Router router);
}
