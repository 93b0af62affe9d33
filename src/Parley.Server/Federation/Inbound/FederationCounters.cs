namespace Parley.Server.Federation.Inbound;

/// <summary>Counts of inbound federation outcomes since the node started (events and the log carry them; tests read them).</summary>
public sealed class FederationCounters
{
    private long _loopsRejected;

    /// <summary>Peer requests for users neither side hosts, answered 404 (the end of a basic-mode loop).</summary>
    public long LoopsRejected => Interlocked.Read(ref _loopsRejected);

    /// <summary>Counts one rejected loop; returns the new total.</summary>
    internal long LoopRejected() => Interlocked.Increment(ref _loopsRejected);
}
