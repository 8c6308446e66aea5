package io.gatehouse.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.servlet.Filter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.env.MapPropertySource;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.MockServletContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtDecoders;
import org.springframework.web.context.support.AnnotationConfigWebApplicationContext;

/**
 * Recipe (d) of docs/resource-servers.md: Spring Security's resource server ({@link SpringRecipe}) without Spring
 * Boot: the recipe's application context is started in-process and each request goes through its real
 * {@code springSecurityFilterChain} (mock servlet request and response; the "controller" answers the subject).
 * Issue 14 item 2: {@code JwtDecoders.fromIssuerLocation} alone is shown to be wrong both ways.
 */
class SpringSecurityRecipeTest extends RecipeSpecification {
  private AnnotationConfigWebApplicationContext context;
  private Filter security;

  @Override
  void startRecipe(InteropGatehouse gatehouse) {
    context = new AnnotationConfigWebApplicationContext();
    context.setServletContext(new MockServletContext());
    context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("gatehouse",
        Map.of("gatehouse.issuer", gatehouse.issuer, "gatehouse.audience", InteropGatehouse.AUDIENCE)));
    context.register(SpringRecipe.class);
    context.refresh();
    security = context.getBean("springSecurityFilterChain", Filter.class);
  }

  @Override
  void stopRecipe() {
    if (context != null) {
      context.close();
    }
  }

  @Override
  Answer getOrders(String authorization) throws Exception {
    MockHttpServletRequest request = new MockHttpServletRequest("GET", "/orders");
    request.setServletPath("/orders"); // as a servlet container sets it for a servlet mapped to "/"
    if (authorization != null) {
      request.addHeader("Authorization", authorization);
    }
    MockHttpServletResponse response = new MockHttpServletResponse();
    try {
      security.doFilter(request, response, (req, res) -> {
        res.setContentType("application/json");
        res.getWriter().write("{\"sub\":\"" + SecurityContextHolder.getContext().getAuthentication().getName() + "\"}");
      });
    } finally {
      SecurityContextHolder.clearContext();
    }
    return new Answer(response.getStatus(), response.getHeader("WWW-Authenticate"), response.getContentAsString());
  }

  @Test
  void fromIssuerLocationAloneWhenAccessTokenThenRefusedForItsType() throws Exception {
    JwtDecoder issuerOnly = JwtDecoders.fromIssuerLocation(gatehouse.issuer);
    String accessToken = gatehouse.accessToken(InteropGatehouse.READ);
    assertThatThrownBy(() -> issuerOnly.decode(accessToken)).isInstanceOf(BadJwtException.class).hasMessageContaining("typ");
  }

  @Test
  void fromIssuerLocationAloneWhenIdTokenThenAccepted() throws Exception {
    JwtDecoder issuerOnly = JwtDecoders.fromIssuerLocation(gatehouse.issuer);
    Jwt idToken = issuerOnly.decode(gatehouse.idToken());
    assertThat(idToken.getSubject()).isEqualTo(InteropGatehouse.SUBJECT);
    assertThat(idToken.getHeaders()).containsEntry("typ", "JWT");
  }

  @Test
  void recipeDecoderWhenIdTokenThenRefusedForItsType() throws Exception {
    JwtDecoder recipe = context.getBean(JwtDecoder.class);
    String idToken = gatehouse.idToken();
    assertThatThrownBy(() -> recipe.decode(idToken)).isInstanceOf(BadJwtException.class).hasMessageContaining("typ");
  }
}
