using System.Globalization;
using System.Text.RegularExpressions;
using Parley.Interop.Tests.Harness;

namespace Parley.Interop.Tests.Federation;

/// <summary>A presence state a peer user publishes: PIDF basic status, RPID activity elements, note.</summary>
public sealed record PeerState(string Basic, string Activities, string Note)
{
    public static PeerState Available(string note) => new("open", "<rpid:unknown/>", note);

    public static PeerState Away(string note) => new("open", "<rpid:away/>", note);

    public static PeerState Busy(string note) => new("open", "<rpid:busy/>", note);

    public static PeerState Offline(string note) => new("closed", "<rpid:unknown/>", note);
}

/// <summary>
/// A user hosted on the peer (bob@example.com), played by sipp over UDP with the scenarios in Federation/Scenarios:
/// his user agent (uas.xml) listens on <see cref="ContactPort"/>, and each action (register, publish, watch, send)
/// is a separate sipp run from another port, all through a <see cref="KamailioPeer"/>.
/// </summary>
public sealed partial class PeerUser(string user, string domain = "example.com") : IAsyncDisposable
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);
    private readonly List<SippProcess> _running = [];
    private readonly string _directory = Directory.CreateTempSubdirectory("parley-fed-peer-user-").FullName;
    private string? _etag;
    private int _runs;

    public string User { get; } = user;

    /// <summary>His domain: example.com (shared with Parley), or a remote domain the peer federates with.</summary>
    public string Domain { get; } = domain;

    public string Jid => $"{User}@{Domain}";

    public int ContactPort { get; } = FreePorts.UdpAndTcp();

    /// <summary>Every message his user agent sent and received (sipp -trace_msg).</summary>
    public string AgentTrace => ReadShared(Path.Combine(_directory, "agent.msg"));

    /// <summary>Every message his watchers sent and received.</summary>
    public string WatchTrace => ReadShared(Path.Combine(_directory, "watch.msg"));

    /// <summary>The SIP messages of every sipp run of his, oldest run first (for failure messages).</summary>
    public string Traces => string.Join('\n', Directory.GetFiles(_directory, "*.msg").OrderBy(File.GetCreationTimeUtc)
        .Select(f => $"=== {Path.GetFileName(f)} ===\n{ReadShared(f)}"));

    /// <summary>A fresh peer user name (unique, so users never collide across tests).</summary>
    public static PeerUser Create(string name, string domain = "example.com") => new($"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)], domain);

    /// <summary>Starts his user agent: answers MESSAGE and INVITE with 200 and logs each request (uas.xml).</summary>
    public SippProcess StartAgent(SippTransport transport = SippTransport.Udp, int? port = null) =>
        Track(SippProcess.Start(
            FederationPaths.Scenario("uas.xml"), transport, port ?? ContactPort, remotePort: null,
            new Dictionary<string, string>(),
            Trace("agent"),
            calls: 100, timeout: TimeSpan.FromSeconds(600), label: $"{User}'s user agent"));

    public async Task RegisterAsync(KamailioPeer peer, string context) =>
        await SippProcess.RunAsync(
            FederationPaths.Scenario("register.xml"), SippTransport.Udp, FreePorts.UdpAndTcp(), peer.SipPort,
            new Dictionary<string, string> { ["aor_user"] = User, ["aor_domain"] = Domain, ["contact_port"] = Port(ContactPort), ["expires"] = "3600" },
            Trace($"register-{++_runs}"), timeout: Step, context: context + "\n" + peer.Describe());

    /// <summary>Publishes <paramref name="state"/>, replacing his previous publication at the same peer (SIP-If-Match).</summary>
    public async Task PublishAsync(KamailioPeer peer, PeerState state, string context)
    {
        var keys = new Dictionary<string, string> { ["aor_user"] = User, ["basic"] = state.Basic, ["activities"] = state.Activities, ["note"] = state.Note };
        if (_etag is not null)
        {
            keys["etag"] = _etag;
        }

        await using var sipp = SippProcess.Start(
            FederationPaths.Scenario(_etag is null ? "publish.xml" : "publish-modify.xml"), SippTransport.Udp, FreePorts.UdpAndTcp(), peer.SipPort,
            keys, Trace($"publish-{++_runs}"), timeout: Step, label: $"{User} publishes {state.Note}");
        await sipp.WaitForSuccessAsync(context + "\n" + peer.Describe());
        var match = EtagLine().Match(sipp.Log);
        Assert.True(match.Success, $"no SIP-ETag logged by the PUBLISH:\n{sipp.Describe()}");
        _etag = match.Groups[1].Value;
    }

    /// <summary>Starts a watcher of <paramref name="presentity"/> (a user of example.com) through the peer; see watch.xml for its log lines.</summary>
    public SippProcess StartWatching(KamailioPeer peer, string presentity) =>
        Track(SippProcess.Start(
            FederationPaths.Scenario("watch.xml"), SippTransport.Udp, FreePorts.UdpAndTcp(), peer.SipPort,
            new Dictionary<string, string> { ["from_user"] = User }, ["-s", presentity, .. Trace("watch")],
            timeout: TimeSpan.FromSeconds(600), label: $"{User} watching {presentity}"));

    /// <summary>Sends one page-mode MESSAGE through the peer and returns the final response code.</summary>
    public async Task<int> SendMessageAsync(KamailioPeer peer, string to, string body, string context, string contentType = "text/plain")
    {
        await using var sipp = SippProcess.Start(
            FederationPaths.Scenario("message.xml"), SippTransport.Udp, FreePorts.UdpAndTcp(), peer.SipPort,
            new Dictionary<string, string> { ["from_user"] = User, ["from_domain"] = Domain, ["body"] = body, ["content_type"] = contentType }, ["-s", to, .. Trace($"message-{++_runs}")],
            timeout: Step, label: $"{User} sends a MESSAGE to {to}");
        await sipp.WaitForSuccessAsync(context + "\n" + peer.Describe());
        var match = FinalLine().Match(sipp.Log);
        Assert.True(match.Success, $"no final response logged:\n{sipp.Describe()}");
        return int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>A session-mode IM (INVITE, INFO isComposing, MESSAGE with <paramref name="body"/>, BYE) to <paramref name="to"/>; fails unless every step got a 2xx.</summary>
    public async Task RunSessionAsync(KamailioPeer peer, string to, string body, string context) =>
        await SippProcess.RunAsync(
            FederationPaths.Scenario("session.xml"), SippTransport.Udp, FreePorts.UdpAndTcp(), peer.SipPort,
            new Dictionary<string, string> { ["from_user"] = User, ["body"] = body }, ["-s", to, .. Trace($"session-{++_runs}")],
            timeout: Step, context: $"{context}\n{peer.Describe()}\nHINT: a '404 Not Here' from kamailio to an in-dialog request means the 2xx " +
                "to the INVITE did not carry the Record-Route kamailio added (RFC 3261 §12.1.1), so the request had no Route to it.");

    public async ValueTask DisposeAsync()
    {
        foreach (var sipp in _running)
        {
            await sipp.DisposeAsync();
        }

        RunDirectories.DeleteUnlessKept(_directory);
    }

    /// <summary>A trace sipp may still be writing (on Linux nothing stops reading it meanwhile); empty before it exists.</summary>
    private static string ReadShared(string path) => File.Exists(path) ? File.ReadAllText(path) : "";

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    /// <summary>sipp arguments writing every message of the run to NAME.msg in his directory.</summary>
    private string[] Trace(string name) => ["-trace_msg", "-message_file", Path.Combine(_directory, name + ".msg")];

    private SippProcess Track(SippProcess sipp)
    {
        _running.Add(sipp);
        return sipp;
    }

    [GeneratedRegex(@"etag=(\S+)")]
    private static partial Regex EtagLine();

    [GeneratedRegex(@"final: (\d{3})")]
    private static partial Regex FinalLine();
}
