using Parley.Interop.Tests.Harness;

namespace Parley.Interop.Tests.Cli;

/// <summary>
/// `parley serve` runs socket continuations on the socket event threads (src/Parley/SocketContinuations.cs). The
/// runtime then makes one event thread per core instead of one for up to 30 cores, which is what these tests see in
/// /proc; an administrator's own setting wins.
/// </summary>
public sealed class ServeSocketThreadsTests
{
    private const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    [Fact]
    public async Task Serve_runs_socket_continuations_inline_with_an_event_thread_per_core()
    {
        await using var server = await StartAsync(new Dictionary<string, string>());

        Assert.Equal(Environment.ProcessorCount, SocketEventThreads(server.Pid));
    }

    [Fact]
    public async Task An_administrators_setting_of_zero_keeps_continuations_on_the_thread_pool()
    {
        Assert.True(Environment.ProcessorCount is > 1 and <= 30,
            $"This test tells the two modes apart by their event-thread count, which differs only on 2 to 30 cores; this machine has {Environment.ProcessorCount}.");
        await using var server = await StartAsync(new Dictionary<string, string> { [Variable] = "0" });

        Assert.Equal(1, SocketEventThreads(server.Pid));
    }

    private static async Task<ParleyProcess> StartAsync(Dictionary<string, string> environment)
    {
        var server = new ParleyProcess { EnableSip = true, Environment = environment };
        try
        {
            await server.StartAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private static int SocketEventThreads(int pid) =>
        Directory.GetDirectories($"/proc/{pid}/task")
            .Count(task => File.ReadAllText(Path.Combine(task, "comm")).Trim() == ".NET Sockets");
}
