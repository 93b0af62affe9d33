using Parley.Xmpp.Addressing;

namespace Parley.Server.Federation.Outbound;

/// <summary>Decides whether a recipient is local, a federation peer user (and by which routes), or neither.</summary>
public interface IFederationRouting
{
    /// <summary>
    /// Classifies <paramref name="recipient"/> (bare or full JID) with the configuration of this moment (hot reload).
    /// Raises the "no static route" event (throttled per domain) for <see cref="RecipientKind.NoRoute"/>.
    /// </summary>
    ValueTask<RecipientClassification> ClassifyAsync(Jid recipient, CancellationToken cancellationToken);
}
