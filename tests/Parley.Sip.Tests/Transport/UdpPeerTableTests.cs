using System.Net;
using System.Net.Sockets;
using Parley.Sip.Tests.Transactions;
using Parley.Sip.Transport;

namespace Parley.Sip.Tests.Transport;

public sealed class UdpPeerTableTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly SipTransportLimits _limits = new() { UdpPerSourceRate = 10, UdpPerSourceBurst = 5, UdpMaxTrackedSources = 2 };

    [Fact]
    public void A_source_gets_its_burst_then_its_rate()
    {
        var table = new UdpPeerTable(_limits, _time, IPEndPoint.Parse("127.0.0.1:5060"));
        var peer = table.Get(Address("192.0.2.1:5060"));

        var burst = Enumerable.Range(0, 8).Count(_ => table.TryTake(peer));
        _time.Advance(TimeSpan.FromMilliseconds(250)); // 2.5 tokens at 10/s
        var refilled = Enumerable.Range(0, 8).Count(_ => table.TryTake(peer));

        Assert.Equal(5, burst);
        Assert.Equal(2, refilled);
    }

    [Fact]
    public void By_default_a_busy_peer_sending_3000_datagrams_a_second_for_ten_seconds_is_never_throttled_but_a_flood_is()
    {
        // A registered UA answering 1,500 relayed MESSAGE/s, or a proxy carrying many users, is one UDP source.
        var table = new UdpPeerTable(new SipTransportLimits(), _time, IPEndPoint.Parse("127.0.0.1:5060"));
        var busy = table.Get(Address("192.0.2.1:5060"));
        var flooder = table.Get(Address("192.0.2.2:5060"));
        var dropped = 0;
        var flooded = 0;
        for (var tick = 0; tick < 10_000; tick++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(1));
            dropped += Enumerable.Range(0, 3).Count(_ => !table.TryTake(busy));
            flooded += Enumerable.Range(0, 30).Count(_ => !table.TryTake(flooder)); // 30,000/s
        }

        Assert.Equal(0, dropped);
        Assert.InRange(flooded, 150_000, 190_000); // 300,000 sent, about 10,000/s plus the 20,000 burst admitted
    }

    [Fact]
    public void Each_source_has_its_own_bucket_and_endpoint()
    {
        var table = new UdpPeerTable(_limits, _time, IPEndPoint.Parse("127.0.0.1:5060"));
        var flooder = table.Get(Address("192.0.2.1:5060"));
        while (table.TryTake(flooder))
        {
        }

        var other = table.Get(Address("192.0.2.2:5060"));

        Assert.True(table.TryTake(other));
        Assert.Same(flooder, table.Get(Address("192.0.2.1:5060")));
        Assert.Equal(IPEndPoint.Parse("192.0.2.2:5060"), other.Source.Remote);
    }

    [Fact]
    public void The_table_is_bounded_against_spoofed_sources()
    {
        var table = new UdpPeerTable(_limits, _time, IPEndPoint.Parse("127.0.0.1:5060"));

        for (var i = 1; i <= 100; i++)
        {
            table.Get(Address($"192.0.2.{i}:5060"));
        }

        Assert.True(table.Count <= 2);
    }

    private static SocketAddress Address(string endPoint) => IPEndPoint.Parse(endPoint).Serialize();
}
