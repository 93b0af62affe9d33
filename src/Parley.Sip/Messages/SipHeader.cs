namespace Parley.Sip.Messages;

/// <summary>One header line: <see cref="Name"/> is canonical (see <see cref="SipHeaderNames.Canonicalize"/>).</summary>
public readonly record struct SipHeader(string Name, string Value)
{
    public override string ToString() => Name + ": " + Value;
}
