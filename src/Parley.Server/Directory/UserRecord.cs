using Parley.Xmpp.Addressing;
using Parley.Xmpp.Sasl;

namespace Parley.Server.Directory;

/// <summary>A provisioned user. Only SCRAM credentials are stored (one per hash), never the password.</summary>
public sealed record UserRecord(Jid Jid, bool Enabled, IReadOnlyList<ScramCredential> Credentials, DateTimeOffset Created)
{
    public ScramCredential? Credential(ScramHash hash) => Credentials.FirstOrDefault(c => c.Hash == hash);
}
