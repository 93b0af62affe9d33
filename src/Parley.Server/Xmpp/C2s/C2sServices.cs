using Microsoft.Extensions.Logging;
using Parley.Server.Diagnostics;
using Parley.Server.Directory;
using Parley.Server.Management;
using Parley.Server.Messaging;
using Parley.Server.Presence;
using Parley.Server.Security;
using Parley.Server.Sessions;
using Parley.Server.Xmpp.Routing;

namespace Parley.Server.Xmpp.C2s;

/// <summary>What every client connection needs, resolved once per listener rather than per connection.</summary>
public sealed class C2sServices(
    XmppServerOptions options,
    ServerTlsContext tls,
    SessionRegistry registry,
    ClientStanzaRouter router,
    PresenceService presence,
    MessageRouter messages,
    IUserDirectory directory,
    IDeploymentSettings settings,
    IEventLog events,
    AuthFailureTracker authFailures,
    ConnectionHeartbeat heartbeat,
    SessionTerminations terminations,
    ILoggerFactory loggerFactory)
{
    public XmppServerOptions Options { get; } = options;

    public ServerTlsContext Tls { get; } = tls;

    public SessionRegistry Registry { get; } = registry;

    public ClientStanzaRouter Router { get; } = router;

    public PresenceService Presence { get; } = presence;

    public MessageRouter Messages { get; } = messages;

    public IUserDirectory Directory { get; } = directory;

    public IDeploymentSettings Settings { get; } = settings;

    public IEventLog Events { get; } = events;

    public AuthFailureTracker AuthFailures { get; } = authFailures;

    public ConnectionHeartbeat Heartbeat { get; } = heartbeat;

    public SessionTerminations Terminations { get; } = terminations;

    public TimeProvider Time => Heartbeat.Time;

    public ILogger Logger { get; } = loggerFactory.CreateLogger("Parley.Xmpp.C2s");
}
