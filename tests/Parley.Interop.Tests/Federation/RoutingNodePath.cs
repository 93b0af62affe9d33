using System.Diagnostics;
using Parley.Interop.Tests.Replication;

namespace Parley.Interop.Tests.Federation;

/// <summary>
/// Proof that the peer's traffic passes through Parley's routing node (issue 5 acceptance, routing-node bullet), read
/// from what the peer side saw: bob's sipp message traces (Record-Route, Via) and Kamailio's PEER-REPLY lines (the
/// address each reply came from).
/// </summary>
public static class RoutingNodePath
{
    /// <summary>The 2xx to bob's SUBSCRIBE carries a Record-Route of <paramref name="routing"/>, so the dialog's NOTIFYs go through it.</summary>
    public static void AssertSubscriptionRecordRouted(PeerUser bob, ReplicatedNode routing, Func<string> context) =>
        Assert.True(
            Messages(bob.WatchTrace).Any(m => m.StartsWith("SIP/2.0 20", StringComparison.Ordinal) && m.Contains("CSeq: 1 SUBSCRIBE", StringComparison.Ordinal)
                && Header(m, "Record-Route").Any(h => Names(h, routing))),
            $"the 2xx to bob's SUBSCRIBE should carry a Record-Route of the routing node ({routing.Address} / {routing.Fqdn}).\n{bob.WatchTrace}\n{context()}");

    /// <summary>The NOTIFYs bob's watchers received (each a whole message).</summary>
    public static IReadOnlyList<string> Notifies(PeerUser bob) =>
        Messages(bob.WatchTrace).Where(m => m.StartsWith("NOTIFY", StringComparison.Ordinal)).ToArray();

    /// <summary>The message passed through <paramref name="node"/>: one of its Vias names the node.</summary>
    public static bool CameThrough(string message, ReplicatedNode node) => Header(message, "Via").Any(h => Names(h, node));

    /// <summary>The NOTIFY carrying <paramref name="text"/> reached bob through <paramref name="routing"/> (a Via of it).</summary>
    public static void AssertNotifyThrough(PeerUser bob, ReplicatedNode routing, string text, Func<string> context) =>
        Assert.True(
            Notifies(bob).Any(m => m.Contains(text, StringComparison.Ordinal) && CameThrough(m, routing)),
            $"the NOTIFY with '{text}' should reach bob through the routing node (a Via of {routing.Address} / {routing.Fqdn}).\n{bob.WatchTrace}\n{context()}");

    /// <summary>
    /// The MESSAGE with <paramref name="text"/> that bob's user agent got was sent by alice's home node itself (a Via of
    /// it) and not through the routing node, when there is one (R4.12: front ends send to the peer directly).
    /// </summary>
    public static void AssertSentByTheHomeNode(PeerUser bob, FederatedParley parley, string text, Func<string> context)
    {
        var delivered = Messages(bob.AgentTrace).Where(m => m.StartsWith("MESSAGE", StringComparison.Ordinal) && m.Contains(text, StringComparison.Ordinal)).ToArray();
        Assert.True(delivered.Length > 0, $"bob's user agent got no MESSAGE with '{text}'.\n{bob.AgentTrace}\n{context()}");
        Assert.True(
            delivered.All(m => CameThrough(m, parley.Home) && (parley.Routing is not { } routing || !CameThrough(m, routing))),
            $"'{text}' should come from alice's home node {parley.Home.Fqdn} ({parley.Home.Address}) directly, not through a routing node:\n{string.Join("\n--\n", delivered)}\n{context()}");
    }

    /// <summary>
    /// Every reply Kamailio got to a <paramref name="method"/> it relayed to Parley came from <paramref name="front"/>
    /// (Kamailio logs the source of each reply), and there was at least one: responses return the way the request went.
    /// </summary>
    public static async Task AssertRepliesCameFromAsync(KamailioPeer peer, ReplicatedNode front, string method, Func<string> context)
    {
        // Kamailio's log is read from its stderr pipe, which may trail the reply sipp already logged.
        var stopwatch = Stopwatch.StartNew();
        IReadOnlyList<string> replies;
        while ((replies = RepliesFromParley(peer, method)).Count == 0 && stopwatch.Elapsed < FederationTestBed.Step)
        {
            await Task.Delay(100);
        }

        Assert.True(replies.Count > 0, $"kamailio logged no reply to a {method} it relayed to Parley.\n{context()}");
        Assert.True(
            replies.All(l => l.Contains($"from={front.Address}:", StringComparison.Ordinal)),
            $"every reply to a {method} relayed to Parley should come from {front.Fqdn} ({front.Address}):\n{string.Join('\n', replies)}\n{context()}");
    }

    /// <summary>The SIP messages of a sipp -trace_msg file, each starting with its start line.</summary>
    public static IReadOnlyList<string> Messages(string trace) =>
        trace.Split("----------------------------------------------", StringSplitOptions.RemoveEmptyEntries)
            .Select(block => block.Split('\n').SkipWhile(l => !(l.StartsWith("SIP/2.0 ", StringComparison.Ordinal) || l.Contains(" SIP/2.0", StringComparison.Ordinal))))
            .Select(lines => string.Join('\n', lines))
            .Where(m => m.Length > 0)
            .ToArray();

    /// <summary>The values of header <paramref name="name"/> (one line each, as sipp writes them).</summary>
    public static IEnumerable<string> Header(string message, string name) =>
        message.Split('\n').TakeWhile(l => l.Trim().Length > 0).Where(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase));

    private static bool Names(string header, ReplicatedNode node) =>
        header.Contains(node.Address, StringComparison.Ordinal) || header.Contains(node.Fqdn, StringComparison.OrdinalIgnoreCase);

    private static IReadOnlyList<string> RepliesFromParley(KamailioPeer peer, string method)
    {
        var toParley = peer.Lines("PEER-TO-PARLEY " + method).Select(CallId).ToHashSet(StringComparer.Ordinal);
        return peer.Lines("PEER-REPLY", $"to {method} ").Where(l => toParley.Contains(CallId(l))).ToArray();
    }

    private static string CallId(string line) => line[(line.LastIndexOf("callid=", StringComparison.Ordinal) + 7)..].Trim();
}
