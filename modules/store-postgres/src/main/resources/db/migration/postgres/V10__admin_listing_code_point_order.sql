-- The admin API's paged listings (GET /admin/clients, GET /admin/users; ClientRegistry.list, UserStore.list)
-- walk clients by client_id and users by username_key in Unicode code point order, which is what COLLATE "C"
-- gives on UTF-8 text whatever the database's own collation. These indexes let a page and a prefix filter be
-- one range scan of at most limit + 1 entries.
CREATE INDEX clients_client_id_c_idx ON clients (client_id COLLATE "C");

CREATE INDEX users_username_key_c_idx ON users (username_key COLLATE "C");
