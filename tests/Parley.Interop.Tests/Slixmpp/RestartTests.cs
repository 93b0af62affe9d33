using Parley.Interop.Tests.Harness;

namespace Parley.Interop.Tests.Slixmpp;

/// <summary>Rosters, subscriptions, blocks, pending requests and offline messages survive a restart.</summary>
public sealed class RestartTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("on", false)]
    [InlineData("off", false)]
    [InlineData("on", true)]
    public async Task State_survives_a_restart_in_the_middle(string autoApprove, bool crash)
    {
        await RequiredTool.RequireSlixmppAsync();
        await using var server = await ParleyProcess.StartNewAsync();
        if (autoApprove == "off")
        {
            (await server.RunCliAsync("settings", "presence", "set", "--auto-approve", "off")).ShouldSucceed();
        }

        var users = new[]
        {
            await server.CreateUserAsync("alice"), await server.CreateUserAsync("bob"),
            await server.CreateUserAsync("carol"), await server.CreateUserAsync("dave"),
        };
        await SlixmppScenario.RunAsync(server, "persistence.py", users, output, ["--auto-approve", autoApprove, "--phase", "setup"]);

        if (crash)
        {
            await server.KillAsync(); // SIGKILL: what was acknowledged must already be on disk
            await server.StartAsync();
        }
        else
        {
            await server.RestartAsync(); // SIGTERM, exit code 0, start again
        }

        await SlixmppScenario.RunAsync(server, "persistence.py", users, output, ["--auto-approve", autoApprove, "--phase", "verify"]);
        await server.StopAsync();
    }
}
