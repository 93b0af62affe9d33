using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Parley.Server.Diagnostics;
using Parley.Server.Federation.Outbound;
using Parley.Server.Management;
using Parley.Server.Management.Documents;
using Parley.Server.Sessions;
using Parley.Server.Sip;
using Parley.Server.Storage;
using Parley.Server.Tests.Sip.Support;
using Parley.Server.Tests.Support;
using Parley.Server.Xmpp;
using Parley.Server.Xmpp.Routing;
using Parley.Xmpp;
using Parley.Xmpp.Addressing;
using Parley.Xmpp.Streams;
using Parley.Xmpp.Xml;

namespace Parley.Server.Tests.Federation.Outbound;

/// <summary>
/// The engine and a SIP node in process, as <c>ParleyNode</c> wires them, on a temp data directory and a free loopback
/// port; deployment settings the test sets directly (federation documents included), events recorded in memory, and
/// XMPP sessions whose stanzas go through the real <see cref="ClientStanzaRouter"/> and are collected for assertions.
/// <see cref="RestartAsync"/> builds everything again on the same data directory.
/// </summary>
public sealed class FederationHarness : IAsyncDisposable
{
    public const string Domain = "example.com";
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly TempDirectory _temp = new();
    private readonly FederationOutboundOptions _options;
    private readonly SipServerOptions _sip;
    private ServiceProvider? _provider;

    /// <param name="sip">SIP options (default: the SIP test fixture's short timers).</param>
    public FederationHarness(FederationOutboundOptions? options = null, SipServerOptions? sip = null)
    {
        _sip = sip ?? SipNodeFixture.TestOptions;
        _options = options ?? new FederationOutboundOptions { ProbeInterval = TimeSpan.FromMilliseconds(300), SubscriptionRetry = TimeSpan.FromSeconds(1) };
        Settings = new TestSettings(new DeploymentConfiguration { Domains = [Domain] });
    }

    public TestSettings Settings { get; }

    public RecordingEventLog Events { get; } = new();

    public int SipPort { get; private set; }

    public IPEndPoint SipEndPoint => new(IPAddress.Loopback, SipPort);

    public IServiceProvider Services => _provider ?? throw new InvalidOperationException("Not started.");

    public async Task StartAsync()
    {
        if (SipPort == 0)
        {
            SipPort = FreeUdpAndTcpPort();
        }

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddParleyStore(_temp.Path, _ => TestStore.Options(_temp.Path) with { Settings = new DeploymentSettingsOptions { AnnounceRevisions = false } });
        services.AddParleyXmpp(new XmppServerOptions());
        services.AddSingleton(_options);
        services.AddParleySip(_sip with { Port = SipPort, TlsPort = 0 });
        services.AddSingleton<IDeploymentSettings>(Settings);
        services.AddSingleton<IEventLog>(Events);
        _provider = services.BuildServiceProvider();
        var store = _provider.GetRequiredService<ParleyStore>();
        await store.StartAsync(None);
        if (!(await store.Users.ListDomainsAsync(None)).Contains(Domain))
        {
            await store.Users.AddDomainAsync(Domain, TestStore.Actor, None);
        }

        await _provider.GetRequiredService<SipNode>().StartAsync(IPAddress.Loopback, "127.0.0.1", None);
    }

    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    /// <summary>Federation on (Basic mode unless changed) with one TCP route per (pattern, port, priority, flavour).</summary>
    public void Federate(PeerFlavour flavour, params (string Pattern, int Port, int Priority)[] routes)
        => Settings.Change(c => c with
        {
            Federation = new FederationOptions { Enabled = true },
            StaticRoutes = [.. routes.Select(r => new StaticRoute(r.Pattern, "127.0.0.1", r.Port, "tcp") { Priority = r.Priority, Flavour = flavour })],
        });

