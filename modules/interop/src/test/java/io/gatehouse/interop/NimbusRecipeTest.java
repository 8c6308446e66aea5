package io.gatehouse.interop;

import com.nimbusds.oauth2.sdk.Scope;

/** Recipe (e) of docs/resource-servers.md: Nimbus (oauth2-oidc-sdk and nimbus-jose-jwt) in plain Java, in-process. */
class NimbusRecipeTest extends RecipeSpecification {
  private NimbusRecipe recipe;

  @Override
  void startRecipe(InteropGatehouse gatehouse) throws Exception {
    recipe = new NimbusRecipe(gatehouse.issuer, InteropGatehouse.AUDIENCE);
  }

  @Override
  void stopRecipe() {}

  @Override
  Answer getOrders(String authorization) {
    NimbusRecipe.Decision d = recipe.authorize(authorization, new Scope(InteropGatehouse.READ));
    String body = d.claims() == null ? "" : "{\"sub\":\"" + d.claims().getSubject() + "\"}";
    return new Answer(d.status(), d.challenge(), body);
  }
}
