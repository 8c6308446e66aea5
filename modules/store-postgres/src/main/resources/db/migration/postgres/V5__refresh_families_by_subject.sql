-- revokeBySubjectAndClient (consent withdrawn, later admin revocation by subject): live families of a subject.
CREATE INDEX refresh_families_subject_client ON refresh_families (subject, client_id) WHERE NOT revoked;
