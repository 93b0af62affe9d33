using Microsoft.Extensions.DependencyInjection;
using Parley.Server.Management;
using Parley.Server.Messaging;
using Parley.Server.Sessions;
using Parley.Server.Storage;
using Parley.Server.Tests.Support;
using Parley.Server.Xmpp;
using Parley.Xmpp;
using Parley.Xmpp.Addressing;
using Parley.Xmpp.Streams;
using Parley.Xmpp.Xml;

namespace Parley.Server.Tests.Messaging;

/// <summary>
/// A session that has ended but is still listed (the moment between its end and its removal from the registry) takes no
/// message: the message goes to offline storage, as for a resource that is gone, instead of into the ended session.
/// </summary>
public sealed class EndedSessionDeliveryTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly TempDirectory _temp = new();
    private ServiceProvider _provider = null!;

    public async Task InitializeAsync()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddParleyStore(_temp.Path, store => TestStore.Options(_temp.Path) with { Settings = new DeploymentSettingsOptions { AnnounceRevisions = false } });
        services.AddParleyXmpp(new XmppServerOptions());
        _provider = services.BuildServiceProvider();
        var store = _provider.GetRequiredService<ParleyStore>();
        await store.StartAsync(None);
        await store.Users.AddDomainAsync("example.com", TestStore.Actor, None);
        await store.Settings.RefreshAsync(None);
        foreach (var user in new[] { "alice", "bob" })
        {
            await store.Users.AddUserAsync(TestStore.Jid($"{user}@example.com"), "secret-password", TestStore.Actor, None);
        }
    }

    public async Task DisposeAsync()
    {
        await _provider.DisposeAsync();
        _temp.Dispose();
    }

    [Theory]
    [InlineData("alice@example.com/laptop")]
    [InlineData("alice@example.com")]
    public async Task A_message_to_an_ended_but_still_listed_session_is_stored_offline(string to)
    {
        var alice = Jid.Parse("alice@example.com/laptop");
        var transport = new RecordingTransport();
        var session = await OnlineAsync(alice, transport);
        session.Terminate(); // ended; the registry still lists it until its removal runs

        var error = await _provider.GetRequiredService<MessageRouter>().DeliverAsync(Chat("while you were leaving"), Jid.Parse("bob@example.com/desk"), Jid.Parse(to), None);

        Assert.Null(error);
        Assert.Empty(transport.Sent);
        var stored = Assert.Single(await _provider.GetRequiredService<ParleyStore>().OfflineMessages.PeekAsync(alice.Bare, None));
        Assert.Contains("while you were leaving", stored.StanzaXml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_live_session_still_gets_the_message()
    {
        var alice = Jid.Parse("alice@example.com/laptop");
        var transport = new RecordingTransport();
        await OnlineAsync(alice, transport);

        await _provider.GetRequiredService<MessageRouter>().DeliverAsync(Chat("hello"), Jid.Parse("bob@example.com/desk"), alice, None);

        Assert.Single(transport.Sent);
        Assert.Empty(await _provider.GetRequiredService<ParleyStore>().OfflineMessages.PeekAsync(alice.Bare, None));
    }

    private async Task<XmppSession> OnlineAsync(Jid jid, IStanzaTransport transport)
    {
        var registry = _provider.GetRequiredService<SessionRegistry>();
        var user = await registry.GetOrLoadAsync(jid.Bare, None);
        var session = new XmppSession(user, jid, transport);
        user.AddSession(session);
        session.SetPresence(new Element("presence", XmppNamespaces.Client), priority: 0);
        return session;
    }

    private static Element Chat(string text)
    {
        var message = new Element("message", XmppNamespaces.Client);
        message.SetAttribute("type", "chat");
        message.AddChild("body", XmppNamespaces.Client).AddText(text);
        return message;
    }

    private sealed class RecordingTransport : IStanzaTransport
    {
        public List<Element> Sent { get; } = [];

        public void Send(Element element) => Sent.Add(element);

        public void Close(XmppStreamErrorReason? reason, string? text)
        {
        }
    }
}
