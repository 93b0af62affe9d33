using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Parley.Server.Messaging;
using Parley.Server.Presence;
using Parley.Server.Sessions;
using Parley.Server.Sip.Core;
using Parley.Server.Sip.Registrar;
using Parley.Server.Xmpp;
using Parley.Server.Xmpp.C2s;
using Parley.Xmpp;
using Parley.Xmpp.Addressing;
using Parley.Xmpp.Streams;
using Parley.Xmpp.Xml;

namespace Parley.Server.Sip.Gateway;

/// <summary>
/// The SIP side of each user as one <see cref="XmppSession"/> with resource <see cref="Resource"/>: present in the
/// <see cref="SessionRegistry"/> while the user has a registration or a presence publication, so the presence engine
/// and message routing treat SIP users exactly like XMPP ones. Its presence is the latest publication, else
/// available while registered; it goes away (unavailable broadcast) when both are gone.
/// </summary>
public sealed class SipUserSessions : IDisposable
{
    /// <summary>The resource of every SIP user session (RFC 7247 leaves it to the gateway).</summary>
    public const string Resource = "sip";

    private readonly SessionRegistry _registry;
    private readonly PresenceService _presence;
    private readonly OfflineMessages _offline;
    private readonly LocationService _locations;
    private readonly SipMessageDelivery _delivery;
    private readonly SessionTerminations _background;
    private readonly ILogger<SipUserSessions> _logger;
    private readonly UserLocks _locks = new();
    private readonly ConcurrentDictionary<Jid, UserState> _users = new();

    public SipUserSessions(SessionRegistry registry, PresenceService presence, OfflineMessages offline, LocationService locations,
        SipMessageDelivery delivery, SessionTerminations background, ILogger<SipUserSessions> logger)
    {
        _registry = registry;
        _presence = presence;
        _offline = offline;
        _locations = locations;
        _delivery = delivery;
        _background = background;
        _logger = logger;
        locations.Expired += OnBindingsExpired;
    }

    /// <summary>The user's SIP session, or null while they have neither registration nor publication.</summary>
    public XmppSession? FindSession(Jid user) => _users.TryGetValue(user.Bare, out var state) ? state.Session : null;

    /// <summary>The full JID SIP-originated stanzas of <paramref name="user"/> carry: user@domain/sip.</summary>
    public static Jid SessionJid(Jid user) => user.Bare.WithResource(Resource);

