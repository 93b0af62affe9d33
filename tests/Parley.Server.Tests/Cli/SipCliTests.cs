using System.Net;
using System.Net.Sockets;
using Parley.Cli;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests.Cli;

/// <summary>The SIP parts of the command line: serve's SIP ports and the digest credentials user commands store.</summary>
public sealed class SipCliTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string Data => _temp.Combine("data");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Serve_help_lists_the_sip_ports()
    {
        var result = await CliRunner.RunAsync(_temp.Path, "serve", "--help");

        Assert.Contains("--sip-port", result.Output, StringComparison.Ordinal);
        Assert.Contains("--sips-port", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sip_port_out_of_range_is_a_usage_error()
    {
        var result = await CliRunner.RunAsync(_temp.Path, "serve", "--sip-port", "70000", "--data", Data);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--sip-port", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_refuses_to_start_when_the_sip_port_is_in_use_and_says_how_to_fix_it()
    {
        using var busy = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var sipPort = ((IPEndPoint)busy.Client.LocalEndPoint!).Port;

        var result = await CliRunner.RunAsync(_temp.Path, "serve", "--data", Data, "--bind", "127.0.0.1", "--xmpp-port", FreeTcpPort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--admin-port", "0", "--sip-port", sipPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--sips-port", "0");

        Assert.Equal(ExitCodes.Configuration, result.ExitCode);
        Assert.Contains($"Cannot listen for SIP on 127.0.0.1:{sipPort}: the port is in use", result.Error, StringComparison.Ordinal);
        Assert.Contains("--sip-port", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task User_add_and_passwd_store_sip_digest_credentials()
    {
        Assert.Equal(ExitCodes.Ok, (await CliRunner.RunAsync(_temp.Path, "domain", "add", "example.com", "--data", Data)).ExitCode);
        Assert.Equal(ExitCodes.Ok, (await CliRunner.RunAsync(_temp.Path, "user", "add", "alice@example.com", "--password", "pw1", "--data", Data)).ExitCode);
        Assert.Equal(ExitCodes.Ok, (await CliRunner.RunAsync(_temp.Path, "user", "passwd", "alice@example.com", "--password", "pw2", "--data", Data)).ExitCode);

        await using var store = await TestStore.OpenAsync(Data);
        var credentials = await store.Users.GetSipDigestCredentialsAsync(TestStore.Jid("alice@example.com"), CancellationToken.None);
        Assert.Equal(2, credentials.Count);
        Assert.All(credentials, c => Assert.Equal(
            Parley.Sip.Authentication.DigestCalculator.HA1(c.DigestAlgorithm, "alice", "example.com", "pw2"), c.Ha1));
    }

    private static int FreeTcpPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
