using System.Diagnostics.CodeAnalysis;

namespace Parley.Xmpp.Addressing;

/// <summary>An XMPP address (RFC 7622), normalised: localpart and domain case-folded, all parts NFC.</summary>
public sealed class Jid : IEquatable<Jid>
{
    private Jid(string? local, string domain, string? resource)
    {
        Local = local;
        Domain = domain;
        Resource = resource;
    }

    public string? Local { get; }

    public string Domain { get; }

    public string? Resource { get; }

    public bool IsBare => Resource is null;

    public Jid Bare => throw new NotImplementedException();

    public static bool TryParse(string? text, [NotNullWhen(true)] out Jid? jid) => throw new NotImplementedException();

    /// <summary>Parses or throws <see cref="FormatException"/> whose message says which part is wrong.</summary>
    public static Jid Parse(string text) => throw new NotImplementedException();

    public static bool TryCreate(string? local, string domain, string? resource, [NotNullWhen(true)] out Jid? jid, out string? error)
        => throw new NotImplementedException();

    public Jid WithResource(string resource) => throw new NotImplementedException();

    public bool Equals(Jid? other) => throw new NotImplementedException();

    public override bool Equals(object? obj) => obj is Jid other && Equals(other);

    public override int GetHashCode() => throw new NotImplementedException();

    public override string ToString() => throw new NotImplementedException();

    public static bool operator ==(Jid? left, Jid? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(Jid? left, Jid? right) => !(left == right);
}
