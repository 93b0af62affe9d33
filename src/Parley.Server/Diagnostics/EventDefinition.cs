namespace Parley.Server.Diagnostics;

public enum EventLevel
{
    Information,
    Warning,
    Error,
    Critical,
}

/// <summary>
/// A catalogue entry: what happened (<see cref="MessageTemplate"/>, composite-format placeholders {0}, {1}, …),
/// why (<see cref="Cause"/>) and what to do (<see cref="Resolution"/>).
/// </summary>
public sealed record EventDefinition(int Id, string Source, EventLevel Level, string MessageTemplate, string Cause, string Resolution);

/// <summary>One raised event as stored.</summary>
public sealed record EventRecord(
    long Sequence,
    int Id,
    string Source,
    EventLevel Level,
    DateTimeOffset Time,
    string Message,
    string Cause,
    string Resolution,
    string Node);
