using Parley.Server.Security;

namespace Parley.Server.Management.Replication.Transfer;

/// <summary>The node certificate and replication identity, set once at start after provisioning (the services that need them are resolved after).</summary>
public sealed class NodeCertificateHolder
{
    private NodeCertificate? _certificate;
    private ReplicationIdentity? _identity;

    public NodeCertificate Certificate
        => Volatile.Read(ref _certificate) ?? throw new InvalidOperationException("Internal error: replication resolved before the node certificate was provisioned.");

    public ReplicationIdentity Identity
        => Volatile.Read(ref _identity) ?? throw new InvalidOperationException("Internal error: replication resolved before its identity was resolved.");

    public void Use(NodeCertificate certificate, ReplicationIdentity identity)
    {
        Volatile.Write(ref _certificate, certificate);
        Volatile.Write(ref _identity, identity);
    }
}
