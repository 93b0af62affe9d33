namespace Parley.Server.Storage;

/// <summary>Times are stored as Unix milliseconds (UTC): sortable, comparable in SQL, and the same in every backend.</summary>
internal static class StoredTime
{
    public static long ToStored(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    public static DateTimeOffset FromStored(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
}
