using Parley.Xmpp.Sasl;

namespace Parley.Server.Directory;

/// <summary>Everything stored for one password: SCRAM credentials for XMPP, digest HA1s for SIP.</summary>
internal sealed record PasswordCredentials(ScramCredential[] Scram, SipDigestCredential[] Digest);
