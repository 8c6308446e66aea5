package io.gatehouse.store.cluster;

import java.util.List;
import java.util.Objects;

/**
 * How a Gatehouse node finds and joins its Hazelcast cluster. Everything the network needs is here:
 * {@link HazelcastCluster} reads no {@code cluster.xml}, {@code hazelcast.xml} or {@code hazelcast.yaml},
 * and multicast is always off.
 *
 * <p>Blank strings count as absent, so a configuration file's empty defaults map straight onto this
 * record.
 *
 * @param clusterName the Hazelcast cluster name; only members with the same name join each other, so
 *     give every environment its own (for example {@code gatehouse-prod})
 * @param host the address to bind and advertise to the other members: an IP address or a host name
 *     (one address: the member binds to it only), or {@code 0.0.0.0} to bind every interface and let
 *     Hazelcast pick the address it advertises (in TCP-IP mode one that matches the member list, else
 *     the first non-loopback one)
 * @param port the member port, 1 to 65535, exactly that port (no auto-increment, so a busy port fails
 *     the start instead of silently moving); or 0 for a free ephemeral port (TCP-IP only: the other
 *     members must learn the port some other way, which suits tests)
 * @param discovery how the members find each other
 * @param members with {@link Discovery#TCP_IP}: the static member list, each {@code host} or
 *     {@code host:port} (without a port Hazelcast tries 5701 to 5703); the member's own address may be
 *     in it. Empty: the member starts a cluster of its own that the others join. Must be empty with
 *     {@link Discovery#KUBERNETES}
 * @param kubernetesServiceDns with {@link Discovery#KUBERNETES}, DNS lookup mode: the DNS name of a
 *     headless service selecting the Gatehouse pods (for example
 *     {@code gatehouse-hazelcast.my-namespace.svc.cluster.local}); needs no Kubernetes API access
 * @param kubernetesNamespace with {@link Discovery#KUBERNETES}, API mode: the namespace of the service;
 *     absent: the pod's own namespace
 * @param kubernetesServiceName with {@link Discovery#KUBERNETES}, API mode: the service whose endpoints
 *     are the members; needs a service account allowed to read endpoints (RBAC {@code get}/{@code list}
 *     on {@code endpoints}, {@code endpointslices}, {@code pods}, {@code nodes})
 * @param expectedMembers the number of members the cluster is meant to have (0 to
 *     {@value #MAX_EXPECTED_MEMBERS}); above 0, the code and session maps need a majority of it,
 *     {@link #quorum()}, to answer at all (see {@link HazelcastCluster}). 0: no such protection (a
 *     single node, tests)
 */
