using Parley.Interop.Tests.Harness;

namespace Parley.Interop.Tests.Hostile;

/// <summary>
/// A server plus two well-behaved clients that are logged in throughout: after each attack
/// they must still exchange messages, and the server's memory must stay bounded.
/// </summary>
public sealed class HostileFixture : ParleyServerFixture
{
    /// <summary>How much the server's RSS may grow over the whole class.</summary>
    public const long RssBudgetBytes = 128L * 1024 * 1024;

    private RawXmppClient? _first;
    private RawXmppClient? _second;

    public RawXmppClient First => _first ?? throw new InvalidOperationException("not initialised");

    public RawXmppClient Second => _second ?? throw new InvalidOperationException("not initialised");

    public long BaselineRssBytes { get; private set; }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var (jid1, pw1) = await Server.CreateUserAsync("bystander");
        var (jid2, pw2) = await Server.CreateUserAsync("bystander");
        _first = await RawXmppClient.LoginAsync(ParleyProcess.Host, Server.XmppPort, Server.CaPath, jid1, pw1);
        _second = await RawXmppClient.LoginAsync(ParleyProcess.Host, Server.XmppPort, Server.CaPath, jid2, pw2);
        await _first.ExchangeMessageWithAsync(_second);
        BaselineRssBytes = Server.ReadRssBytes();
    }

    /// <summary>Logs in a fresh user to attack from (for attacks that need a session).</summary>
    public async Task<RawXmppClient> LoggedInAttackerAsync()
    {
        var (jid, password) = await Server.CreateUserAsync("mallory");
        return await RawXmppClient.LoginAsync(ParleyProcess.Host, Server.XmppPort, Server.CaPath, jid, password);
    }

    public Task<RawXmppClient> ConnectAsync() => RawXmppClient.ConnectAsync(ParleyProcess.Host, Server.XmppPort);

    /// <summary>The server is alive, the bystanders can chat both ways, and memory is within budget.</summary>
    public async Task AssertUnaffectedAsync()
    {
        Assert.True(Server.IsRunning, $"the server died. Output:\n{Server.Output}");
        await First.ExchangeMessageWithAsync(Second);
        await Second.ExchangeMessageWithAsync(First);
        var rss = Server.ReadRssBytes();
        Assert.True(
            rss - BaselineRssBytes < RssBudgetBytes,
            $"server RSS grew from {BaselineRssBytes / 1048576} MB to {rss / 1048576} MB (budget {RssBudgetBytes / 1048576} MB)");
    }
}
