using Parley.Interop.Tests.Harness;

namespace Parley.Interop.Tests.Sip;

/// <summary>A SIP user: AOR sip:User@Domain, digest username <see cref="AuthUser"/>.</summary>
public sealed record SipAccount(string User, string Domain, string Password)
{
    /// <summary>Digest username: the user part, with the realm being the domain (RFC 3261 §22.4).</summary>
    public string AuthUser => User;

    public string Aor => $"sip:{User}@{Domain}";

    public string Jid => $"{User}@{Domain}";
}

/// <summary>The SIP server a scenario runs against: Parley, or Kamailio as the reference.</summary>
public interface ISipServer
{
    string Name { get; }

    string Domain { get; }

    /// <summary>UDP and TCP port.</summary>
    int SipPort { get; }

    int SipsPort { get; }

    /// <summary>True when the server terminates IM sessions itself (Parley); false when it relays the INVITE to the callee (Kamailio).</summary>
    bool AnswersImSessions { get; }

    Task<SipAccount> CreateAccountAsync(string name);

    /// <summary>The server's log tail, for failure messages.</summary>
    string Diagnostics();
}

/// <summary>Parley with SIP on free ports, shared by the tests of a class.</summary>
public class ParleySipFixture : IAsyncLifetime, ISipServer
{
    private ParleyProcess? _server;

    public ParleyProcess Server => _server ?? throw new InvalidOperationException("fixture not initialised");

    public string Name => "parley";

    public string Domain => ParleyProcess.Domain;

    public int SipPort => Server.SipPort;

    public int SipsPort => Server.SipsPort;

    public bool AnswersImSessions => true;

    public virtual async Task InitializeAsync()
    {
        var server = NewServer();
        try
        {
            await server.StartAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        _server = server;
    }

    /// <summary>The server this fixture starts (SIP on); a fixture that needs more turns it on here.</summary>
    protected virtual ParleyProcess NewServer() => new() { EnableSip = true };

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    public async Task<SipAccount> CreateAccountAsync(string name)
    {
        var (jid, password) = await Server.CreateUserAsync(name);
        return new SipAccount(jid[..jid.IndexOf('@', StringComparison.Ordinal)], Domain, password);
    }

    public string Diagnostics() => "--- parley output (tail) ---\n" + SippProcess.Tail(Server.Output, 60);
}

/// <summary>Kamailio, the reference SIP server: the scenarios must pass against it unchanged.</summary>
public sealed class KamailioFixture : IAsyncLifetime, ISipServer
{
    private KamailioProcess? _kamailio;

    public KamailioProcess Kamailio => _kamailio ?? throw new InvalidOperationException("fixture not initialised");

    public string Name => "kamailio";

    public string Domain => "example.com";

    public int SipPort => Kamailio.SipPort;

    public int SipsPort => Kamailio.SipsPort;

    public bool AnswersImSessions => false;

    public async Task InitializeAsync()
    {
        _kamailio = await KamailioProcess.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_kamailio is not null)
        {
            await _kamailio.DisposeAsync();
        }
    }

    public Task<SipAccount> CreateAccountAsync(string name) =>
        Task.FromResult(new SipAccount($"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)], Domain, KamailioProcess.Password));

    public string Diagnostics() => "--- kamailio log (tail) ---\n" + SippProcess.Tail(Kamailio.Output, 60);
}
