namespace Parley.Server.Diagnostics;

/// <summary>Raises catalogue events to the structured log and the queryable event store.</summary>
public interface IEventLog
{
    /// <summary>Never blocks and never throws: the write happens in the background.</summary>
    void Raise(EventDefinition definition, params object?[] args);

    Task<IReadOnlyList<EventRecord>> QueryAsync(int? id, DateTimeOffset? since, int limit, CancellationToken cancellationToken);

    /// <summary>Waits until events raised so far are stored (used at shutdown and by tests).</summary>
    Task FlushAsync(CancellationToken cancellationToken);
}
