namespace Parley.Server.Management.Replication.Transfer;

/// <summary>
/// Timing of the file transfer agent. Defaults follow docs/design/cms.md: retry after 1 s, doubling, capped at 60 s
/// (Lync's agent retries every minute); status every 10 s; replication requests checked every second. Tests shorten them.
/// </summary>
public sealed record TransferOptions
{
    private readonly TimeSpan _initialRetryDelay = TimeSpan.FromSeconds(1);
    private readonly TimeSpan _maxRetryDelay = TimeSpan.FromSeconds(60);
    private readonly TimeSpan _statusPollInterval = TimeSpan.FromSeconds(10);
    private readonly TimeSpan _requestPollInterval = TimeSpan.FromSeconds(1);
    private readonly TimeSpan _connectTimeout = TimeSpan.FromSeconds(5);
    private readonly TimeSpan _requestTimeout = TimeSpan.FromSeconds(60);

    public TimeSpan InitialRetryDelay { get => _initialRetryDelay; init => _initialRetryDelay = Positive(value); }

    public TimeSpan MaxRetryDelay { get => _maxRetryDelay; init => _maxRetryDelay = Positive(value); }

    public TimeSpan StatusPollInterval { get => _statusPollInterval; init => _statusPollInterval = Positive(value); }

    /// <summary>How often the master reads <c>replication_requests</c> (written by <c>parley replication invoke</c>).</summary>
    public TimeSpan RequestPollInterval { get => _requestPollInterval; init => _requestPollInterval = Positive(value); }

    /// <summary>TCP connect to a node's replica agent; a firewall that drops packets shows as this timeout (1017).</summary>
    public TimeSpan ConnectTimeout { get => _connectTimeout; init => _connectTimeout = Positive(value); }

    /// <summary>A whole push (up to 64 MB) or status poll.</summary>
    public TimeSpan RequestTimeout { get => _requestTimeout; init => _requestTimeout = Positive(value); }

    /// <summary>Reads PARLEY_REPLICATION_RETRY_MAX_MS / PARLEY_REPLICATION_STATUS_MS (tests and benchmarks only).</summary>
    public static TransferOptions FromEnvironment(Func<string, string?> environment)
    {
        var options = new TransferOptions();
        if (Milliseconds(environment("PARLEY_REPLICATION_RETRY_MAX_MS")) is { } max)
        {
            options = options with { MaxRetryDelay = max, InitialRetryDelay = max < options.InitialRetryDelay ? max : options.InitialRetryDelay };
        }

        if (Milliseconds(environment("PARLEY_REPLICATION_STATUS_MS")) is { } status)
        {
            options = options with { StatusPollInterval = status };
        }

        return options;
    }

    private static TimeSpan? Milliseconds(string? text)
        => int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ms) && ms > 0
            ? TimeSpan.FromMilliseconds(ms)
            : null;

    private static TimeSpan Positive(TimeSpan value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
        return value;
    }
}
