namespace Parley.Server.Storage;

/// <summary>One step of the SQLite schema. Steps are applied in order, each once, all pending ones in one transaction.</summary>
public sealed record SchemaMigration(int Version, string Description, string Sql);

/// <summary>The SQLite schema history. Never edit a released step: add a new one.</summary>
internal static class SchemaMigrations
{
    public static readonly IReadOnlyList<SchemaMigration> All =
    [
        new(1, "deployment settings, users, rosters, privacy lists, offline messages, events",
            """
            CREATE TABLE revisions (
                revision    INTEGER PRIMARY KEY AUTOINCREMENT,
                time_ms     INTEGER NOT NULL,
                actor       TEXT NOT NULL,
                description TEXT NOT NULL
            );
            CREATE TABLE domains (
                name        TEXT PRIMARY KEY,
                created_ms  INTEGER NOT NULL
            );
            CREATE TABLE settings (
                name        TEXT PRIMARY KEY,
                value       TEXT NOT NULL
            );
            CREATE TABLE users (
                id          INTEGER PRIMARY KEY,
                jid         TEXT NOT NULL UNIQUE,
                domain      TEXT NOT NULL REFERENCES domains(name),
                enabled     INTEGER NOT NULL,
                created_ms  INTEGER NOT NULL
            );
            CREATE INDEX users_by_domain ON users(domain, jid);
            CREATE TABLE scram_credentials (
                user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                hash        TEXT NOT NULL,
                salt        BLOB NOT NULL,
                iterations  INTEGER NOT NULL,
                stored_key  BLOB NOT NULL,
                server_key  BLOB NOT NULL,
                PRIMARY KEY (user_id, hash)
            );
            CREATE TABLE roster_versions (
                owner       TEXT PRIMARY KEY,
                version     INTEGER NOT NULL
            );
            CREATE TABLE roster_items (
                owner        TEXT NOT NULL,
                contact      TEXT NOT NULL,
                name         TEXT,
                groups_json  TEXT NOT NULL,
                subscription INTEGER NOT NULL,
                pending_out  INTEGER NOT NULL,
                pending_in   INTEGER NOT NULL,
                pre_approved INTEGER NOT NULL,
                hidden       INTEGER NOT NULL,
                PRIMARY KEY (owner, contact)
            );
            CREATE TABLE privacy_entries (
                owner       TEXT NOT NULL,
                list        INTEGER NOT NULL,
                entry       TEXT NOT NULL,
                PRIMARY KEY (owner, list, entry)
            );
            CREATE TABLE offline_messages (
                id          INTEGER PRIMARY KEY AUTOINCREMENT,
                owner       TEXT NOT NULL,
                stored_ms   INTEGER NOT NULL,
                stanza      TEXT NOT NULL
            );
            CREATE INDEX offline_messages_by_owner ON offline_messages(owner, id);
            CREATE TABLE events (
                sequence    INTEGER PRIMARY KEY AUTOINCREMENT,
                id          INTEGER NOT NULL,
                source      TEXT NOT NULL,
                level       INTEGER NOT NULL,
                time_ms     INTEGER NOT NULL,
                message     TEXT NOT NULL,
                cause       TEXT NOT NULL,
                resolution  TEXT NOT NULL,
                node        TEXT NOT NULL
            );
            CREATE INDEX events_by_time ON events(time_ms);
            CREATE INDEX events_by_id ON events(id, time_ms);
            """),
        new(2, "SIP digest credentials and SIP registrations",
            """
            CREATE TABLE sip_digest_credentials (
                user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                algorithm   TEXT NOT NULL,
                username    TEXT NOT NULL,
                realm       TEXT NOT NULL,
                ha1         TEXT NOT NULL,
                PRIMARY KEY (user_id, algorithm)
            );
            CREATE TABLE sip_bindings (
                aor         TEXT NOT NULL,
                contact     TEXT NOT NULL,
                call_id     TEXT NOT NULL,
                cseq        INTEGER NOT NULL,
                expires_ms  INTEGER NOT NULL,
                q           REAL,
                transport   TEXT NOT NULL,
                remote      TEXT NOT NULL,
                local       TEXT NOT NULL,
                user_agent  TEXT,
                PRIMARY KEY (aor, contact)
            );
            CREATE INDEX sip_bindings_by_expiry ON sip_bindings(expires_ms);
            """),
        new(3, "SIP presence subscriptions and publications",
            """
            CREATE TABLE sip_subscriptions (
                id           TEXT PRIMARY KEY,
                watcher      TEXT NOT NULL,
                presentity   TEXT NOT NULL,
                call_id      TEXT NOT NULL,
                local_tag    TEXT NOT NULL,
                remote_tag   TEXT NOT NULL,
                local_cseq   INTEGER NOT NULL,
                remote_cseq  INTEGER NOT NULL,
                local_party  TEXT NOT NULL,
                remote_party TEXT NOT NULL,
                remote_target TEXT NOT NULL,
                route_set    TEXT NOT NULL,
                secure       INTEGER NOT NULL,
                transport    TEXT NOT NULL,
                remote       TEXT NOT NULL,
                local        TEXT NOT NULL,
                accept       TEXT,
                event_id     TEXT,
                expires_ms   INTEGER NOT NULL
            );
            CREATE INDEX sip_subscriptions_by_presentity ON sip_subscriptions(presentity);
            CREATE TABLE sip_publications (
                etag         TEXT PRIMARY KEY,
                publisher    TEXT NOT NULL,
                availability TEXT NOT NULL,
                note         TEXT,
                modified_ms  INTEGER NOT NULL,
                expires_ms   INTEGER NOT NULL
            );
            CREATE INDEX sip_publications_by_publisher ON sip_publications(publisher);
            """),
        new(4, "central management store documents, replication status and requests; domains and presence settings become documents",
            """
            CREATE TABLE cms_documents (
                name        TEXT PRIMARY KEY,
                json        TEXT NOT NULL,
                revision    INTEGER NOT NULL
            );
            CREATE TABLE replication_status (
                fqdn                    TEXT PRIMARY KEY,
                applied_revision        INTEGER NOT NULL,
                content_hash            TEXT,
                last_status_report_ms   INTEGER,
                last_update_creation_ms INTEGER,
                product_version         TEXT,
                consecutive_failures    INTEGER NOT NULL DEFAULT 0,
                last_error              TEXT,
                last_error_event        INTEGER,
                deleted                 INTEGER NOT NULL DEFAULT 0
            );
            CREATE TABLE replication_requests (
                id            INTEGER PRIMARY KEY,
                fqdn          TEXT,
                requested_ms  INTEGER NOT NULL,
                actor         TEXT NOT NULL
            );
            INSERT INTO cms_documents (name, json, revision)
                SELECT 'domains', coalesce((SELECT json_group_array(name) FROM (SELECT name FROM domains ORDER BY name)), '[]'),
                       (SELECT coalesce(max(revision), 0) FROM revisions);
            INSERT INTO cms_documents (name, json, revision)
                SELECT 'presence',
                       json_object(
                           'maxContactListSize', json_extract(value, '$.MaxContactListSize'),
                           'maxWatchers', json_extract(value, '$.MaxWatchers'),
                           'autoApproveLocalDomain', json(CASE WHEN coalesce(json_extract(value, '$.AutoApproveLocalDomain'), 1) THEN 'true' ELSE 'false' END)),
                       (SELECT coalesce(max(revision), 0) FROM revisions)
                FROM settings WHERE name = 'presence';
            DELETE FROM settings WHERE name = 'presence';
            """),
        new(5, "federation: presence subscriptions of local users to peer users, and the Advanced-mode peer address directory",
            """
            CREATE TABLE federation_subscriptions (
                local_user   TEXT NOT NULL,
                remote_user  TEXT NOT NULL,
                created_ms   INTEGER NOT NULL,
                PRIMARY KEY (local_user, remote_user)
            );
            CREATE TABLE peer_addresses (
                address      TEXT PRIMARY KEY,
                added_ms     INTEGER NOT NULL
            );
            """),
    ];

    public static int Latest => All[^1].Version;
}
