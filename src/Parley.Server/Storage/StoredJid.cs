using Parley.Xmpp.Addressing;

namespace Parley.Server.Storage;

/// <summary>JIDs are stored in their normalised text form; one that no longer parses means the file was damaged.</summary>
internal static class StoredJid
{
    public static Jid Parse(string text)
        => Jid.TryParse(text, out var jid)
            ? jid
            : throw new StorageException(StorageError.Corrupt, "", "reading a stored address",
                $"The store holds an invalid address '{text}'. Fix: restore parley.db from a backup, or remove the row.");
}
