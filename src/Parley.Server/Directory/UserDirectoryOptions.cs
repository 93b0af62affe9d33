namespace Parley.Server.Directory;

public sealed record UserDirectoryOptions
{
    /// <summary>RFC 7677 asks for at least 4096; 10,000 costs a few milliseconds per login on this hardware.</summary>
    public const int MinimumIterations = 4096;

    public const int MaximumIterations = 1_000_000;

    public const int DefaultIterations = 10_000;

    /// <summary>PBKDF2 iterations for SCRAM-SHA-1 credentials of new or changed passwords.</summary>
    public int ScramSha1Iterations { get; init; } = DefaultIterations;

    /// <summary>PBKDF2 iterations for SCRAM-SHA-256 credentials of new or changed passwords.</summary>
    public int ScramSha256Iterations { get; init; } = DefaultIterations;

    /// <summary>Longest password accepted, in characters.</summary>
    public int MaxPasswordLength { get; init; } = 1024;

    /// <summary>
    /// Users written per transaction (and configuration revision) by a bulk import. 500 rows commit in a few
    /// milliseconds, so a running server's own writes wait at most that long behind an import.
    /// </summary>
    public int ImportBatchSize { get; init; } = 500;

    /// <summary>Most users one import may hold (they are validated in memory first); larger files must be split.</summary>
    public int MaxImportUsers { get; init; } = 1_000_000;

    /// <summary>
    /// Users whose record and SIP digest credentials are kept in memory between requests (0 = none). An entry costs
    /// well under 1 KB, and it is dropped at every directory change.
    /// </summary>
    public int LookupCacheSize { get; init; } = 50_000;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the setting and its allowed range.</summary>
    public void Validate()
    {
        CheckIterations(nameof(ScramSha1Iterations), ScramSha1Iterations);
        CheckIterations(nameof(ScramSha256Iterations), ScramSha256Iterations);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxPasswordLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ImportBatchSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ImportBatchSize, 10_000);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxImportUsers);
        ArgumentOutOfRangeException.ThrowIfNegative(LookupCacheSize);
    }

    private static void CheckIterations(string name, int value)
    {
        if (value is < MinimumIterations or > MaximumIterations)
        {
            throw new ArgumentOutOfRangeException(name, value,
                $"{name} must be from {MinimumIterations} to {MaximumIterations} (RFC 7677 minimum 4096; default {DefaultIterations}).");
        }
    }
}
