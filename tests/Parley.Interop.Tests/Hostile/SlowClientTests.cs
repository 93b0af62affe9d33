using Parley.Interop.Tests.Harness;

namespace Parley.Interop.Tests.Hostile;

/// <summary>
/// Clients that never finish: the server must drop them on its handshake/auth timeout or its
/// stanza deadline. Each case is its own class (own server) so they run in parallel: each
/// lasts as long as the server's timeout.
/// </summary>
public static class SlowClient
{
    /// <summary>Upper bound for any of the server's handshake, auth or stanza deadlines.</summary>
    public static readonly TimeSpan DisconnectBound = TimeSpan.FromSeconds(90);

    public static async Task<TimeSpan> TrickleUntilClosedAsync(RawXmppClient client, string text, ITestOutputHelper output)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        var reader = client.WaitForCloseAsync(DisconnectBound + TimeSpan.FromSeconds(5));
        foreach (var b in bytes)
        {
            if (reader.IsCompleted || started.Elapsed > DisconnectBound + TimeSpan.FromSeconds(5))
            {
                break;
            }

            try
            {
                await client.SendAsync(new[] { b });
            }
            catch (IOException)
            {
                break;
            }

            await Task.WhenAny(reader, Task.Delay(TimeSpan.FromSeconds(1)));
        }

        var (closed, _) = await reader;
        output.WriteLine($"closed={closed} after {started.Elapsed.TotalSeconds:0.0} s, condition={client.StreamErrorCondition()}");
        Assert.True(closed, $"a client sending one byte per second was not disconnected within {DisconnectBound.TotalSeconds:0} s");
        Assert.True(started.Elapsed <= DisconnectBound, $"disconnected only after {started.Elapsed.TotalSeconds:0} s (bound {DisconnectBound.TotalSeconds:0} s)");
        return started.Elapsed;
    }

    public static void AssertTimeoutConditionIfAny(RawXmppClient client)
    {
        var condition = client.StreamErrorCondition();
        Assert.True(
            condition is null or "connection-timeout" or "policy-violation",
            $"expected <connection-timeout/> or <policy-violation/> (or a plain close), got <{condition}/>:\n{client.Received}");
    }
}

public sealed class SlowHandshakeTests(HostileFixture fixture, ITestOutputHelper output) : IClassFixture<HostileFixture>
{
    [Fact]
    public async Task A_client_sending_its_stream_header_one_byte_per_second_is_disconnected()
    {
        await using var client = await fixture.ConnectAsync();
        var header = RawXmppClient.StreamHeader(ParleyProcess.Domain);
        await SlowClient.TrickleUntilClosedAsync(client, header + header, output);
        SlowClient.AssertTimeoutConditionIfAny(client);
        await fixture.AssertUnaffectedAsync();
    }
}

public sealed class UnclosedStreamTests(HostileFixture fixture, ITestOutputHelper output) : IClassFixture<HostileFixture>
{
    [Fact]
    public async Task An_open_stream_that_never_authenticates_is_closed()
    {
        await using var client = await fixture.ConnectAsync();
        await client.SendAsync(RawXmppClient.StreamHeader(ParleyProcess.Domain));
        var (closed, elapsed) = await client.WaitForCloseAsync(SlowClient.DisconnectBound);
        output.WriteLine($"closed={closed} after {elapsed.TotalSeconds:0.0} s, condition={client.StreamErrorCondition()}");
        Assert.True(closed, $"an unauthenticated stream held open was not closed within {SlowClient.DisconnectBound.TotalSeconds:0} s");
        SlowClient.AssertTimeoutConditionIfAny(client);
        await fixture.AssertUnaffectedAsync();
    }

    [Fact]
    public async Task A_connection_that_sends_nothing_is_closed()
    {
        await using var client = await fixture.ConnectAsync();
        var (closed, elapsed) = await client.WaitForCloseAsync(SlowClient.DisconnectBound);
        output.WriteLine($"closed={closed} after {elapsed.TotalSeconds:0.0} s");
        Assert.True(closed, $"a silent connection was not closed within {SlowClient.DisconnectBound.TotalSeconds:0} s");
        await fixture.AssertUnaffectedAsync();
    }
}

public sealed class SlowStanzaTests(HostileFixture fixture, ITestOutputHelper output) : IClassFixture<HostileFixture>
{
    [Fact]
    public async Task A_logged_in_client_sending_a_stanza_one_byte_per_second_is_disconnected()
    {
        await using var attacker = await fixture.LoggedInAttackerAsync();
        var stanza = $"<message to='{fixture.First.FullJid}' type='chat'><body>{new string('s', 500)}</body></message>";
        await SlowClient.TrickleUntilClosedAsync(attacker, stanza, output);
        SlowClient.AssertTimeoutConditionIfAny(attacker);
        await fixture.AssertUnaffectedAsync();
    }
}
