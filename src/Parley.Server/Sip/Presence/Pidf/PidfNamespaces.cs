namespace Parley.Server.Sip.Presence.Pidf;

/// <summary>The XML namespaces and the media type of SIP presence documents.</summary>
public static class PidfNamespaces
{
    /// <summary>RFC 3863 §4.1.</summary>
    public const string Pidf = "urn:ietf:params:xml:ns:pidf";

    /// <summary>RFC 4479 §4: dm:person, dm:device, dm:note.</summary>
    public const string DataModel = "urn:ietf:params:xml:ns:pidf:data-model";

    /// <summary>RFC 4480 §3.</summary>
    public const string Rpid = "urn:ietf:params:xml:ns:pidf:rpid";

    /// <summary>RFC 3863 §6, the body type of presence NOTIFY and PUBLISH (RFC 3856 §6.6).</summary>
    public const string MediaType = "application/pidf+xml";
}
