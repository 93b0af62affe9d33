using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Parley.Server.Diagnostics;
using Parley.Server.Federation.Inbound;
using Parley.Server.Management.Documents;
using Parley.Server.Sip;
using Parley.Server.Sip.Core;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests.Federation.Inbound;

public sealed class IncomingAclTests
{
    private static readonly IPAddress Peer = IPAddress.Parse("192.0.2.10");
    private readonly RecordingEventLog _events = new();
    private readonly FixedTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly ScriptedDns _dns = new();

    [Theory]
    [InlineData("all")]
    [InlineData("ALL")]
    [InlineData("192.0.2.10")]
    [InlineData("192.0.2.0/24")]
    [InlineData("0.0.0.0/0")]
    public async Task Addresses_networks_and_all_match_without_dns(string entry)
    {
        Assert.True(await Acl().CoversAsync([new AclEntry(entry)], Peer));
        Assert.Equal(0, _dns.Calls);
    }

    [Theory]
    [InlineData("192.0.2.11")]
    [InlineData("192.0.3.0/24")]
    [InlineData("2001:db8::/32")]
    public async Task Other_addresses_and_networks_do_not_match(string entry)
        => Assert.False(await Acl().CoversAsync([new AclEntry(entry)], Peer));

    [Fact]
    public async Task An_ipv6_source_matches_its_network_and_an_ipv4_mapped_source_its_ipv4_entry()
    {
        Assert.True(await Acl().CoversAsync([new AclEntry("2001:db8:1::/48")], IPAddress.Parse("2001:db8:1::5")));
        Assert.True(await Acl().CoversAsync([new AclEntry("192.0.2.10")], Peer.MapToIPv6()));
    }

    [Fact]
    public async Task An_fqdn_entry_matches_a_source_among_its_addresses()
    {
        _dns.Forward["lync.partner.example"] = [IPAddress.Parse("192.0.2.9"), Peer];

        Assert.True(await Acl().CoversAsync([new AclEntry("lync.partner.example")], Peer));
        Assert.False(await Acl().CoversAsync([new AclEntry("lync.partner.example")], IPAddress.Parse("192.0.2.99")));
    }

    [Theory]
    [InlineData("pool.partner.example", "partner.example", true)]
    [InlineData("pool.partner.example.", "PARTNER.example", true)]
    [InlineData("partner.example", "partner.example", true)]
    [InlineData("evilpartner.example", "partner.example", false)]
    [InlineData("partner.example.attacker.test", "partner.example", false)]
    public async Task A_domain_entry_matches_a_source_whose_reverse_name_is_in_the_domain(string ptr, string entry, bool matches)
    {
        _dns.Reverse[Peer] = ptr;

        Assert.Equal(matches, await Acl().CoversAsync([new AclEntry(entry)], Peer));
    }

    [Fact]
    public async Task Lookups_are_cached_for_five_minutes_then_asked_again()
    {
        _dns.Reverse[Peer] = "sip.partner.example";
        var acl = Acl();

        Assert.True(await acl.CoversAsync([new AclEntry("partner.example")], Peer));
        Assert.True(await acl.CoversAsync([new AclEntry("partner.example")], Peer));
        Assert.Equal(1, _dns.ReverseCalls);

        _clock.Now += TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1);
        Assert.True(await acl.CoversAsync([new AclEntry("partner.example")], Peer));
        Assert.Equal(2, _dns.ReverseCalls);
    }

    [Fact]
    public async Task A_failed_lookup_is_remembered_for_one_minute()
    {
        var acl = Acl(); // no PTR for the peer: the resolver throws
        Assert.False(await acl.CoversAsync([new AclEntry("partner.example")], Peer));
        _clock.Now += TimeSpan.FromSeconds(59);
        Assert.False(await acl.CoversAsync([new AclEntry("partner.example")], Peer));
        Assert.Equal(1, _dns.ReverseCalls);

        _dns.Reverse[Peer] = "sip.partner.example";
        _clock.Now += TimeSpan.FromSeconds(2);
        Assert.True(await acl.CoversAsync([new AclEntry("partner.example")], Peer));
        Assert.Equal(2, _dns.ReverseCalls);
    }

    [Fact]
    public async Task Concurrent_checks_for_one_address_share_one_lookup()
    {
        var release = new TaskCompletionSource();
        _dns.Gate = release.Task;
        _dns.Reverse[Peer] = "sip.partner.example";
        var acl = Acl();

        var checks = Enumerable.Range(0, 20).Select(_ => acl.CoversAsync([new AclEntry("partner.example")], Peer).AsTask()).ToArray();
        release.SetResult();

        Assert.All(await Task.WhenAll(checks), Assert.True);
        Assert.Equal(1, _dns.ReverseCalls);
        Assert.Equal(1, _dns.ForwardCalls);
    }

    [Fact]
    public async Task A_hanging_resolver_counts_as_no_match_after_the_timeout_and_raises_the_check_dns_event()
    {
        _dns.Gate = new TaskCompletionSource().Task; // never answers
        var acl = Acl(new InboundFederationOptions { DnsTimeout = TimeSpan.FromMilliseconds(300), SlowCheckThreshold = TimeSpan.FromMilliseconds(250) }, TimeProvider.System);
        var watch = Stopwatch.StartNew();

        Assert.False(await acl.CoversAsync([new AclEntry("partner.example"), new AclEntry("lync.partner.example")], Peer));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"the check took {watch.Elapsed}");
        var (definition, args) = Assert.Single(_events.Raised);
        Assert.Same(ParleyEvents.Federation.AclCheckSlow, definition);
        var message = EventTemplate.Format(definition.MessageTemplate, args);
        Assert.Contains("incoming ACL check took over 2 seconds – check DNS", message, StringComparison.Ordinal);
        Assert.Contains(Peer.ToString(), message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fast_check_raises_no_event()
    {
        _dns.Reverse[Peer] = "sip.partner.example";

        Assert.True(await Acl().CoversAsync([new AclEntry("partner.example")], Peer));
        Assert.Empty(_events.Raised);
    }

    private IncomingAcl Acl(InboundFederationOptions? options = null, TimeProvider? time = null)
    {
        options ??= new InboundFederationOptions();
        time ??= _clock;
        var throttle = new SourceEventThrottle(_events, new SipServerOptions(), time);
        return new IncomingAcl(new AclDnsCache(_dns, options, time), throttle, options, time);
    }

    /// <summary>Answers from tables; throws like the resolver for unknown names; can be held back by <see cref="Gate"/>.</summary>
    private sealed class ScriptedDns : IAclDns
    {
        private int _forwardCalls;
        private int _reverseCalls;

        public ConcurrentDictionary<string, IPAddress[]> Forward { get; } = new(StringComparer.OrdinalIgnoreCase);

        public ConcurrentDictionary<IPAddress, string> Reverse { get; } = new();

        public Task Gate { get; set; } = Task.CompletedTask;

        public int ForwardCalls => Volatile.Read(ref _forwardCalls);

        public int ReverseCalls => Volatile.Read(ref _reverseCalls);

        public int Calls => ForwardCalls + ReverseCalls;

        public async Task<IPAddress[]> AddressesOfAsync(string name, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _forwardCalls);
            await Gate.WaitAsync(cancellationToken);
            return Forward.TryGetValue(name, out var addresses) ? addresses : throw new SocketException((int)SocketError.HostNotFound);
        }

        public async Task<string> NameOfAsync(IPAddress address, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _reverseCalls);
            await Gate.WaitAsync(cancellationToken);
            return Reverse.TryGetValue(address, out var name) ? name : throw new SocketException((int)SocketError.HostNotFound);
        }
    }
}
