using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Parley.Server.Diagnostics;

/// <summary>
/// <see cref="IEventLog"/> over the store: <see cref="Raise"/> logs at once and queues the event in a bounded
/// channel; one background writer stores queued events in batches. A full queue drops (and counts) events rather
/// than block the caller, which may be a connection's read loop.
/// </summary>
public sealed class EventLog : IEventLog
{
    private readonly SqliteEventStore _store;
    private readonly EventLogOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<QueueItem> _queue;
    private long _dropped;
    private long _droppedTotal;
    private Task? _writer;

    public EventLog(SqliteEventStore store, EventLogOptions options, TimeProvider time, ILogger<EventLog> logger)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.QueueCapacity);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BatchSize);
        _store = store;
        _options = options;
        _time = time;
        _logger = logger;
        _queue = Channel.CreateBounded<QueueItem>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>Events not stored because the queue was full, since start.</summary>
    public long DroppedCount => Interlocked.Read(ref _droppedTotal);

    public void Raise(EventDefinition definition, params object?[] args)
    {
        var record = new EventRecord(0, definition.Id, definition.Source, definition.Level, _time.GetUtcNow(),
            EventTemplate.Format(definition.MessageTemplate, args), definition.Cause, definition.Resolution, _options.NodeName);
        _logger.Log(ToLogLevel(definition.Level), new EventId(definition.Id, definition.Source), "{EventSource} {EventNumber}: {EventMessage}",
            definition.Source, definition.Id, record.Message);
        if (!_queue.Writer.TryWrite(new QueueItem(record, null)))
        {
            Interlocked.Increment(ref _dropped);
            Interlocked.Increment(ref _droppedTotal);
        }
    }

    public Task<IReadOnlyList<EventRecord>> QueryAsync(int? id, DateTimeOffset? since, int limit, CancellationToken cancellationToken)
        => _store.QueryAsync(id, since, limit, cancellationToken);

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await _queue.Writer.WriteAsync(new QueueItem(null, done), cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            // Stopped: the writer stored everything before it ended.
            return;
        }

        await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts the background writer; call after the store is initialised.</summary>
    public void Start()
    {
        _writer ??= Task.Run(WriteLoopAsync);
    }

    /// <summary>Stores what is queued, then stops the writer. Events raised afterwards are only logged.</summary>
    public async Task StopAsync()
    {
        _queue.Writer.TryComplete();
        if (_writer is not null)
        {
            await _writer.ConfigureAwait(false);
        }
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<EventRecord>(_options.BatchSize);
        var flushes = new List<TaskCompletionSource>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < _options.BatchSize && _queue.Reader.TryRead(out var item))
            {
                if (item.Record is not null)
                {
                    batch.Add(item.Record);
                }
                else if (item.Flush is not null)
                {
                    flushes.Add(item.Flush);
                    break; // store what came before the flush request, then answer it
                }
            }

            var dropped = Interlocked.Exchange(ref _dropped, 0);
            if (dropped > 0)
            {
                var definition = ParleyEvents.Storage.EventsDropped;
                batch.Add(new EventRecord(0, definition.Id, definition.Source, definition.Level, _time.GetUtcNow(),
                    EventTemplate.Format(definition.MessageTemplate, [dropped]), definition.Cause, definition.Resolution, _options.NodeName));
                _logger.LogWarning("{Dropped} events were dropped because the event queue was full", dropped);
            }

            if (batch.Count > 0)
            {
                try
                {
                    await _store.InsertAsync(batch, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    // Already logged one by one in Raise; the store being down must not stop the writer.
                    _logger.LogError(e, "Could not store {Count} events", batch.Count);
                }

                batch.Clear();
            }

            foreach (var flush in flushes)
            {
                flush.TrySetResult();
            }

            flushes.Clear();
        }
    }

    private static LogLevel ToLogLevel(EventLevel level) => level switch
    {
        EventLevel.Information => LogLevel.Information,
        EventLevel.Warning => LogLevel.Warning,
        EventLevel.Error => LogLevel.Error,
        EventLevel.Critical => LogLevel.Critical,
        _ => throw new InvalidOperationException($"Internal error: unknown event level {level}."),
    };

    private sealed record QueueItem(EventRecord? Record, TaskCompletionSource? Flush);
}
