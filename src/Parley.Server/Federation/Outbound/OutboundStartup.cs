using Parley.Server.Sip.Core;

namespace Parley.Server.Federation.Outbound;

/// <summary>Started by the SIP node once its transport runs: restores the peer subscriptions; stops the probes and timers first at shutdown.</summary>
public sealed class OutboundStartup(PeerPresenceSubscriptions subscriptions, PeerOutbound peer) : ISipNodeService
{
    public Task StartAsync(CancellationToken cancellationToken) => subscriptions.StartAsync(cancellationToken);

    public async ValueTask StopAsync()
    {
        await subscriptions.StopAsync().ConfigureAwait(false);
        await peer.StopAsync().ConfigureAwait(false);
    }
}
