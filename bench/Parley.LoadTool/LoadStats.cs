using System.Diagnostics;

namespace Parley.LoadTool;

/// <summary>Counters shared by all clients (updated with Interlocked).</summary>
public sealed class LoadStats
{
    public long MessagesReceived;
    public long PresenceReceived;
    public long SubscriptionStanzas;
    public long RosterPushes;
    public long Errors;
    public long LastActivityTimestamp = Stopwatch.GetTimestamp();
    public long LastMessageTimestamp;
    public long LastPresenceTimestamp;

    public void Touch() => Volatile.Write(ref LastActivityTimestamp, Stopwatch.GetTimestamp());

    public TimeSpan SinceLastActivity => Stopwatch.GetElapsedTime(Volatile.Read(ref LastActivityTimestamp));
}
