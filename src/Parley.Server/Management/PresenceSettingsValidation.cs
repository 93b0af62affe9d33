namespace Parley.Server.Management;

/// <summary>Range checks for <see cref="PresenceSettings"/>; a refusal names the setting and the allowed values.</summary>
public static class PresenceSettingsValidation
{
    public const int MaxLimit = 100_000;

    /// <summary>A longer window would make presence visibly late for every watcher.</summary>
    public const int MaxNotifyCoalescingMs = 1000;

    /// <summary>Null when valid, else what is wrong and how to fix it.</summary>
    public static string? Validate(PresenceSettings settings)
        => CheckLimit("maximum contact list size", settings.MaxContactListSize)
           ?? CheckLimit("maximum watchers", settings.MaxWatchers)
           ?? CheckCoalescing(settings.NotifyCoalescingMs);

    private static string? CheckCoalescing(int milliseconds)
        => milliseconds is < 0 or > MaxNotifyCoalescingMs
            ? $"notify coalescing {milliseconds} ms is out of range. Fix: use a number of milliseconds from 0 (notify at once) to {MaxNotifyCoalescingMs}; default {PresenceSettings.DefaultNotifyCoalescingMs}."
            : null;

    private static string? CheckLimit(string name, int? value)
        => value is { } limit && (limit < 1 || limit > MaxLimit)
            ? $"{name} {limit} is out of range. Fix: use a number from 1 to {MaxLimit}, or unlimited."
            : null;
}
