using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Server.Configuration;
using Parley.Server.Diagnostics;
using Parley.Server.Hosting;
using Parley.Server.Management;
using Parley.Server.Roster;
using Parley.Server.Sip;
using Parley.Server.Storage;
using Parley.Server.Tests.Support;
using Parley.Server.Xmpp;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Tests.Xmpp.Support;

/// <summary>A user created for one test: a unique bare JID and its password.</summary>
public sealed record TestAccount(Jid Jid, string Password)
{
    public string Local => Jid.Local!;

    public override string ToString() => Jid.ToString();
}

/// <summary>
/// A real Parley node run in-process (<see cref="ParleyNode.RunAsync"/>) on a temp data directory and a free
/// loopback port, plus a second store handle on the same data directory through which tests create users and change
/// settings exactly as the CLI would while the server runs.
/// </summary>
/// <remarks>SIP is off unless <paramref name="sip"/> is given; its ports are then chosen once and kept across restarts.</remarks>
public sealed class ParleyTestNode(XmppServerOptions? xmpp = null, SipServerOptions? sip = null) : IAsyncDisposable
{
    public const string Domain = "example.com";
    public const string Fqdn = "parley.example.com";
    private const string TestNodeName = "xmpp-tests";

    private static int _counter;
    private readonly TempDirectory _temp = new();
    private CancellationTokenSource? _stop;
    private Task<int>? _run;
    private NodeOutput? _output;

    public string DataDirectory => _temp.Combine("data");

    public string CaCertificatePath => Path.Combine(DataDirectory, "certs", "ca.pem");

    public int Port { get; private set; }

    /// <summary>SIP UDP and TCP port on 127.0.0.1; 0 when SIP is off.</summary>
    public int SipPort { get; private set; }

    /// <summary>SIP TLS port on 127.0.0.1; 0 when SIP is off.</summary>
    public int SipsPort { get; private set; }

    /// <summary>The test's own handle on the node's store (like the CLI): users, settings, rosters, events.</summary>
    public ParleyStore Store { get; private set; } = null!;

    public string Output => _output?.Text ?? string.Empty;

    public async Task StartAsync()
    {
        if (_run is not null)
        {
            throw new InvalidOperationException("The node is already running.");
        }

        Port = FreePort();
        if (sip is not null && SipPort == 0)
        {
            SipPort = FreeUdpAndTcpPort();
            SipsPort = FreePort();
        }

        _stop = new CancellationTokenSource();
        _output = new NodeOutput();
        var options = new NodeOptions
        {
            Fqdn = Fqdn,
            DataDirectory = DataDirectory,
            InitialDomain = Domain,
            BindAddress = IPAddress.Loopback,
            XmppPort = Port,
            AdminPort = 0,
            Xmpp = xmpp ?? new XmppServerOptions(),
            Sip = (sip ?? new SipServerOptions()) with { Port = SipPort, TlsPort = SipsPort },
        };
        _run = Task.Run(() => ParleyNode.RunAsync(options, _output, _stop.Token));
        var ready = await Task.WhenAny(_output.Ready, _run, Task.Delay(TimeSpan.FromSeconds(30)));
        if (ready != _output.Ready)
        {
            throw new InvalidOperationException($"The node did not become ready (exit {(_run.IsCompleted ? _run.Result.ToString() : "none, still starting")}). Output:\n{_output.Text}");
        }

        if (Store is null)
        {
            var storeOptions = TestStore.Options(DataDirectory) with
            {
                Settings = new DeploymentSettingsOptions { AnnounceRevisions = false },
                Events = new EventLogOptions { NodeName = TestNodeName },
            };
            Store = new ParleyStore(storeOptions, TimeProvider.System, NullLoggerFactory.Instance);
            await Store.StartAsync(CancellationToken.None);
        }
    }

    /// <summary>Stops as on SIGINT (cancels the node's token) and checks it exits cleanly.</summary>
    public async Task StopAsync()
    {
        if (_run is null)
        {
            return;
        }

        await _stop!.CancelAsync();
        var exit = await _run.WaitAsync(TimeSpan.FromSeconds(20));
        _run = null;
        _stop.Dispose();
        if (exit != ParleyNode.ExitOk)
        {
            throw new InvalidOperationException($"The node exited with {exit}. Output:\n{Output}");
        }
    }

    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    /// <summary>Adds an enabled user with a name no other test uses.</summary>
    public async Task<TestAccount> CreateUserAsync(string name)
    {
        var local = $"{name}-{Interlocked.Increment(ref _counter)}-{Guid.NewGuid().ToString("N")[..6]}";
        var jid = Jid.Parse($"{local}@{Domain}");
        var password = "pw-" + Guid.NewGuid().ToString("N")[..10];
        await Store.Users.AddUserAsync(jid, password, TestStore.Actor, CancellationToken.None);
        return new TestAccount(jid, password);
    }

    public Task DisableUserAsync(TestAccount account)
        => Store.Users.SetEnabledAsync(account.Jid, false, TestStore.Actor, CancellationToken.None);

