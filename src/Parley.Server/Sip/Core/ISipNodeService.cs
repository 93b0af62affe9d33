namespace Parley.Server.Sip.Core;

/// <summary>
/// A service that runs with the SIP node (e.g. federation's outbound subscriptions): <see cref="SipNode"/> starts each
/// once the transport and the presence server run, and stops each before it stops the presence server.
/// </summary>
public interface ISipNodeService
{
    Task StartAsync(CancellationToken cancellationToken);

    ValueTask StopAsync();
}
