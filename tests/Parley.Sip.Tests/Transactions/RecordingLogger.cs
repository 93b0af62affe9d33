using Microsoft.Extensions.Logging;

namespace Parley.Sip.Tests.Transactions;

/// <summary>Records the event IDs logged, at every level, so tests can tell a discarded message from a stray one.</summary>
public sealed class RecordingLogger<T> : ILogger<T>
{
    private readonly Lock _gate = new();
    private readonly List<int> _events = [];

    public IReadOnlyList<int> Events
    {
        get
        {
            lock (_gate)
            {
                return _events.ToArray();
            }
        }
    }

    public int Count(int eventId) => Events.Count(id => id == eventId);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_gate)
        {
            _events.Add(eventId.Id);
        }
    }
}
