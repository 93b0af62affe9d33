using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Parley.Server.Diagnostics;
using Parley.Server.Management;
using Parley.Server.Management.Documents;
using Parley.Server.Sip.Core;
using Parley.Sip.Messages;
using Parley.Sip.Transport;

namespace Parley.Server.Federation.Outbound;

/// <summary>The final answer to a request sent to the peer, and the route and destination that gave it (null when every route failed).</summary>
public sealed record PeerSendResult(SipResponse Response, StaticRoute? Route, SipDestination? Destination);

/// <summary>
/// Sends requests to the federation peer by a route set with failover (docs/design/federation.md, "Static route use"):
/// routes by priority, skipping next hops marked down; a next hop is down after a transport failure, a 408 the
/// transaction layer made up, or a 503, and the request is then resent at once to the next route (a fresh transaction,
/// so a fresh branch). A down next hop is probed with OPTIONS every <see cref="FederationOutboundOptions.ProbeInterval"/>
/// and is used again once it answers anything.
/// </summary>
public sealed class PeerOutbound(
    SipOutbound outbound,
    IDeploymentSettings settings,
    FederationOutboundOptions options,
    IEventLog events,
    TimeProvider time,
    ILogger<PeerOutbound> logger)
{
    private readonly ConcurrentDictionary<NextHop, DownHop> _down = new();
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>True while <paramref name="hop"/> is marked down (tests and status).</summary>
    public bool IsDown(NextHop hop) => _down.ContainsKey(hop);

    /// <summary>
    /// Sends <paramref name="request"/> (a copy per attempt) by <paramref name="routes"/>. Never throws for network
    /// failures: when every route failed, the last failure's response (503 when none could even be tried).
    /// </summary>
    public async Task<PeerSendResult> SendAsync(SipRequest request, PeerRouteSet routes, CancellationToken cancellationToken)
    {
        // Up next hops first, in priority order; down ones stay as a last resort (they may be back before the probe says so).
        var ordered = routes.Routes.Where(r => !IsDown(NextHop.Of(r))).Concat(routes.Routes.Where(r => IsDown(NextHop.Of(r)))).ToArray();
        SipResponse? last = null;
        StaticRoute? failed = null;
        foreach (var route in ordered)
        {
            var hop = NextHop.Of(route);
            if (failed is not null)
            {
                events.Raise(ParleyEvents.Federation.FailoverToBackup, routes.Pattern, NextHop.Of(failed), hop, route.Priority);
            }

            if (await ResolveAsync(hop, cancellationToken).ConfigureAwait(false) is not { } destination)
            {
                MarkDown(hop, routes.Pattern, "its name does not resolve (DNS A/AAAA)");
                failed ??= route;
                continue;
            }

            var response = await outbound.SendAsync(request.Clone(), destination, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == SipStatusCodes.RequestTimeout)
            {
                events.Raise(ParleyEvents.Federation.PeerRequestTimeout, request.Method, routes.Pattern, hop, request.RequestUri);
            }

            if (DownReason(response) is { } reason)
            {
                MarkDown(hop, routes.Pattern, reason);
                last = response;
                failed ??= route;
                continue;
            }

            return new PeerSendResult(response, route, destination);
        }

        return new PeerSendResult(last ?? SipResponse.CreateFor(request, SipStatusCodes.ServiceUnavailable, "No usable static route"), null, null);
    }

    /// <summary>Where a next hop is reached: its address, with the next hop's name as the TLS target name.</summary>
    public async Task<SipDestination?> ResolveAsync(NextHop hop, CancellationToken cancellationToken)
        => await outbound.ResolveAsync(hop.ToUri(), cancellationToken).ConfigureAwait(false) is { } destination
            ? destination with { Host = hop.Host }
            : null;

    /// <summary>Stops timers and probes (node shutdown); requests under way see their token cancelled.</summary>
    public async ValueTask StopAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var down in _down.Values)
        {
            await down.Timer.DisposeAsync().ConfigureAwait(false);
        }

        _down.Clear();
    }

    /// <summary>Why <paramref name="response"/> says the next hop is down; null when the next hop answered.</summary>
    private static string? DownReason(SipResponse response) => response.StatusCode switch
    {
        SipStatusCodes.RequestTimeout when response.IsSynthesized => "no answer within the transaction timeout (408)",
        SipStatusCodes.ServiceUnavailable when response.IsSynthesized => $"transport failure ({response.TransportFailure?.Message ?? response.ReasonPhrase})",
        SipStatusCodes.ServiceUnavailable => $"answered 503 {response.ReasonPhrase}",
        _ => null,
    };

    private void MarkDown(NextHop hop, string pattern, string reason)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        var down = new DownHop(pattern, time.CreateTimer(static state => ((ProbeStart)state!).Run(), new ProbeStart(this, hop), options.ProbeInterval, Timeout.InfiniteTimeSpan));
        if (_down.TryAdd(hop, down))
        {
            FederationOutboundLog.NextHopDown(logger, hop.ToString(), reason);
            events.Raise(ParleyEvents.Federation.NextHopDown, hop, pattern, reason);
        }
        else
        {
            down.Timer.Dispose();
        }
    }

    private async Task ProbeAsync(NextHop hop)
    {
        if (!_down.TryGetValue(hop, out var down) || _stopping.IsCancellationRequested)
        {
            return;
        }

        var answered = false;
        try
        {
            if (await ResolveAsync(hop, _stopping.Token).ConfigureAwait(false) is { } destination)
            {
                var response = await outbound.SendAsync(CreateProbe(hop), destination, _stopping.Token).ConfigureAwait(false);
                answered = !response.IsSynthesized;
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (Exception ex)
        {
            FederationOutboundLog.ProbeFailed(logger, hop.ToString(), ex);
        }

        if (answered && _down.TryRemove(new KeyValuePair<NextHop, DownHop>(hop, down)))
        {
            await down.Timer.DisposeAsync().ConfigureAwait(false);
            events.Raise(ParleyEvents.Federation.NextHopBack, hop, down.Pattern);
            return;
        }

        if (!_stopping.IsCancellationRequested)
        {
            down.Timer.Change(options.ProbeInterval, Timeout.InfiniteTimeSpan);
        }
    }

    private SipRequest CreateProbe(NextHop hop)
    {
        var domain = settings.Current.Domains.Order(StringComparer.Ordinal).FirstOrDefault() ?? "localhost";
        var target = hop.ToUri();
        return outbound.CreateRequest(SipMethods.Options, target, new NameAddress(new SipUri("sip", "parley", domain)), new NameAddress(target));
    }

    private sealed record DownHop(string Pattern, ITimer Timer);

    /// <summary>The timer callback's state: which next hop to probe (no closure per timer).</summary>
    private sealed record ProbeStart(PeerOutbound Owner, NextHop Hop)
    {
        public void Run() => _ = Owner.ProbeAsync(Hop);
    }
}
