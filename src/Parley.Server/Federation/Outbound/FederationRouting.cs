using System.Collections.Concurrent;
using Parley.Server.Diagnostics;
using Parley.Server.Directory;
using Parley.Server.Management;
using Parley.Server.Management.Documents;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Federation.Outbound;

/// <summary>
/// Recipient classification by the configuration of this moment: Basic mode sends every non-local user of a hosted
/// domain to the peer, Advanced mode only those the peer-address directory lists; SIP federation domains always go to
/// the peer. The static route is the most specific matching pattern (<see cref="StaticRoutePattern.MatchLength"/>),
/// its routes ordered by priority.
/// </summary>
public sealed class FederationRouting(
    IDeploymentSettings settings,
    IUserDirectory directory,
    PeerAddressDirectory peerAddresses,
    FederationOutboundOptions options,
    IEventLog events,
    TimeProvider time) : IFederationRouting
{
    private const int MaxThrottledDomains = 10_000;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _noRouteReported = new(StringComparer.Ordinal);

    public async ValueTask<RecipientClassification> ClassifyAsync(Jid recipient, CancellationToken cancellationToken)
    {
        var snapshot = settings.Current;
        var configuration = snapshot.Configuration;
        if (!configuration.Federation.Enabled || recipient.Local is null)
        {
            return RecipientClassification.NotFederated;
        }

        var domain = recipient.Domain;
        if (snapshot.HostsDomain(domain))
        {
            if (await directory.FindUserAsync(recipient.Bare, cancellationToken).ConfigureAwait(false) is not null)
            {
                return RecipientClassification.Local;
            }

            if (configuration.Federation.RoutingMode == FederationRoutingMode.Advanced
                && !await peerAddresses.ContainsAsync(recipient.Bare, cancellationToken).ConfigureAwait(false))
            {
                return RecipientClassification.NotFederated;
            }
        }
        else if (!configuration.SipFederationDomains.Any(d => string.Equals(d.Domain, domain, StringComparison.OrdinalIgnoreCase)))
        {
            return RecipientClassification.NotFederated;
        }

        if (Match(configuration.StaticRoutes, recipient) is { } routes)
        {
            return new RecipientClassification(RecipientKind.Peer, routes);
        }

        ReportNoRoute(domain, recipient);
        return RecipientClassification.NoRoute;
    }

    /// <summary>The routes of the most specific pattern that matches, by priority; null when none matches.</summary>
    public static PeerRouteSet? Match(IReadOnlyList<StaticRoute> routes, Jid recipient)
    {
        string? best = null;
        var bestLength = -1;
        var matching = new List<StaticRoute>();
        foreach (var route in routes)
        {
            // Stored reversed by the CLI; normalising again accepts the forward forms too (idempotent on the stored one).
            if (StaticRoutePattern.Normalize(route.Pattern, route.RouteType, out _) is not { } pattern)
            {
                continue;
            }

            var value = route.RouteType == StaticRouteType.User ? recipient.Local ?? string.Empty : recipient.Domain;
            var length = StaticRoutePattern.MatchLength(pattern, route.RouteType, value);
            if (length < 0 || length < bestLength)
            {
                continue;
            }

            if (length > bestLength || !string.Equals(pattern, best, StringComparison.Ordinal))
            {
                if (length == bestLength)
                {
                    continue; // Two patterns equally specific: the first listed keeps the recipient.
                }

                matching.Clear();
                best = pattern;
                bestLength = length;
            }

            matching.Add(route);
        }

        return best is null ? null : new PeerRouteSet(best, [.. matching.OrderBy(r => r.Priority)]);
    }

    private void ReportNoRoute(string domain, Jid recipient)
    {
        var now = time.GetUtcNow();
        if (_noRouteReported.TryGetValue(domain, out var last) && now - last < options.NoRouteEventInterval)
        {
            return;
        }

        if (_noRouteReported.Count > MaxThrottledDomains)
        {
            _noRouteReported.Clear();
        }

        _noRouteReported[domain] = now;
        events.Raise(ParleyEvents.Federation.NoStaticRoute, domain, recipient.Bare);
    }
}