    public async Task<Jid> CreateUserAsync(string name)
    {
        var jid = Jid.Parse($"{name}-{Guid.NewGuid().ToString("N")[..6]}@{Domain}");
        await Get<ParleyStore>().Users.AddUserAsync(jid, "secret-password", TestStore.Actor, None);
        return jid;
    }

    /// <summary>A session of <paramref name="user"/> that has sent initial presence (so probes ran and it gets stanzas).</summary>
    public async Task<TestSession> OnlineAsync(Jid user, string resource = "laptop")
    {
        var registry = Get<SessionRegistry>();
        var online = await registry.GetOrLoadAsync(user.Bare, None);
        var transport = new TestSession.Transport();
        var session = new XmppSession(online, user.Bare.WithResource(resource), transport);
        online.AddSession(session);
        var client = new TestSession(this, session, transport);
        await client.SendAsync(new Element("presence", XmppNamespaces.Client));
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _temp.Dispose();
    }

    private async Task StopAsync()
    {
        if (_provider is { } provider)
        {
            _provider = null;
            await provider.GetRequiredService<SipNode>().DisposeAsync();
            await provider.DisposeAsync();
        }
    }

    private static int FreeUdpAndTcpPort()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = FakePeer.FreeTcpPort();
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

    /// <summary>Deployment settings set by the test; every component reads them per request, as from the CMS.</summary>
    public sealed class TestSettings(DeploymentConfiguration initial) : IDeploymentSettings
    {
        private DeploymentSnapshot _current = DeploymentSnapshot.From(1, initial);

        public DeploymentSnapshot Current => Volatile.Read(ref _current);

        public event Action<DeploymentSnapshot>? Changed;

        public void Change(Func<DeploymentConfiguration, DeploymentConfiguration> edit)
        {
            var next = DeploymentSnapshot.From(Current.Revision + 1, edit(Current.Configuration));
            Volatile.Write(ref _current, next);
            Changed?.Invoke(next);
        }

        public Task<DeploymentSnapshot> RefreshAsync(CancellationToken cancellationToken) => Task.FromResult(Current);
    }
}

/// <summary>An in-process XMPP session: stanzas it sends go through the server's router; stanzas it gets are queued.</summary>
public sealed class TestSession(FederationHarness harness, XmppSession session, TestSession.Transport transport)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public XmppSession Session { get; } = session;

    public Jid Jid => Session.FullJid;

    public Task SendAsync(Element stanza) => harness.Get<ClientStanzaRouter>().HandleAsync(Session, stanza, CancellationToken.None);

    public Task SendPresenceAsync(string type, Jid to)
        => SendAsync(new Element("presence", XmppNamespaces.Client).SetAttribute("type", type).SetAttribute("to", to.ToString()));

    public Task SendChatAsync(Jid to, string? body, string type = "chat", string? chatState = null)
    {
        var message = new Element("message", XmppNamespaces.Client).SetAttribute("type", type).SetAttribute("to", to.ToString()).SetAttribute("id", Guid.NewGuid().ToString("N")[..8]);
        if (body is not null)
        {
            message.AddChild("body", XmppNamespaces.Client).AddText(body);
        }

        if (chatState is not null)
        {
            message.AddChild(chatState, "http://jabber.org/protocol/chatstates");
        }

        return SendAsync(message);
    }

    /// <summary>The next stanza received that matches.</summary>
    public async Task<Element> ReceiveAsync(Func<Element, bool> match, string what)
    {
        using var cancel = new CancellationTokenSource(Timeout);
        try
        {
            while (true)
            {
                var element = await transport.Received.Reader.ReadAsync(cancel.Token);
                if (match(element))
                {
                    return element;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"{Jid} got no {what} within {Timeout.TotalSeconds} s.");
        }
    }

    public sealed class Transport : IStanzaTransport
    {
        public Channel<Element> Received { get; } = Channel.CreateUnbounded<Element>();

        public void Send(Element element) => Received.Writer.TryWrite(element);

        public void Close(XmppStreamErrorReason? reason, string? text)
        {
        }
    }
}
