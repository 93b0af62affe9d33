using Parley.Xmpp.Addressing;

namespace Parley.Server.Directory;

/// <summary>One user of a bulk import. <see cref="Enabled"/> applies to new users only.</summary>
public readonly record struct UserImportEntry(Jid Jid, string Password, bool Enabled)
{
    /// <summary>Never prints the password.</summary>
    public override string ToString() => $"{Jid} ({(Enabled ? "enabled" : "disabled")})";
}

/// <summary>
/// Why entry <see cref="Index"/> of an import cannot be imported. <see cref="Problem"/> has no final period;
/// <see cref="Fix"/> is a sentence. <see cref="FirstIndex"/> is the earlier entry a duplicate repeats.
/// </summary>
public sealed record UserImportProblem(int Index, DirectoryError Error, string Problem, string Fix, int? FirstIndex = null);

/// <summary>
/// What an import did: users added, existing users whose password was reset, existing users left alone, and the
/// configuration revisions written (null when nothing changed).
/// </summary>
public sealed record UserImportResult(int Added, int Updated, int Skipped, long? FirstRevision, long? LastRevision)
{
    public int Total => Added + Updated + Skipped;
}
