using Parley.Server.Presence.Availability;
using Parley.Server.Storage;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Sip.Presence.Publications;

/// <summary>Publications in the <c>sip_publications</c> table (schema migration 3), one row per entity tag.</summary>
public sealed class SqliteSipPublicationStore(ParleyDatabase database) : ISipPublicationStore
{
    public Task<IReadOnlyList<SipPublication>> LoadAsync(DateTimeOffset now, CancellationToken cancellationToken)
        => database.WriteAsync<IReadOnlyList<SipPublication>>("loading SIP presence publications", session =>
        {
            session.Execute("DELETE FROM sip_publications WHERE expires_ms <= $now", ("$now", StoredTime.ToStored(now)));
            var rows = session.Query(
                "SELECT etag, publisher, availability, note, modified_ms, expires_ms FROM sip_publications ORDER BY publisher, modified_ms",
                reader => Jid.TryParse(reader.GetString(1), out var publisher) && Enum.TryParse<Availability>(reader.GetString(2), out var availability)
                    ? new SipPublication(reader.GetString(0), publisher, new PresenceState(availability, reader.IsDBNull(3) ? null : reader.GetString(3)),
                        StoredTime.FromStored(reader.GetInt64(4)), StoredTime.FromStored(reader.GetInt64(5)))
                    : null);

            // A row that no longer parses is skipped: the publisher refreshes and, told 412, publishes afresh.
            return rows.OfType<SipPublication>().ToArray();
        }, cancellationToken);

    public Task SaveAsync(SipPublication publication, string? replacedETag, CancellationToken cancellationToken)
        => database.WriteAsync($"saving a SIP presence publication of {publication.Publisher}", session =>
        {
            if (replacedETag is not null)
            {
                session.Execute("DELETE FROM sip_publications WHERE etag = $etag", ("$etag", replacedETag));
            }

            return session.Execute(
                """
                INSERT OR REPLACE INTO sip_publications (etag, publisher, availability, note, modified_ms, expires_ms)
                VALUES ($etag, $publisher, $availability, $note, $modified, $expires)
                """,
                ("$etag", publication.ETag), ("$publisher", publication.Publisher.ToString()), ("$availability", publication.State.Availability.ToString()),
                ("$note", publication.State.Note), ("$modified", StoredTime.ToStored(publication.Modified)), ("$expires", StoredTime.ToStored(publication.Expires)));
        }, cancellationToken);

    public Task DeleteAsync(string etag, CancellationToken cancellationToken)
        => database.WriteAsync("deleting a SIP presence publication", session =>
            session.Execute("DELETE FROM sip_publications WHERE etag = $etag", ("$etag", etag)), cancellationToken);
}