    /// <summary>Writes a mutual (both) subscription for two users who are both offline, as if made earlier.</summary>
    public async Task MakeMutualContactsAsync(TestAccount a, TestAccount b)
    {
        await Store.Rosters.SaveAsync(a.Jid, new RosterItem(b.Jid, null, [], Subscription.Both, false, false, false, false), CancellationToken.None);
        await Store.Rosters.SaveAsync(b.Jid, new RosterItem(a.Jid, null, [], Subscription.Both, false, false, false, false), CancellationToken.None);
    }

    /// <summary>Changes the presence policy and waits until the running node has applied that revision.</summary>
    public async Task SetPresenceSettingsAsync(PresenceSettings settings)
    {
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        // The revision the change made (the store's own settings view may not have read it yet).
        var revision = await Store.Cms.SetPresenceSettingsAsync(settings, TestStore.Actor, CancellationToken.None);
        await WaitForReplicaRevisionAsync(revision, since);
    }

    /// <summary>
    /// Waits until the running node's replica holds <paramref name="revision"/>: its services read the replica, which
    /// the master delivers to itself after the store changed (the store's own "revision applied" event comes first).
    /// </summary>
    public Task WaitForReplicaRevisionAsync(long revision, DateTimeOffset since)
        => WaitForEventAsync(ParleyEvents.Management.ReplicaRevisionApplied.Id, since,
            e => e.Node == Fqdn && ReplicaRevisionOf(e.Message) >= revision, TimeSpan.FromSeconds(10), $"the node's replica applying revision {revision}");

    /// <summary>Polls the event store until an event raised by the node matches.</summary>
    public async Task<EventRecord> WaitForEventAsync(int id, DateTimeOffset since, Func<EventRecord, bool> match, TimeSpan timeout, string what)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var events = await Store.Events.QueryAsync(id, since, 1000, CancellationToken.None);
            if (events.FirstOrDefault(match) is { } found)
            {
                return found;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"No event {id} for {what} within {timeout.TotalSeconds} s; events {id} seen: [{string.Join("; ", events.Select(e => e.Message))}]");
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            if (Store is not null)
            {
                await Store.DisposeAsync();
            }

            _temp.Dispose();
        }
    }

    // "Replica applied revision {0} from master {1} ..."
    private static long ReplicaRevisionOf(string message)
        => message.Split(' ') is [_, _, _, var number, ..] && long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var revision) ? revision : -1;

    /// <summary>A port free for both UDP and TCP (SIP listens on both).</summary>
    private static int FreeUdpAndTcpPort()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort();
            try
            {
                using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException) when (attempt < 20)
            {
            }
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    /// <summary>The node's console output, which says when it is ready.</summary>
    private sealed class NodeOutput : TextWriter
    {
        private readonly StringBuilder _text = new();
        private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override Encoding Encoding => Encoding.UTF8;

        public Task Ready => _ready.Task;

        public string Text
        {
            get
            {
                lock (_text)
                {
                    return _text.ToString();
                }
            }
        }

        public override void Write(char value) => Append(value.ToString());

        public override void Write(string? value) => Append(value);

        public override void WriteLine(string? value) => Append(value + Environment.NewLine);

        public override Task WriteLineAsync(string? value)
        {
            WriteLine(value);
            return Task.CompletedTask;
        }

        public override Task WriteAsync(string? value)
        {
            Write(value);
            return Task.CompletedTask;
        }

        private void Append(string? value)
        {
            lock (_text)
            {
                _text.Append(value);
                if (_text.ToString().Contains("ready", StringComparison.Ordinal))
                {
                    _ready.TrySetResult();
                }
            }
        }
    }
}

/// <summary>One node per test class, default deployment settings.</summary>
public class ParleyNodeFixture : IAsyncLifetime
{
    public ParleyNodeFixture()
    {
        Node = new ParleyTestNode(Xmpp, Sip);
    }

    public ParleyTestNode Node { get; }

    /// <summary>XMPP service options; null keeps the production defaults.</summary>
    protected virtual XmppServerOptions? Xmpp => null;

    /// <summary>SIP service options; null keeps SIP off.</summary>
    protected virtual SipServerOptions? Sip => null;

    /// <summary>Settings applied once the node runs; null keeps the defaults (limits 200, auto-approve on).</summary>
    protected virtual PresenceSettings? Settings => null;

    public async Task InitializeAsync()
    {
        await Node.StartAsync();
        if (Settings is { } settings)
        {
            await Node.SetPresenceSettingsAsync(settings);
        }
    }

    public async Task DisposeAsync() => await Node.DisposeAsync();
}

/// <summary>A node where subscription requests wait for the contact's approval.</summary>
public sealed class ManualApprovalNodeFixture : ParleyNodeFixture
{
    protected override PresenceSettings Settings => new() { AutoApproveLocalDomain = false };
}

/// <summary>A node with tiny contact-list and watcher limits, so tests reach them in a few steps.</summary>
public sealed class LowLimitsNodeFixture : ParleyNodeFixture
{
    public const int MaxContacts = 2;
    public const int MaxWatchers = 1;

    protected override PresenceSettings Settings => new() { MaxContactListSize = MaxContacts, MaxWatchers = MaxWatchers };
}
