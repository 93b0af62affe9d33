namespace Parley.Server.Management.Documents;

/// <summary>
/// The whole deployment configuration at one revision: every CMS document, typed. Immutable; the snapshot the
/// master replicates is its canonical serialization (<see cref="DocumentNames"/> fixes the names).
/// </summary>
public sealed record DeploymentConfiguration
{
    public Topology Topology { get; init; } = new();

    /// <summary>Hosted domains, lower case, sorted.</summary>
    public IReadOnlyList<string> Domains { get; init; } = [];

    public PresenceSettings Presence { get; init; } = new();

    public FederationOptions Federation { get; init; } = new();

    public IReadOnlyList<StaticRoute> StaticRoutes { get; init; } = [];

    public IReadOnlyList<AclEntry> IncomingAcl { get; init; } = [];

    public IReadOnlyList<TlsListener> TlsListeners { get; init; } = [];

    public IReadOnlyList<TlsPeerSubject> TlsPeerSubjects { get; init; } = [];

    public IReadOnlyList<SipFederationDomain> SipFederationDomains { get; init; } = [];
}

/// <summary>The document names used in the store, the snapshot, the CLI (<c>parley config show|set NAME</c>) and the admin API.</summary>
public static class DocumentNames
{
    public const string Topology = "topology";
    public const string Domains = "domains";
    public const string Presence = "presence";
    public const string Federation = "federation";
    public const string StaticRoutes = "staticRoutes";
    public const string IncomingAcl = "incomingAcl";
    public const string TlsListeners = "tlsListeners";
    public const string TlsPeerSubjects = "tlsPeerSubjects";
    public const string SipFederationDomains = "sipFederationDomains";

    public static readonly IReadOnlyList<string> All = [Topology, Domains, Presence, Federation, StaticRoutes, IncomingAcl, TlsListeners, TlsPeerSubjects, SipFederationDomains];
}
