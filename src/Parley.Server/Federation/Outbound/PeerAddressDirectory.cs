using Parley.Server.Storage;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Federation.Outbound;

/// <summary>
/// The Advanced-mode directory of peer users (table <c>peer_addresses</c>, schema migration 5): in Advanced routing
/// mode only a recipient listed here goes to the peer. Kept as bare JIDs (<c>user@domain</c>, the RFC 7247 form of
/// <c>sip:user@domain</c>). Read on every lookup, so `parley federation peer-address` changes apply at once.
/// </summary>
public sealed class PeerAddressDirectory(ParleyDatabase database, TimeProvider time)
{
    public Task<bool> ContainsAsync(Jid address, CancellationToken cancellationToken)
        => database.ReadAsync("looking up a federation peer address", session =>
            session.ScalarInt64("SELECT count(*) FROM peer_addresses WHERE address = $a", ("$a", address.Bare.ToString())) > 0, cancellationToken);

    /// <summary>Adds the addresses not yet listed; returns how many were new.</summary>
    public Task<int> AddAsync(IReadOnlyCollection<Jid> addresses, CancellationToken cancellationToken)
        => database.WriteAsync("adding federation peer addresses", session =>
        {
            var added = 0;
            var now = StoredTime.ToStored(time.GetUtcNow());
            foreach (var address in addresses)
            {
                added += session.Execute("INSERT OR IGNORE INTO peer_addresses (address, added_ms) VALUES ($a, $t)", ("$a", address.Bare.ToString()), ("$t", now));
            }

            return added;
        }, cancellationToken);

    /// <summary>True when the address was listed.</summary>
    public Task<bool> RemoveAsync(Jid address, CancellationToken cancellationToken)
        => database.WriteAsync("removing a federation peer address", session =>
            session.Execute("DELETE FROM peer_addresses WHERE address = $a", ("$a", address.Bare.ToString())) > 0, cancellationToken);

    public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken)
        => database.ReadAsync<IReadOnlyList<string>>("listing federation peer addresses", session =>
            session.Query("SELECT address FROM peer_addresses ORDER BY address", reader => reader.GetString(0)), cancellationToken);

    /// <summary>
    /// Parses <c>sip:user@domain</c> (or <c>user@domain</c>) into the stored form; null with <paramref name="problem"/>
    /// when it is not a user address.
    /// </summary>
    public static Jid? Parse(string text, out string? problem)
    {
        problem = null;
        var value = text.Trim();
        if (value.StartsWith("sip:", StringComparison.OrdinalIgnoreCase))
        {
            value = value[4..];
        }

        if (!Jid.TryParse(value, out var jid) || jid.Local is null || jid.Resource is not null)
        {
            problem = $"'{text}' is not a SIP user address; use sip:user@domain";
            return null;
        }

        return jid.Bare;
    }
}
