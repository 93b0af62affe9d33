using Parley.Server.Management.Documents;

namespace Parley.Server.Federation.Outbound;

/// <summary>Where a recipient lives as far as federation is concerned (docs/design/federation.md, "Outbound").</summary>
public enum RecipientKind
{
    /// <summary>A provisioned Parley user (enabled or not: the local path answers a disabled one as before).</summary>
    Local,

    /// <summary>A user of the federation peer, reached by <see cref="RecipientClassification.Routes"/>.</summary>
    Peer,

    /// <summary>A peer user whose domain no static route matches (an event says which route to add).</summary>
    NoRoute,

    /// <summary>
    /// Federation is off, the domain is neither hosted nor a SIP federation domain, or (Advanced mode) the peer-address
    /// directory does not list the user: the pre-federation answers apply.
    /// </summary>
    NotFederated,
}

/// <summary>The outcome of <see cref="IFederationRouting.ClassifyAsync"/>.</summary>
public sealed record RecipientClassification(RecipientKind Kind, PeerRouteSet? Routes = null)
{
    public static readonly RecipientClassification Local = new(RecipientKind.Local);
    public static readonly RecipientClassification NoRoute = new(RecipientKind.NoRoute);
    public static readonly RecipientClassification NotFederated = new(RecipientKind.NotFederated);
}

/// <summary>
/// The routes of the most specific matching pattern, primary first (ascending priority number). Flavour and transport
/// come from the primary: every route of a pattern leads to the same peer.
/// </summary>
public sealed record PeerRouteSet(string Pattern, IReadOnlyList<StaticRoute> Routes)
{
    public PeerFlavour Flavour => Routes[0].Flavour;
}
