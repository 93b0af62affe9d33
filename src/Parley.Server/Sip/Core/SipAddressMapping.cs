using System.Diagnostics.CodeAnalysis;
using Parley.Sip.Messages;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Sip.Core;

/// <summary>RFC 7247 §4 address mapping: <c>sip:alice@example.com</c> is the user <c>alice@example.com</c> and back.</summary>
public static class SipAddressMapping
{
    /// <summary>
    /// The bare JID of a sip/sips URI with a user part (already unescaped by the parser); false for other schemes,
    /// a URI without user, or one that is not a valid JID (RFC 7622 refuses some characters SIP allows).
    /// </summary>
    public static bool TryToJid(SipUri uri, [NotNullWhen(true)] out Jid? jid)
    {
        jid = null;
        if (!uri.IsSip || string.IsNullOrEmpty(uri.User))
        {
            return false;
        }

        // Jid.TryCreate applies the RFC 7622 profiles: the domain is lower-cased, the local part NFC-normalised.
        if (!Jid.TryCreate(uri.User, uri.Host.ToLowerInvariant(), null, out var created, out _))
        {
            return false;
        }

        jid = created;
        return true;
    }

    /// <summary>The SIP address of a user: <c>sip:local@domain</c> (resource dropped).</summary>
    public static SipUri ToSipUri(Jid jid) => new("sip", jid.Local, jid.Domain);

    /// <summary>A name-address for From/To headers, without tag.</summary>
    public static NameAddress ToNameAddress(Jid jid) => new(ToSipUri(jid));
}
