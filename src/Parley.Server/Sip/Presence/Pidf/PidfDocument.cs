namespace Parley.Server.Sip.Presence.Pidf;

/// <summary>A tuple's &lt;basic/&gt; status (RFC 3863 §4.1.4); <see cref="Unspecified"/> when the tuple has none.</summary>
public enum PidfBasic
{
    Unspecified,
    Open,
    Closed,
}

/// <summary>One &lt;tuple/&gt;: a way to reach the presentity (a device or client), RFC 3863 §4.1.2.</summary>
/// <param name="Activities">RPID activities found in the tuple's status (older clients put them there).</param>
public sealed record PidfTuple(string Id, PidfBasic Basic, string? Contact, string? Note, IReadOnlyList<string> Activities);

/// <summary>The &lt;dm:person/&gt; element (RFC 4479 §3.1) with its RPID activities (RFC 4480 §3.2) and note.</summary>
public sealed record PidfPerson(string? Id, IReadOnlyList<string> Activities, string? Note);

/// <summary>
/// What Parley reads from a PIDF document: the parts that carry availability. Everything else (timestamps,
/// capabilities, devices, unknown extensions) is ignored, as RFC 3863 §4.1.7 lets a recipient do.
/// </summary>
/// <param name="Note">The presence-level &lt;note/&gt; (RFC 3863 §4.1.6).</param>
public sealed record PidfDocument(string Entity, IReadOnlyList<PidfTuple> Tuples, PidfPerson? Person, string? Note);