    /// <summary>
    /// Sets (or with null clears) the presence the user published over SIP, already mapped to an XMPP
    /// &lt;presence/&gt; without 'to' (PIDF/RPID → show/status). Creates, updates or removes the user's session and
    /// broadcasts the change to their watchers. Called by the SIP presence server for PUBLISH.
    /// </summary>
    public async Task SetPublishedPresenceAsync(Jid user, Element? presence, CancellationToken cancellationToken)
    {
        var bare = user.Bare;
        using (await _locks.AcquireAsync(bare, cancellationToken).ConfigureAwait(false))
        {
            var state = _users.GetOrAdd(bare, _ => new UserState());
            state.Published = presence;
            await ReconcileAsync(bare, state, deliverOffline: false, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The user's registrations changed: creates or removes their session as needed. When a contact was added, offline
    /// messages are delivered to it (the user just came online on a device).
    /// </summary>
    public async Task OnBindingsChangedAsync(Jid user, bool bindingAdded, CancellationToken cancellationToken)
    {
        var bare = user.Bare;
        using (await _locks.AcquireAsync(bare, cancellationToken).ConfigureAwait(false))
        {
            var state = _users.GetOrAdd(bare, _ => new UserState());
            await ReconcileAsync(bare, state, bindingAdded, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Brings back the sessions of users whose registrations survived a restart.</summary>
    public async Task RestoreAsync(IEnumerable<Jid> registeredUsers, CancellationToken cancellationToken)
    {
        foreach (var user in registeredUsers)
        {
            await OnBindingsChangedAsync(user, bindingAdded: true, cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => _locations.Expired -= OnBindingsExpired;

    /// <summary>The account was disabled or removed (its session transport was closed): forget its registrations and publication.</summary>
    internal async Task RevokeAsync(Jid user)
    {
        try
        {
            await _locations.UpdateAsync(user, current => (current.Count == 0 ? null : Array.Empty<Binding>(), 0), CancellationToken.None).ConfigureAwait(false);
            await SetPublishedPresenceAsync(user, null, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            SipLog.SessionUpdateFailed(_logger, user.ToString(), ex);
        }
    }

    private void OnBindingsExpired(Jid user) => _background.Track(UpdateAfterExpiryAsync(user));

    private async Task UpdateAfterExpiryAsync(Jid user)
    {
        try
        {
            await OnBindingsChangedAsync(user, bindingAdded: false, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            SipLog.SessionUpdateFailed(_logger, user.ToString(), ex);
        }
    }

    /// <summary>Makes the session match the user's bindings and publication. Called under the user's lock.</summary>
    private async Task ReconcileAsync(Jid user, UserState state, bool deliverOffline, CancellationToken cancellationToken)
    {
        var registered = _locations.GetBindings(user).Count > 0;
        if (!registered && state.Published is null)
        {
            if (state.Session is { } ending)
            {
                state.Session = null;
                await EndAsync(ending).ConfigureAwait(false);
            }

            _users.TryRemove(new KeyValuePair<Jid, UserState>(user, state));
            return;
        }

        // One element for "available while registered", so a registration refresh does not broadcast again.
        var presence = state.Published ?? (state.Registered ??= new Element("presence", XmppNamespaces.Client));
        var session = state.Session;
        if (session is null || session.IsTerminated)
        {
            session = await CreateAsync(user, cancellationToken).ConfigureAwait(false);
            state.Session = session;
            state.Broadcast = null;
        }

        if (!ReferenceEquals(state.Broadcast, presence))
        {
            state.Broadcast = presence;
            _presence.Broadcast(session, presence);
        }

        if (deliverOffline && registered)
        {
            await _offline.DeliverAsync(session, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<XmppSession> CreateAsync(Jid user, CancellationToken cancellationToken)
    {
        var full = SessionJid(user);
        while (true)
        {
            var online = await _registry.GetOrLoadAsync(user, cancellationToken).ConfigureAwait(false);
            XmppSession? replaced;
            XmppSession session;
            using (await _registry.Locks.AcquireAsync(user, cancellationToken).ConfigureAwait(false))
            {
                if (online.Retired)
                {
                    continue; // The user went offline between load and lock: load again.
                }

                replaced = online.FindSession(Resource);
                session = new XmppSession(online, full, new SipStanzaTransport(user, _delivery, this, _background));
                online.AddSession(session);
                if (replaced is not null)
                {
                    online.RemoveSession(replaced);
                }
            }

            // An XMPP client that bound the resource "sip" itself gives way, as to any newer session (RFC 6120 §7.7.2.2).
            replaced?.Transport?.Close(XmppStreamErrorReason.Conflict, "Replaced by the user's SIP session.");
            return session;
        }
    }

    private async Task EndAsync(XmppSession session)
    {
        (session.Transport as SipStanzaTransport)?.Complete();
        session.Terminate();
        using (await _registry.Locks.AcquireAsync(session.User.BareJid, CancellationToken.None).ConfigureAwait(false))
        {
            _registry.Remove(session);
        }

        _presence.SessionEnded(session);
    }

    /// <summary>Per-user state; changed only under the user's lock.</summary>
    private sealed class UserState
    {
        public XmppSession? Session { get; set; }

        public Element? Published { get; set; }

        /// <summary>The plain available presence used while registered without a publication.</summary>
        public Element? Registered { get; set; }

        /// <summary>The presence last broadcast for the session, so an unchanged one is not sent again.</summary>
        public Element? Broadcast { get; set; }
    }
}
