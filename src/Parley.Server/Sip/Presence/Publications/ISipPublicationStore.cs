namespace Parley.Server.Sip.Presence.Publications;

/// <summary>
/// Persisted publications. Publishers refresh on their own, but a restart would otherwise show them as merely
/// "available while registered" (or offline) until then; their entity tags also stay valid, so the refresh works
/// instead of failing with 412.
/// </summary>
public interface ISipPublicationStore
{
    /// <summary>Removes the publications expired at <paramref name="now"/> and returns the others.</summary>
    Task<IReadOnlyList<SipPublication>> LoadAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Stores <paramref name="publication"/>, replacing the version under <paramref name="replacedETag"/> if any.</summary>
    Task SaveAsync(SipPublication publication, string? replacedETag, CancellationToken cancellationToken);

    Task DeleteAsync(string etag, CancellationToken cancellationToken);
}
