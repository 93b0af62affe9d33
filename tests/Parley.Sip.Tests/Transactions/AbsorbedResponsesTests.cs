using Parley.Sip.Messages;
using Parley.Sip.Parsing;
using Parley.Sip.Transactions;
using Xunit.Abstractions;

namespace Parley.Sip.Tests.Transactions;

public sealed class AbsorbedResponsesTests(ITestOutputHelper output)
{
    private const int SmallSegment = 4096;
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(32);

    private readonly FakeTimeProvider _time = new();
    private readonly SipMessageParser _parser = new(new SipLimits { MaxMessageBytes = int.MaxValue });

    [Fact]
    public void An_absorbed_response_comes_back_byte_for_byte_until_it_expires()
    {
        var store = Store();
        var ok = Response("z9hG4bK-1", 200);
        store.Add(Key("z9hG4bK-1"), ok);

        _time.Advance(Lifetime - TimeSpan.FromMilliseconds(1));
        store.ExpireDue();
        Assert.True(store.TryGet(Key("z9hG4bK-1"), out var again));
        Assert.Equal(SipMessageWriter.ToBytes(ok), SipMessageWriter.ToBytes(again));
        Assert.Equal(1, store.Count);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        store.ExpireDue();
        Assert.False(store.TryGet(Key("z9hG4bK-1"), out _));
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void Keys_differing_in_any_part_are_different_entries()
    {
        var store = Store();
        store.Add(new TransactionKey("z9hG4bK-1", "192.0.2.10:5060", SipMethods.Message), Response("z9hG4bK-1", 200));

        Assert.False(store.TryGet(new TransactionKey("z9hG4bK-1", "192.0.2.11:5060", SipMethods.Message), out _));
        Assert.False(store.TryGet(new TransactionKey("z9hG4bK-1", "192.0.2.10:5060", SipMethods.Notify), out _));
        Assert.False(store.TryGet(new TransactionKey("z9hG4bK-2", "192.0.2.10:5060", SipMethods.Message), out _));
        Assert.False(store.TryGet(new TransactionKey("z9hG4bK-", "1192.0.2.10:5060", SipMethods.Message), out _));
        Assert.True(store.TryGet(new TransactionKey("z9hG4bK-1", "192.0.2.10:5060", SipMethods.Message), out _));
    }

    [Fact]
    public void A_later_add_with_the_same_key_replaces_the_response()
    {
        var store = Store();
        store.Add(Key("z9hG4bK-1"), Response("z9hG4bK-1", 200));
        _time.Advance(TimeSpan.FromSeconds(10));
        store.Add(Key("z9hG4bK-1"), Response("z9hG4bK-1", 202));

        Assert.Equal(1, store.Count);
        Assert.True(store.TryGet(Key("z9hG4bK-1"), out var response));
        Assert.Equal(202, response.StatusCode);

        _time.Advance(TimeSpan.FromSeconds(25)); // the first add's time is up, not the second's
        store.ExpireDue();
        Assert.True(store.TryGet(Key("z9hG4bK-1"), out response));
        Assert.Equal(202, response.StatusCode);
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public void Removing_by_key_stops_absorption_for_that_key_only()
    {
        var store = Store();
        store.Add(Key("z9hG4bK-1"), Response("z9hG4bK-1", 200));
        store.Add(Key("z9hG4bK-2"), Response("z9hG4bK-2", 200));

        Assert.True(store.Remove(Key("z9hG4bK-1")));

        Assert.False(store.TryGet(Key("z9hG4bK-1"), out _));
        Assert.True(store.TryGet(Key("z9hG4bK-2"), out _));
        Assert.Equal(1, store.Count);
        Assert.False(store.Remove(Key("z9hG4bK-1")));
        _time.Advance(Lifetime);
        store.ExpireDue();
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void Colliding_keys_each_keep_their_own_response()
    {
        var store = Store(hash: _ => 42);
        store.Add(Key("z9hG4bK-1"), Response("z9hG4bK-1", 200));
        store.Add(Key("z9hG4bK-2"), Response("z9hG4bK-2", 486));
        store.Add(Key("z9hG4bK-3"), Response("z9hG4bK-3", 603));

        Assert.Equal(200, Get(store, "z9hG4bK-1").StatusCode);
        Assert.Equal(486, Get(store, "z9hG4bK-2").StatusCode);
        Assert.Equal(603, Get(store, "z9hG4bK-3").StatusCode);
        Assert.Equal("z9hG4bK-2", Get(store, "z9hG4bK-2").TopVia.Branch);
        Assert.False(store.TryGet(Key("z9hG4bK-4"), out _));
        Assert.Equal(3, store.Count);
    }

    [Fact]
    public void Removing_one_of_colliding_keys_leaves_the_others()
    {
        var store = Store(hash: _ => 42);
        store.Add(Key("z9hG4bK-1"), Response("z9hG4bK-1", 200));
        store.Add(Key("z9hG4bK-2"), Response("z9hG4bK-2", 486));
        store.Add(Key("z9hG4bK-3"), Response("z9hG4bK-3", 603));

        Assert.True(store.Remove(Key("z9hG4bK-3"))); // the newest, which the index points at
        Assert.True(store.Remove(Key("z9hG4bK-1"))); // the oldest, at the end of the chain

        Assert.False(store.TryGet(Key("z9hG4bK-1"), out _));
        Assert.False(store.TryGet(Key("z9hG4bK-3"), out _));
        Assert.Equal(486, Get(store, "z9hG4bK-2").StatusCode);
        Assert.Equal(1, store.Count);

        store.Add(Key("z9hG4bK-1"), Response("z9hG4bK-1", 202)); // back again, on the same chain
        Assert.Equal(202, Get(store, "z9hG4bK-1").StatusCode);
        Assert.Equal(486, Get(store, "z9hG4bK-2").StatusCode);
    }

    [Fact]
    public void Expiring_one_of_colliding_keys_leaves_the_later_one()
    {
        var store = Store(hash: _ => 42);
        store.Add(Key("z9hG4bK-1"), Response("z9hG4bK-1", 200));
        _time.Advance(TimeSpan.FromSeconds(1));
        store.Add(Key("z9hG4bK-2"), Response("z9hG4bK-2", 486));

        _time.Advance(Lifetime - TimeSpan.FromSeconds(1));
        store.ExpireDue();

        Assert.False(store.TryGet(Key("z9hG4bK-1"), out _));
        Assert.Equal(486, Get(store, "z9hG4bK-2").StatusCode);
        Assert.Equal(1, store.Count);

        _time.Advance(TimeSpan.FromSeconds(1));
        store.ExpireDue();
        Assert.False(store.TryGet(Key("z9hG4bK-2"), out _));
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void Entries_spanning_many_segments_expire_in_the_order_they_came()
    {
        var store = Store();
        const int entries = 200; // several hundred bytes each: dozens of 4 KiB segments
        for (var i = 0; i < entries; i++)
        {
            store.Add(Key($"z9hG4bK-{i}"), Response($"z9hG4bK-{i}", 200 + (i % 100)));
            _time.Advance(TimeSpan.FromMilliseconds(100));
        }

        Assert.True(store.SegmentsAllocated > 10, $"{store.SegmentsAllocated} segments");
        Assert.Equal(entries, store.Count);
        for (var i = 0; i < entries; i++)
        {
            Assert.Equal(200 + (i % 100), Get(store, $"z9hG4bK-{i}").StatusCode);
        }

        // Now at 20 s: at 43.9 s the first 120 (added at 0 to 11.9 s) have been kept 32 s.
        _time.Advance(TimeSpan.FromSeconds(23.9));
        store.ExpireDue();

        Assert.Equal(entries - 120, store.Count);
        for (var i = 0; i < entries; i++)
        {
            Assert.Equal(i >= 120, store.TryGet(Key($"z9hG4bK-{i}"), out _));
        }

        _time.Advance(Lifetime);
        store.ExpireDue();
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void Segments_are_reused_across_many_add_and_expire_cycles()
    {
        // A steady flow, swept every T1/2 as the layer does: 100 entries a second, each kept 2 s.
        var lifetime = TimeSpan.FromSeconds(2);
        var store = Store(lifetime: lifetime);
        var sweep = TimeSpan.FromMilliseconds(250);
        var response = Response("z9hG4bK-0", 200);
        var entryBytes = SipMessageWriter.Measure(response) + 100; // and header and key
        const int adds = 6_000; // one minute
        for (var i = 0; i < adds; i++)
        {
            store.Add(Key($"z9hG4bK-{i}"), response);
            _time.Advance(TimeSpan.FromMilliseconds(10));
            if (i % 25 == 24)
            {
                store.ExpireDue();
            }
        }

        // About 200 entries are alive (a few 4 KiB segments); without reuse every segment filled would be a new one.
        var segmentsFilled = adds * entryBytes / SmallSegment;
        var segmentsAlive = (200 * entryBytes / SmallSegment) + 1;
        Assert.True(segmentsFilled > 10 * segmentsAlive, $"{segmentsFilled} segments filled");
        Assert.InRange(store.Count, 190, 200 + (int)(sweep / TimeSpan.FromMilliseconds(10)));
        output.WriteLine($"{store.SegmentsAllocated} segments allocated for {segmentsFilled} filled");
        Assert.True(store.SegmentsAllocated <= segmentsAlive + 6, $"{store.SegmentsAllocated} segments allocated for {segmentsFilled} filled");
    }

    [Fact]
    public void An_entry_larger_than_a_segment_gets_one_of_its_own()
    {
        var store = Store();
        var big = Response("z9hG4bK-big", 200);
        big.Body = Enumerable.Range(0, 3 * SmallSegment).Select(i => (byte)('a' + (i % 26))).ToArray();
        store.Add(Key("z9hG4bK-small-1"), Response("z9hG4bK-small-1", 200));
        store.Add(Key("z9hG4bK-big"), big);
        store.Add(Key("z9hG4bK-small-2"), Response("z9hG4bK-small-2", 202));

        Assert.Equal(SipMessageWriter.ToBytes(big), SipMessageWriter.ToBytes(Get(store, "z9hG4bK-big")));
        Assert.Equal(200, Get(store, "z9hG4bK-small-1").StatusCode);
        Assert.Equal(202, Get(store, "z9hG4bK-small-2").StatusCode);
        Assert.Equal(3, store.Count);

        _time.Advance(Lifetime);
        store.ExpireDue();
        Assert.Equal(0, store.Count);
        store.Add(Key("z9hG4bK-small-3"), Response("z9hG4bK-small-3", 200));
        Assert.Equal(200, Get(store, "z9hG4bK-small-3").StatusCode);
    }

    [Fact]
    public void Adding_and_expiring_allocates_nothing_in_steady_state()
    {
        var store = new AbsorbedResponses(_time, TimeSpan.FromSeconds(1), _parser);
        var keys = Enumerable.Range(0, 4096).Select(i => Key($"z9hG4bK-{i}")).ToArray();
        var responses = keys.Select(k => Response(k.Branch, 200)).ToArray();
        var step = TimeSpan.FromMilliseconds(1);

        void Run(int adds)
        {
            for (var i = 0; i < adds; i++)
            {
                store.Add(keys[i % keys.Length], responses[i % keys.Length]);
                _time.Advance(step);
                if (i % 100 == 0)
                {
                    store.ExpireDue();
                }
            }
        }

        Run(20_000); // warm-up: segments, index and free list reach their steady size
        const int adds = 100_000;
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(adds);
        var perAdd = (double)(GC.GetAllocatedBytesForCurrentThread() - before) / adds;

        output.WriteLine($"{perAdd:F2} bytes allocated per add, {store.SegmentsAllocated} segments allocated");
        Assert.True(perAdd < 64, $"{perAdd:F1} bytes allocated per add");
        Assert.InRange(store.Count, 900, 1100); // a second's worth at one add per millisecond
    }

    private static TransactionKey Key(string branch) => new(branch, "192.0.2.10:5060", SipMethods.Message);

    private static SipResponse Response(string branch, int status)
    {
        var request = TestMessages.Received(SipMethods.Message, branch: branch);
        return SipResponse.CreateFor(request, status, toTag: "bob");
    }

    private static SipResponse Get(AbsorbedResponses store, string branch)
    {
        Assert.True(store.TryGet(Key(branch), out var response), branch);
        return response;
    }

    private AbsorbedResponses Store(Func<TransactionKey, ulong>? hash = null, TimeSpan? lifetime = null) =>
        new(_time, lifetime ?? Lifetime, _parser, hash ?? new TransactionKeyHash().Of, SmallSegment);
}
