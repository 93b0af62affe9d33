using Parley.Server.Storage;

namespace Parley.Server.Management.Cms;

/// <summary>
/// The node's CMS role as last started, kept in <c>settings</c> row <c>cms.master</c> (absent = master), so a CLI
/// run against the data directory of a replica knows to refuse changes and whom to send the administrator to.
/// </summary>
internal static class CmsRoleRecord
{
    private const string SettingName = "cms.master";

    public static CmsOptions Read(SqliteSession session)
    {
        var master = session.Query("SELECT value FROM settings WHERE name = $name", reader => reader.GetString(0), ("$name", SettingName));
        return master.Count == 0 ? CmsOptions.Master : CmsOptions.ReplicaOf(master[0]);
    }

    public static void Write(SqliteSession session, CmsOptions options)
    {
        if (options.MasterFqdn is { } master)
        {
            session.Execute("INSERT INTO settings (name, value) VALUES ($name, $value) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                ("$name", SettingName), ("$value", master));
        }
        else
        {
            session.Execute("DELETE FROM settings WHERE name = $name", ("$name", SettingName));
        }
    }
}
