using Parley.Server.Management;
using Parley.Sip.Transport;

namespace Parley.Server.Federation.Inbound;

/// <summary>
/// Whether a request came from the federation peer: federation is enabled and the request arrived on the peer-auth TLS
/// listener (its certificate passed <see cref="PeerCertificatePolicy"/> in the handshake) or from an address the
/// incoming ACL covers. Reads the current configuration on every call, so changes apply at once.
/// </summary>
public sealed class PeerTrust(IDeploymentSettings settings, IncomingAcl acl)
{
    public ValueTask<bool> IsPeerAsync(SipSource source)
    {
        var configuration = settings.Current.Configuration;
        if (!configuration.Federation.Enabled)
        {
            return ValueTask.FromResult(false);
        }

        return source.IsPeerAuthenticated ? ValueTask.FromResult(true) : acl.CoversAsync(configuration.IncomingAcl, source.Remote.Address);
    }
}
