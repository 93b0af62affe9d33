namespace Parley.Server.Directory;

public enum DirectoryError
{
    UserExists,
    UserNotFound,
    DomainExists,
    DomainNotFound,
    DomainHasUsers,
    InvalidPassword,
    InvalidDomain,

    /// <summary>The address is not a bare user JID (no local part).</summary>
    InvalidJid,

    /// <summary>One bulk request names the same user twice.</summary>
    DuplicateUser,

    /// <summary>A bulk import was refused because some entries are invalid (see <see cref="IUserDirectory.CheckImportAsync"/>); nothing changed.</summary>
    InvalidImport,
}

/// <summary>A directory change that was refused; nothing was changed. The message names the object and the fix.</summary>
public sealed class DirectoryException(DirectoryError error, string message) : Exception(message)
{
    public DirectoryError Error { get; } = error;
}
