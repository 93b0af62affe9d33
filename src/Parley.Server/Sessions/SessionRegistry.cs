using System.Collections.Concurrent;
using Parley.Server.Privacy;
using Parley.Server.Roster;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Sessions;

/// <summary>Who is online on this node: users by bare JID, and sessions awaiting XEP-0198 resumption by stream id.</summary>
public sealed class SessionRegistry(IRosterStore rosters, IPrivacyStore privacy, UserLocks locks)
{
    private readonly ConcurrentDictionary<Jid, OnlineUser> _users = new();
    private readonly ConcurrentDictionary<string, XmppSession> _resumable = new(StringComparer.Ordinal);

    public UserLocks Locks { get; } = locks;

    public int UserCount => _users.Count;

    public OnlineUser? Find(Jid bareJid) => _users.GetValueOrDefault(bareJid);

    public XmppSession? FindSession(Jid fullJid)
        => fullJid.Resource is null ? null : Find(fullJid.Bare)?.FindSession(fullJid.Resource);

    public IEnumerable<OnlineUser> Users => _users.Values;

    /// <summary>Returns the user's online state, loading roster and privacy lists when they come online.</summary>
    public async Task<OnlineUser> GetOrLoadAsync(Jid bareJid, CancellationToken cancellationToken)
    {
        if (_users.TryGetValue(bareJid, out var online))
        {
            return online;
        }

        using (await Locks.AcquireAsync(bareJid, cancellationToken).ConfigureAwait(false))
        {
            if (_users.TryGetValue(bareJid, out online))
            {
                return online;
            }

            var roster = await rosters.GetAsync(bareJid, cancellationToken).ConfigureAwait(false);
            var blocked = await privacy.GetAsync(bareJid, PrivacyListKind.Block, cancellationToken).ConfigureAwait(false);
            var allowed = await privacy.GetAsync(bareJid, PrivacyListKind.Allow, cancellationToken).ConfigureAwait(false);
            online = new OnlineUser(bareJid, roster, blocked, allowed);
            _users[bareJid] = online;
            return online;
        }
    }

    /// <summary>Removes a session; the user's cached state goes when their last session does. Call under the user lock.</summary>
    public void Remove(XmppSession session)
    {
        var user = session.User;
        user.RemoveSession(session);
        if (session.StreamManagement is { } sm)
        {
            _resumable.TryRemove(new KeyValuePair<string, XmppSession>(sm.Id, session));
        }

        if (user.Sessions.Count == 0)
        {
            user.Retired = true;
            _users.TryRemove(new KeyValuePair<Jid, OnlineUser>(user.BareJid, user));
        }
    }

    public void RegisterResumable(XmppSession session)
    {
        if (session.StreamManagement is { Resumable: true } sm)
        {
            _resumable[sm.Id] = session;
        }
    }

    public XmppSession? FindResumable(string id) => _resumable.GetValueOrDefault(id);

    public IEnumerable<XmppSession> AllSessions => _users.Values.SelectMany(u => u.Sessions);
}
