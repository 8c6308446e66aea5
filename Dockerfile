# Gatehouse container image from the shaded jar, for those who build with Docker (the Maven profile
# `image` builds the same image with Jib, without Docker: see k8s/README.md).
#
#   mvn -B -q -DskipTests package
#   docker build -t gatehouse:0.1.0-SNAPSHOT .
#   docker run --rm -p 8080:8080 -e GATEHOUSE_HTTP_HOST=0.0.0.0 gatehouse:0.1.0-SNAPSHOT
#
# Runs as the non-root user 10001 (the uid k8s/deployment.yaml's securityContext names). Arguments are
# passed to the server: docker run ... gatehouse:0.1.0-SNAPSHOT --config /etc/gatehouse/gatehouse.yaml
FROM eclipse-temurin:17-jre

# the working directory holds the embedded default's ./data (keys.data_dir): writable by the user only
RUN mkdir -p /app /var/lib/gatehouse \
 && chown 10001:10001 /var/lib/gatehouse \
 && chmod 700 /var/lib/gatehouse
COPY modules/server/target/gatehouse.jar /app/gatehouse.jar

USER 10001:10001
WORKDIR /var/lib/gatehouse
# 8080: HTTP (http.port); 5701: Hazelcast (cluster.port)
EXPOSE 8080 5701
ENTRYPOINT ["java", "-jar", "/app/gatehouse.jar"]
