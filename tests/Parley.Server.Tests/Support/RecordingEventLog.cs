using System.Collections.Concurrent;
using Parley.Server.Diagnostics;

namespace Parley.Server.Tests.Support;

/// <summary>Keeps raised events in memory for assertions.</summary>
public sealed class RecordingEventLog : IEventLog
{
    public ConcurrentQueue<(EventDefinition Definition, object?[] Args)> Raised { get; } = new();

    public void Raise(EventDefinition definition, params object?[] args) => Raised.Enqueue((definition, args));

    public Task<IReadOnlyList<EventRecord>> QueryAsync(int? id, DateTimeOffset? since, int limit, CancellationToken cancellationToken)
        => Task.FromResult<IReadOnlyList<EventRecord>>([]);

    public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
