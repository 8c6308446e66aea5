package io.gatehouse.interop;

/** A Node.js recipe (src/test/node) run as a child process: {@link RecipeSpecification} over HTTP. */
abstract class NodeRecipeSpecification extends RecipeSpecification {
  private NodeApp app;

  /** The recipe's file in src/test/node. */
  abstract String script();

  @Override
  void startRecipe(InteropGatehouse gatehouse) throws Exception {
    app = NodeApp.start(script(), gatehouse);
  }

  @Override
  void stopRecipe() {
    if (app != null) {
      app.close();
    }
  }

  @Override
  Answer getOrders(String authorization) throws Exception {
    return get(app.base + "/orders", authorization);
  }
}
