using Parley.Xmpp.Addressing;

namespace Parley.Server.Sip.Registrar;

/// <summary>Persisted registrations, so a restart keeps every unexpired binding.</summary>
public interface ILocationStore
{
    /// <summary>Every binding that has not expired at <paramref name="now"/> (expired rows are deleted).</summary>
    Task<IReadOnlyList<Binding>> LoadAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Replaces all bindings of <paramref name="user"/> with <paramref name="bindings"/> in one transaction.</summary>
    Task ReplaceAsync(Jid user, IReadOnlyList<Binding> bindings, CancellationToken cancellationToken);
}
