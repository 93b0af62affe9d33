using Parley.Server.Security;

namespace Parley.Server.Management.Replication.Transfer;

/// <summary>The node certificate, set once at start after provisioning (the replication services that need it are resolved after).</summary>
public sealed class NodeCertificateHolder
{
    private NodeCertificate? _certificate;

    public NodeCertificate Certificate
        => Volatile.Read(ref _certificate) ?? throw new InvalidOperationException("Internal error: replication resolved before the node certificate was provisioned.");

    public void Use(NodeCertificate certificate) => Volatile.Write(ref _certificate, certificate);
}
