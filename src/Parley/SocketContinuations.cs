namespace Parley.Cli;

/// <summary>
/// Socket continuations run on the socket event threads (one per core) instead of being queued to the thread pool. A SIP
/// request over TCP then costs one thread wake-up, as in Kamailio's TCP receivers, instead of two (the event thread,
/// then a pool thread): about a third of the CPU per relayed MESSAGE (docs/benchmarks.md, SIP). It is safe because
/// nothing that waits runs there: store writes move to the pool (<c>ParleyDatabase.WriteAsync</c>), and the rest is
/// protocol work. The runtime reads the variable once, when the first socket is made, so this runs first in
/// <c>Main</c>; an administrator's own setting (<c>0</c> restores the pool) wins.
/// </summary>
internal static class SocketContinuations
{
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static void RunInlineUnlessConfigured()
    {
        if (Environment.GetEnvironmentVariable(Variable) is null)
        {
            Environment.SetEnvironmentVariable(Variable, "1");
        }
    }
}
