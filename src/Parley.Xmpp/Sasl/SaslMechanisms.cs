namespace Parley.Xmpp.Sasl;

/// <summary>SASL mechanism names as advertised in &lt;mechanisms/&gt; (IANA SASL registry).</summary>
public static class SaslMechanisms
{
    public const string Plain = "PLAIN";
    public const string ScramSha1 = "SCRAM-SHA-1";
    public const string ScramSha256 = "SCRAM-SHA-256";
    public const string ScramSha1Plus = "SCRAM-SHA-1-PLUS";
    public const string ScramSha256Plus = "SCRAM-SHA-256-PLUS";
    public const string External = "EXTERNAL";
    public const string Anonymous = "ANONYMOUS";
}
