using Parley.Server.Sessions;
using Parley.Server.Sip.Core;
using Parley.Server.Sip.Gateway;
using Parley.Server.Sip.Presence.Pidf;
using Parley.Server.Sip.Presence.Publications;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Sip.Presence;

/// <summary>
/// Composes the PIDF document a watcher receives from the presentity's live sessions (XMPP resources and the SIP
/// session), using the published state for the SIP session so RPID activities survive the trip through the engine.
/// </summary>
public sealed class SipPresenceDocuments(SessionRegistry registry, SipPublications publications)
{
    public byte[] Compose(Jid presentity, WatcherView view)
    {
        var entity = SipAddressMapping.ToSipUri(presentity.Bare).ToString();
        if (view != WatcherView.Allowed || registry.Find(presentity.Bare) is not { Retired: false } user)
        {
            return PidfWriter.Write(SipPresenceMapping.ToPidf(entity, []));
        }

        var published = publications.Current(presentity);
        var resources = new List<ResourcePresence>();
        foreach (var session in user.Sessions)
        {
            if (session.Presence is { } presence && !session.IsTerminated && session.FullJid.Resource is { } resource)
            {
                resources.Add(new ResourcePresence(resource, presence, session.Priority, resource == SipUserSessions.Resource ? published : null));
            }
        }

        return PidfWriter.Write(SipPresenceMapping.ToPidf(entity, resources));
    }
}
