package io.gatehouse.core.model;

/** Scopes a user has agreed to let one client have, and when they last agreed (epoch seconds). */
public record Consent(String subject, String clientId, Scopes scopes, long grantedAt) {}
