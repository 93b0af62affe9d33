namespace Parley.Server.Diagnostics;

/// <summary>
/// The event catalogue: every event Parley raises, with what happened, why, and what an administrator should do.
/// Entries are immutable and grouped by area, one nested class per reserved ID range
/// (see <see cref="EventCatalogue.Ranges"/>):
/// <list type="bullet">
/// <item>1000–1999 management and replication (1015, 1017 and 1034 are reserved for the replication events named after the seed's)</item>
/// <item>3000–3099 XMPP client authentication</item>
/// <item>3100–3199 TLS and certificates</item>
/// <item>3200–3299 limits</item>
/// <item>3300–3399 storage</item>
/// <item>3400–3499 node lifecycle</item>
/// <item>3500–3599 SIP and SIP presence</item>
/// <item>3600–3699 federation</item>
/// </list>
/// Message templates use composite-format placeholders; every placeholder is documented by the entry's name.
/// </summary>
public static partial class ParleyEvents
{
    public const string ManagementSource = "Management";
    public const string AuthenticationSource = "Authentication";
    public const string TlsSource = "Tls";
    public const string LimitsSource = "Limits";
    public const string StorageSource = "Storage";
    public const string NodeSource = "Node";
}