public record HazelcastClusterOptions(
    String clusterName,
    String host,
    int port,
    Discovery discovery,
    List<String> members,
    String kubernetesServiceDns,
    String kubernetesNamespace,
    String kubernetesServiceName,
    int expectedMembers) {

  /** How the members find each other. Multicast is not offered. */
  public enum Discovery {
    /** A static list of member addresses ({@code members}). */
    TCP_IP,
    /**
     * Hazelcast's built-in Kubernetes discovery: DNS lookup of a headless service
     * ({@code kubernetesServiceDns}) or the Kubernetes API ({@code kubernetesNamespace},
     * {@code kubernetesServiceName}), exactly one of the two.
     */
    KUBERNETES
  }

  /** The address meaning "every interface". */
  public static final String ANY_HOST = "0.0.0.0";

  /** The largest {@code expectedMembers}: far above any sensible Gatehouse cluster. */
  public static final int MAX_EXPECTED_MEMBERS = 99;

  /** Options without split-brain protection ({@code expectedMembers} 0). */
  public HazelcastClusterOptions(String clusterName, String host, int port, Discovery discovery, List<String> members,
      String kubernetesServiceDns, String kubernetesNamespace, String kubernetesServiceName) {
    this(clusterName, host, port, discovery, members, kubernetesServiceDns, kubernetesNamespace, kubernetesServiceName, 0);
  }

  public HazelcastClusterOptions {
    clusterName = blankToNull(clusterName);
    host = blankToNull(host);
    kubernetesServiceDns = blankToNull(kubernetesServiceDns);
    kubernetesNamespace = blankToNull(kubernetesNamespace);
    kubernetesServiceName = blankToNull(kubernetesServiceName);
    Objects.requireNonNull(discovery, "discovery");
    if (members == null) {
      members = List.of();
    }
    for (String member : members) {
      if (member == null || member.isBlank() || member.chars().anyMatch(c -> Character.isWhitespace(c) || c == ',' || c == ';')) {
        throw new IllegalArgumentException("each member must be one host or host:port, was '" + member + "'");
      }
    }
    members = List.copyOf(members);

    if (clusterName == null) {
      throw new IllegalArgumentException("clusterName must not be blank");
    }
    if (host == null) {
      throw new IllegalArgumentException("host must not be blank (use " + ANY_HOST + " for every interface)");
    }
    if (host.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("host must be one address or host name, was '" + host + "'");
    }
    if (expectedMembers < 0 || expectedMembers > MAX_EXPECTED_MEMBERS) {
      throw new IllegalArgumentException("expectedMembers must be between 0 and " + MAX_EXPECTED_MEMBERS + ", was " + expectedMembers);
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
    }
    switch (discovery) {
      case TCP_IP -> {
        if (kubernetesServiceDns != null || kubernetesNamespace != null || kubernetesServiceName != null) {
          throw new IllegalArgumentException("the kubernetes settings apply to discovery KUBERNETES only");
        }
      }
      case KUBERNETES -> {
        if (!members.isEmpty()) {
          throw new IllegalArgumentException("members apply to discovery TCP_IP only");
        }
        if (port == 0) {
          throw new IllegalArgumentException(
              "discovery KUBERNETES needs a fixed port: the members find each other's addresses, not ports");
        }
        boolean dns = kubernetesServiceDns != null;
        boolean api = kubernetesServiceName != null;
        if (dns == api) {
          throw new IllegalArgumentException(
              "discovery KUBERNETES needs exactly one of kubernetesServiceDns (DNS lookup) and kubernetesServiceName"
                  + " (Kubernetes API)");
        }
        if (dns && kubernetesNamespace != null) {
          throw new IllegalArgumentException(
              "kubernetesNamespace applies to the Kubernetes API mode; the service DNS name already names the namespace");
        }
      }
      default -> throw new AssertionError(discovery);
    }
  }

  /** Static TCP-IP discovery. */
  public static HazelcastClusterOptions tcpIp(String clusterName, String host, int port, List<String> members) {
    return new HazelcastClusterOptions(clusterName, host, port, Discovery.TCP_IP, members, null, null, null);
  }

  /** Kubernetes discovery by DNS lookup of a headless service. */
  public static HazelcastClusterOptions kubernetesDns(String clusterName, String host, int port, String serviceDns) {
    return new HazelcastClusterOptions(clusterName, host, port, Discovery.KUBERNETES, List.of(), serviceDns, null, null);
  }

  /**
   * Kubernetes discovery through the Kubernetes API.
   *
   * @param namespace the service's namespace, or null for the pod's own
   */
  public static HazelcastClusterOptions kubernetesApi(
      String clusterName, String host, int port, String namespace, String serviceName) {
    return new HazelcastClusterOptions(
        clusterName, host, port, Discovery.KUBERNETES, List.of(), null, namespace, serviceName);
  }

  /** These options with {@code expectedMembers} (0 switches the split-brain protection off). */
  public HazelcastClusterOptions withExpectedMembers(int expectedMembers) {
    return new HazelcastClusterOptions(clusterName, host, port, discovery, members, kubernetesServiceDns, kubernetesNamespace,
        kubernetesServiceName, expectedMembers);
  }

  /**
   * The members a side of a split needs to keep serving codes and sessions: a strict majority of
   * {@code expectedMembers}, {@code floor(n/2)+1}, so that at most one side of any split has it; 0 when
   * the protection is off.
   */
  public int quorum() {
    return expectedMembers == 0 ? 0 : expectedMembers / 2 + 1;
  }

  /** Whether the member binds every interface rather than one address. */
  public boolean bindsAnyHost() {
    return ANY_HOST.equals(host);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
