using Parley.Server.Roster;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Sessions;

/// <summary>
/// A user with at least one session: their resources plus an in-memory copy of the roster and privacy lists,
/// so routing a message or broadcasting presence touches no storage. The copy is changed only under the user's
/// lock, in the same step as the store.
/// </summary>
public sealed class OnlineUser
{
    private volatile XmppSession[] _sessions = [];

    public OnlineUser(Jid bareJid, RosterSnapshot roster, IEnumerable<Jid> blocked, IEnumerable<Jid> allowed)
    {
        BareJid = bareJid;
        RosterVersion = roster.Version;
        foreach (var item in roster.Items)
        {
            Roster[item.Contact] = item;
        }

        Blocked = new HashSet<Jid>(blocked);
        Allowed = new HashSet<Jid>(allowed);
    }

    public Jid BareJid { get; }

    /// <summary>Contact → item; read by any thread, written only under the user lock (replace-whole-item).</summary>
    public Dictionary<Jid, RosterItem> Roster { get; } = [];

    public long RosterVersion { get; set; }

    public HashSet<Jid> Blocked { get; }

    public HashSet<Jid> Allowed { get; }

    /// <summary>Set when the last session left; a retired object is never reused.</summary>
    public bool Retired { get; set; }

    public IReadOnlyList<XmppSession> Sessions => _sessions;

    public void AddSession(XmppSession session) => _sessions = [.. _sessions, session];

    public void RemoveSession(XmppSession session) => _sessions = _sessions.Where(s => !ReferenceEquals(s, session)).ToArray();

    public XmppSession? FindSession(string resource)
    {
        foreach (var session in _sessions)
        {
            if (session.FullJid.Resource == resource)
            {
                return session;
            }
        }

        return null;
    }

    public RosterItem? FindItem(Jid contact)
    {
        lock (Roster)
        {
            return Roster.GetValueOrDefault(contact);
        }
    }

    public void SetItem(RosterItem item, long version)
    {
        lock (Roster)
        {
            Roster[item.Contact] = item;
            RosterVersion = version;
        }
    }

    public void RemoveItem(Jid contact, long version)
    {
        lock (Roster)
        {
            Roster.Remove(contact);
            RosterVersion = version;
        }
    }

    public RosterItem[] RosterItems()
    {
        lock (Roster)
        {
            return [.. Roster.Values];
        }
    }

    /// <summary>XEP-0191 matching: full JID, bare JID or domain entries.</summary>
    public bool IsBlocking(Jid other)
    {
        lock (Blocked)
        {
            return Matches(Blocked, other);
        }
    }

    public bool IsAllowing(Jid other)
    {
        lock (Allowed)
        {
            return Matches(Allowed, other);
        }
    }

    internal static bool Matches(HashSet<Jid> list, Jid other)
    {
        if (list.Count == 0)
        {
            return false;
        }

        if (list.Contains(other))
        {
            return true;
        }

        if (!other.IsBare && list.Contains(other.Bare))
        {
            return true;
        }

        return Jid.TryParse(other.Domain, out var domain) && list.Contains(domain);
    }
}
