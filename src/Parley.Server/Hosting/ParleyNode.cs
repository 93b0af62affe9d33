using Parley.Server.Configuration;

namespace Parley.Server.Hosting;

/// <summary>Runs one node until cancelled. Returns the process exit code.</summary>
public static class ParleyNode
{
    public static Task<int> RunAsync(NodeOptions options, TextWriter output, CancellationToken cancellationToken)
        => throw new NotImplementedException();
}
