using System.Net;
using System.Net.Sockets;

namespace Parley.Sip.Transport;

/// <summary>
/// Per-source state for UDP, used under the listener's lock by its receive threads: the source's endpoint and reply
/// target, built once instead of per datagram, and a token bucket so one flooding source is dropped before parsing.
/// </summary>
internal sealed class UdpPeerTable(SipTransportLimits limits, TimeProvider time, IPEndPoint local)
{
    private readonly Dictionary<SocketAddress, UdpPeer> _peers = new();
    private readonly IPEndPoint _template = new(local.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);

    public int Count => _peers.Count;

    /// <summary>The peer for a just-received address (copied when new, since the receive buffer is reused).</summary>
    public UdpPeer Get(SocketAddress address)
    {
        if (_peers.TryGetValue(address, out var peer))
        {
            return peer;
        }

        if (_peers.Count >= limits.UdpMaxTrackedSources)
        {
            // Resetting is O(1) amortised and bounds memory against spoofed sources; honest peers just refill.
            _peers.Clear();
        }

        var copy = new SocketAddress(address.Family, address.Size);
        address.Buffer.Span[..address.Size].CopyTo(copy.Buffer.Span);
        var remote = Endpoints.Normalize((IPEndPoint)_template.Create(copy));
        peer = new UdpPeer(new SipSource(SipTransportKind.Udp, remote, local) { UdpAddress = copy }, limits.UdpPerSourceBurst, time.GetTimestamp());
        _peers[copy] = peer;
        return peer;
    }

    /// <summary>Takes a token from the peer's bucket; false when the source is over its rate.</summary>
    public bool TryTake(UdpPeer peer)
    {
        var now = time.GetTimestamp();
        var elapsed = time.GetElapsedTime(peer.LastRefill, now).TotalSeconds;
        peer.LastRefill = now;
        peer.Tokens = Math.Min(limits.UdpPerSourceBurst, peer.Tokens + (elapsed * limits.UdpPerSourceRate));
        if (peer.Tokens >= 1)
        {
            peer.Tokens -= 1;
            if (peer.Throttled && peer.Tokens >= limits.UdpPerSourceBurst / 2.0)
            {
                peer.Throttled = false; // the episode ends once the source has stayed under its rate for a while
            }

            return true;
        }

        return false;
    }
}

/// <summary>One UDP source as the receive loop sees it.</summary>
internal sealed class UdpPeer(SipSource source, double tokens, long lastRefill)
{
    public SipSource Source { get; } = source;

    public double Tokens { get; set; } = tokens;

    public long LastRefill { get; set; } = lastRefill;

    /// <summary>Set while the source is being dropped, so the observer hears about it once per episode.</summary>
    public bool Throttled { get; set; }
}
