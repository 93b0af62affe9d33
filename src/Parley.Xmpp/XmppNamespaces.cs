namespace Parley.Xmpp;

/// <summary>Namespace URIs used by the core protocol and the extensions Parley implements.</summary>
public static class XmppNamespaces
{
    public const string Client = "jabber:client";
    public const string Server = "jabber:server";
    public const string Streams = "http://etherx.jabber.org/streams";
    public const string Tls = "urn:ietf:params:xml:ns:xmpp-tls";
    public const string Sasl = "urn:ietf:params:xml:ns:xmpp-sasl";
    public const string Bind = "urn:ietf:params:xml:ns:xmpp-bind";
    public const string Session = "urn:ietf:params:xml:ns:xmpp-session";
    public const string Stanzas = "urn:ietf:params:xml:ns:xmpp-stanzas";
    public const string StreamErrors = "urn:ietf:params:xml:ns:xmpp-streams";
    public const string Roster = "jabber:iq:roster";
    public const string Blocking = "urn:xmpp:blocking";
    public const string BlockingErrors = "urn:xmpp:blocking:errors";
    public const string StreamManagement = "urn:xmpp:sm:3";
    public const string Ping = "urn:xmpp:ping";
    public const string DiscoInfo = "http://jabber.org/protocol/disco#info";
    public const string DiscoItems = "http://jabber.org/protocol/disco#items";
    public const string ChatStates = "http://jabber.org/protocol/chatstates";
    public const string Delay = "urn:xmpp:delay";
    public const string RosterVersioning = "urn:xmpp:features:rosterver";
    public const string PreApproval = "urn:xmpp:features:pre-approval";
    public const string Version = "jabber:iq:version";
    public const string Caps = "http://jabber.org/protocol/caps";
    public const string Dialback = "jabber:server:dialback";

    /// <summary>Bound to the prefix "xml" by definition (Namespaces in XML §3).</summary>
    public const string Xml = "http://www.w3.org/XML/1998/namespace";
}
