using System.Net;
using Parley.Sip.Messages;
using Parley.Sip.Parsing;

namespace Parley.Sip.Transport;

/// <summary>
/// RFC 3261 §18.2.1 and RFC 3581 §4, done by the transport for every received request: the top Via gets
/// <c>received</c> when its sent-by host is not the packet's source address (or a stale received is present), and
/// <c>rport</c> gets the source port when the client asked for it. Replies then follow the real source, never an
/// address the peer claimed.
/// </summary>
internal static class ReceivedStamp
{
    /// <summary>Stamps the request's top Via; throws <see cref="SipParseException"/> when there is no valid top Via.</summary>
    public static void Apply(SipRequest request, IPEndPoint remote)
    {
        var via = request.TopVia;
        var address = Endpoints.Normalize(remote.Address);
        var changed = false;
        if (via.HasRPort)
        {
            // RFC 3581 §4: with rport the received parameter is added even when it equals the sent-by.
            via.RPort = remote.Port;
            via.Received = address.ToString();
            changed = true;
        }
        else if (!SameAddress(via.Host, address) || (via.Received is { } claimed && !SameAddress(claimed, address)))
        {
            via.Received = address.ToString();
            changed = true;
        }

        if (changed)
        {
            request.Headers.RemoveFirstValue(SipHeaderNames.Via);
            request.Headers.AddFirst(SipHeaderNames.Via, via.ToString());
            request.KeepTopVia(via);
        }
    }

    /// <summary>Where a response goes when it cannot use the request's connection: received (else sent-by host) and rport (else sent-by port).</summary>
    public static IPEndPoint ResponseTarget(SipResponse response, SipSource source)
    {
        ViaHeader via;
        try
        {
            via = response.TopVia;
        }
        catch (SipParseException)
        {
            return source.Remote;
        }

        var address = via.Received is { } received && IPAddress.TryParse(received, out var r) ? r
            : IPAddress.TryParse(via.Host, out var h) ? h
            : source.Remote.Address;
        var port = via.RPort ?? via.Port ?? source.Transport.DefaultPort();
        return new IPEndPoint(Endpoints.Normalize(address), port);
    }

    private static bool SameAddress(string host, IPAddress address) =>
        IPAddress.TryParse(host, out var parsed) && Endpoints.Normalize(parsed).Equals(address);
}
