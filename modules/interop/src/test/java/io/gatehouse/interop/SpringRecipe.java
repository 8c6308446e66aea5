package io.gatehouse.interop;

import java.util.Objects;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Recipe (d) of docs/resource-servers.md: a Spring Security resource server. {@code JwtDecoders.fromIssuerLocation}
 * (what Spring Boot's {@code issuer-uri} builds) alone refuses every RFC 9068 access token (its default type check
 * wants {@code JWT}) and accepts an ID token (no audience or type check): the decoder below checks RFC 9068 instead.
 */
@Configuration
@EnableWebSecurity
class SpringRecipe {
  @Bean
  JwtDecoder jwtDecoder(@Value("${gatehouse.issuer}") String issuer, @Value("${gatehouse.audience}") String audience) {
    NimbusJwtDecoder decoder = NimbusJwtDecoder.withIssuerLocation(issuer)
        .validateType(false) // the type is checked below, by the RFC 9068 validator, not by Nimbus (which wants "JWT")
        .build();
    // RFC 9068 §4: typ "at+jwt", iss, aud, exp, and the claims an access token must have (sub, iat, jti, client_id)
    decoder.setJwtValidator(JwtValidators.createAtJwtValidator()
        .audience(audience)
        .issuer(issuer)
        // any client's token (the builder insists on a client_id rule: .clientId("...") admits one client only)
        .validators(rules -> rules.put("client_id", new JwtClaimValidator<String>("client_id", Objects::nonNull)))
        .build());
    return decoder;
  }

  @Bean
  SecurityFilterChain api(HttpSecurity http) throws Exception {
    return http
        .authorizeHttpRequests(requests -> requests
            .requestMatchers("/orders").hasAuthority("SCOPE_orders:read") // 403 insufficient_scope without it
            .anyRequest().authenticated())
        .oauth2ResourceServer(resourceServer -> resourceServer.jwt(Customizer.withDefaults()))
        .build();
  }
}
